// Every secret value planted in the test bed's fixtures, in clear and in base64, so a test can prove
// that none of them appears anywhere in kube-mcp's output.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { CANARY, CANARY_FORMS, FIXTURES_DIR } from "../../testbed/lib/fixtures.js";

function strings(v: unknown, out: string[]): string[] {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === "object") for (const x of Object.values(v)) strings(x, out);
  return out;
}

// The fixture files, and the values files of the bed's charts (Helm renders them into the cluster).
const files = [
  ...readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => join(FIXTURES_DIR, f)),
  ...readdirSync(join(FIXTURES_DIR, "charts"), { recursive: true, encoding: "utf8" })
    .filter((f) => /(^|[/.])values\.yaml$/.test(f))
    .map((f) => join(FIXTURES_DIR, "charts", f)),
];

const planted = files
  .flatMap((f) => parseAllDocuments(readFileSync(f, "utf8")).flatMap((d) => strings(d.toJS(), [])))
  .filter((s) => s.includes(CANARY));

const b64 = (s: string) => Buffer.from(s).toString("base64");

export const FORBIDDEN = [...new Set([CANARY, ...planted, ...planted.map(b64), ...CANARY_FORMS])];

export function leaks(output: string): string[] {
  return FORBIDDEN.filter((f) => output.includes(f));
}

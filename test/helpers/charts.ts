// Renders the Helm charts in charts/ with the test bed's helm, and turns a rendered (or installed)
// Deployment back into the command line and environment its container would run with, so that a test
// can start that exact process on loopback.
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { run } from "./run.js";

export const CHARTS_DIR = join(import.meta.dirname, "..", "..", "charts");
export const CHARTS = ["kube-mcp-hub", "kube-mcp-agent", "kube-mcp"] as const;
export type Chart = (typeof CHARTS)[number];

/** The values files each chart is checked with (charts/<chart>/ci/*.yaml, as chart-testing uses them). */
export const ciValues = (chart: Chart): string[] =>
  readdirSync(join(CHARTS_DIR, chart, "ci"))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => join(CHARTS_DIR, chart, "ci", f));

export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // biome-ignore lint/suspicious/noExplicitAny: rendered manifests are walked as plain JSON
  [k: string]: any;
};

export async function render(
  helm: string,
  chart: Chart,
  opts: { release?: string; namespace?: string; values?: string[]; set?: string[] } = {},
): Promise<{ code: number; stderr: string; docs: Manifest[]; text: string }> {
  const r = await run(helm, [
    "template",
    opts.release ?? "r",
    join(CHARTS_DIR, chart),
    "--namespace",
    opts.namespace ?? "default",
    ...(opts.values ?? []).flatMap((v) => ["-f", v]),
    ...(opts.set ?? []).flatMap((s) => ["--set", s]),
  ]);
  const docs =
    r.code === 0
      ? parseAllDocuments(r.stdout)
          .map((d) => d.toJS() as Manifest | null)
          .filter((d): d is Manifest => d !== null)
      : [];
  return { code: r.code, stderr: r.stderr, docs, text: r.stdout };
}

export const ofKind = (docs: Manifest[], kind: string) => docs.filter((d) => d.kind === kind);

export function one(docs: Manifest[], kind: string, nameEnds = ""): Manifest {
  const found = docs.filter((d) => d.kind === kind && d.metadata.name.endsWith(nameEnds));
  if (found.length !== 1) throw new Error(`expected one ${kind} *${nameEnds}, found ${found.length}`);
  return found[0] as Manifest;
}

export interface PodCommand {
  role: string;
  args: string[];
  env: Record<string, string>;
}

/**
 * The container's args and env with every mount path mapped to a local path (`mounts`: mountPath →
 * local path, longest first) and secretKeyRef values resolved by `secret(name, key)`.
 */
export function podCommand(
  deployment: Manifest,
  mounts: Record<string, string>,
  secret: (name: string, key: string) => string,
): PodCommand {
  const c = deployment.spec.template.spec.containers[0];
  const paths = Object.entries(mounts).sort((a, b) => b[0].length - a[0].length);
  const local = (s: string) => {
    for (const [from, to] of paths) if (s.includes(from)) return s.replace(from, to);
    return s;
  };
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    env[e.name] = ref ? secret(ref.name, ref.key) : local(String(e.value));
  }
  const [role, ...args] = (c.args as string[]).map(local);
  return { role: role as string, args, env };
}

/** Writes `files` into `dir` the way the kubelet mounts a Secret: a timestamped directory, a `..data`
 * link to it, and one link per key. */
export function secretVolume(dir: string, files: Record<string, string>): string {
  const stamp = "..2026_01_01_00_00_00.000000001";
  mkdirSync(join(dir, stamp), { recursive: true });
  for (const [k, v] of Object.entries(files)) writeFileSync(join(dir, stamp, k), v);
  symlinkSync(stamp, join(dir, "..data"));
  for (const k of Object.keys(files)) symlinkSync(join("..data", k), join(dir, k));
  return dir;
}

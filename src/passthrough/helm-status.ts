// `helm status` and `helm get notes` print a chart's NOTES, which may print a value (a generated
// password) in prose no pattern can spot. So kube-mcp asks helm for the release as JSON, redacts it
// structurally (values by name, manifests by shape; the notes masked with every value found in the
// release), and renders helm's text from that.
import { lastFlag, type Parsed } from "./grammar.js";

/** The argv that fetches the same release as JSON, when the command is one this module renders. */
export function statusAsJson(p: Parsed): string[] | undefined {
  const notes = p.path[0] === "get" && p.path[1] === "notes";
  const status = p.path[0] === "status";
  if (!notes && !status) return undefined;
  const out = lastFlag(p, "output");
  if (status && out !== undefined && out !== "table") return undefined;
  if (p.flags.some((f) => f.name === "show-resources" && f.value !== "false")) return undefined;
  const release = p.positionals[0];
  if (!release) return undefined;
  const revision = lastFlag(p, "revision");
  return ["status", release, ...(revision ? [`--revision=${revision}`] : []), "--output=json"];
}

// biome-ignore lint/suspicious/noExplicitAny: helm's release JSON.
type Release = Record<string, any>;

/** helm's text for the command, from the redacted release. */
export function renderStatus(p: Parsed, rel: Release): string {
  const info = rel.info ?? {};
  const notes = typeof info.notes === "string" && info.notes.trim() ? `NOTES:\n${info.notes.trimEnd()}` : "";
  if (p.path[0] === "get") return notes;
  const desc = p.flags.some((f) => f.name === "show-desc" && f.value !== "false");
  return [
    `NAME: ${rel.name ?? ""}`,
    `LAST DEPLOYED: ${info.last_deployed ?? ""}`,
    `NAMESPACE: ${rel.namespace ?? ""}`,
    `STATUS: ${info.status ?? ""}`,
    `REVISION: ${rel.version ?? ""}`,
    ...(desc && info.description ? [`DESCRIPTION: ${info.description}`] : []),
    ...(notes ? [notes] : []),
  ].join("\n");
}

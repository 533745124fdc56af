// Helm releases, in the two shapes they reach the model: the record a storage driver keeps in the
// cluster (`data.release` of a Secret or ConfigMap: gzip+base64 of the release JSON, every value and
// manifest inside) and the release JSON helm itself prints (`helm status -o json|yaml`).
//
// A stored record is replaced by a short summary (name, namespace, revision, status, chart) rather
// than re-encoded: nothing reads the encoded form through kube-mcp (the helm passthrough reads the
// cluster directly), and a summary cannot leak what a redactor missed. The record is still decoded and
// redacted, so that the collector learns its secret values and masks them wherever else they appear.
import { gunzipSync } from "node:zlib";
import { parseAllDocuments, stringify } from "yaml";
import { isObj, MASKED, maskByName, type Obj, type Walk } from "./redact-mask.js";
import { redactText } from "./redact-text.js";

/** A decompressed release larger than this is not decoded (a gzip bomb costs nothing to store). */
const MAX_RELEASE_BYTES = 16 * 1024 * 1024;
const GZIP = "H4sI"; // base64 of gzip's magic bytes 1f 8b 08
const WITHHELD =
  "Helm release record: its values, manifests and notes are not shown. Use the helm tool (status, history, get values, get manifest) for a redacted view.";

/** Redacts one Kubernetes object found inside a release, within the given walk. */
const UNPARSED = "<withheld: the manifest could not be parsed for redaction>";

type RedactDoc = (doc: unknown, w: Walk) => unknown;

/**
 * When `node` holds a Helm storage record, removes `data.release` and returns the summary to put back
 * once the Secret or ConfigMap around it has been redacted. Found by shape: Helm's labels, the Secret
 * type, or a value that decodes to gzip (a record copied into an unlabelled object still counts).
 */
export function takeStoredRelease(node: Obj, w: Walk, redactDoc: RedactDoc): Obj | undefined {
  const data = node.data;
  if (!isObj(data) || typeof data.release !== "string") return undefined;
  const raw = data.release;
  const labels = isObj(node.metadata) && isObj(node.metadata.labels) ? node.metadata.labels : {};
  const byLabel = String(labels.owner).toLowerCase() === "helm" || node.type === "helm.sh/release.v1";
  const gzipped = raw.startsWith(GZIP) || raw.startsWith(b64(GZIP));
  if (!byLabel && !gzipped) return undefined;
  delete data.release;
  if (!MASKED.test(raw)) w.opts.collect?.(raw);
  const rel = decodeRelease(raw);
  if (rel) redactRelease(rel, w, redactDoc);
  const str = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v) : undefined);
  const info = rel && isObj(rel.info) ? rel.info : {};
  const meta = rel && isObj(rel.chart) && isObj(rel.chart.metadata) ? rel.chart.metadata : {};
  const summary: Obj = {
    withheld: rel ? WITHHELD : `${WITHHELD} (this record could not be decoded)`,
    name: str(rel?.name) ?? str(labels.name),
    namespace: str(rel?.namespace),
    revision: str(rel?.version) ?? str(labels.version),
    status: str(info.status) ?? str(labels.status),
    chart: meta.name === undefined ? undefined : `${str(meta.name)}-${str(meta.version)}`,
    appVersion: str(meta.appVersion),
  };
  return Object.fromEntries(Object.entries(summary).filter(([, v]) => v !== undefined));
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

/** Peels up to two base64 layers (the Secret driver's value is base64 of base64(gzip(JSON))). */
function decodeRelease(value: string): Obj | undefined {
  let text = value;
  for (let layer = 0; layer < 2; layer++) {
    const bytes = Buffer.from(text, "base64");
    try {
      if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
        const json = gunzipSync(bytes, { maxOutputLength: MAX_RELEASE_BYTES }).toString("utf8");
        const rel = JSON.parse(json) as unknown;
        return isObj(rel) ? rel : undefined;
      }
      if (bytes[0] === 0x7b) {
        const rel = JSON.parse(bytes.toString("utf8")) as unknown;
        return isObj(rel) ? rel : undefined;
      }
    } catch {
      return undefined;
    }
    text = bytes.toString("latin1");
  }
  return undefined;
}

/** The release JSON of `helm status -o json|yaml` (and of a decoded storage record). */
export function isRelease(o: Obj): boolean {
  return (
    typeof o.name === "string" &&
    isObj(o.info) &&
    o.kind === undefined &&
    ("config" in o || "manifest" in o || "hooks" in o || isObj(o.chart))
  );
}

/**
 * Redacts a release in place: user values (`config`) and chart defaults (`chart.values`) by key name,
 * chart files dropped, the rendered manifest and every hook's manifest redacted document by document,
 * and the notes masked with every value found on the way (charts print generated passwords there).
 */
export function redactRelease(rel: Obj, w: Walk, redactDoc: RedactDoc): void {
  const seen = new Set<string>();
  const outer = w.opts.collect;
  const walk: Walk = {
    ...w,
    opts: {
      ...w.opts,
      collect: (v) => {
        seen.add(v);
        outer?.(v);
      },
    },
  };
  if ("config" in rel) rel.config = maskByName(rel.config, walk);
  if (isObj(rel.chart)) {
    const chart = rel.chart;
    if ("values" in chart) chart.values = maskByName(chart.values, walk);
    for (const key of ["templates", "files"]) {
      if (Array.isArray(chart[key]))
        chart[key] = chart[key].map((f) => (isObj(f) ? { name: f.name, data: "<withheld>" } : "<withheld>"));
    }
    if ("schema" in chart) chart.schema = "<withheld>";
  }
  const doc = (d: unknown) => redactDoc(d, walk);
  if (typeof rel.manifest === "string") rel.manifest = redactManifest(rel.manifest, doc);
  if (Array.isArray(rel.hooks)) {
    for (const hook of rel.hooks)
      if (isObj(hook) && typeof hook.manifest === "string")
        hook.manifest = redactManifest(hook.manifest, doc);
  }
  w.nodes = walk.nodes;
  if (isObj(rel.info)) {
    const info = rel.info;
    if (typeof info.notes === "string") info.notes = redactText(maskSeen(info.notes, seen));
    if (typeof info.description === "string") info.description = redactText(maskSeen(info.description, seen));
  }
}

/** Each value masked elsewhere in the release, masked again where the notes repeat it. */
function maskSeen(text: string, seen: Set<string>): string {
  let out = text;
  for (const v of [...seen].sort((a, b) => b.length - a.length)) {
    if (v.length >= 4) out = out.split(v).join("<redacted>");
  }
  return out;
}

/**
 * A rendered multi-document manifest, each document redacted as an object. Text that does not parse
 * is withheld: a Secret in it would reach the model in clear.
 */
export function redactManifest(text: string, redactDoc: (doc: unknown) => unknown): string {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length)) return UNPARSED;
  try {
    return docs
      .map((d) => d.toJS({ maxAliasCount: 100 }) as unknown)
      .filter((o) => o !== null && o !== undefined)
      .map((o) => `---\n${stringify(redactDoc(o), { lineWidth: 0 })}`)
      .join("");
  } catch {
    return UNPARSED;
  }
}

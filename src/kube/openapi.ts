// Field documentation from the cluster's OpenAPI v3 documents (one per group-version, fetched on first
// use and cached), rendered like `kubectl explain`.
import { ToolError } from "../errors.js";
import type { KubeApi } from "./api.js";
import type { ApiResource } from "./discovery.js";
import { apiVersionOf } from "./resolve.js";

interface Schema {
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  required?: string[];
  $ref?: string;
  allOf?: Schema[];
  "x-kubernetes-group-version-kind"?: { group: string; version: string; kind: string }[];
}
type Doc = { components?: { schemas?: Record<string, Schema> } };

const cache = new WeakMap<KubeApi, Map<string, Promise<Doc>>>();

async function docFor(api: KubeApi, r: ApiResource, signal: AbortSignal): Promise<Doc> {
  const key = r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`;
  let perApi = cache.get(api);
  if (!perApi) {
    perApi = new Map();
    cache.set(api, perApi);
  }
  let doc = perApi.get(key);
  if (!doc) {
    doc = (async () => {
      const index = await api.json<{ paths: Record<string, { serverRelativeURL: string }> }>({
        path: "/openapi/v3",
        signal,
      });
      const url = index.paths[key]?.serverRelativeURL;
      if (!url) throw new ToolError(`Cluster ${api.cluster} publishes no OpenAPI schema for ${key}.`);
      const [path, query] = url.split("?") as [string, string | undefined];
      return api.json<Doc>({
        path,
        query: Object.fromEntries(new URLSearchParams(query ?? "")),
        signal,
        timeoutMs: 60_000,
      });
    })();
    perApi.set(key, doc);
    doc.catch(() => perApi?.delete(key));
  }
  return doc;
}

function deref(s: Schema | undefined, schemas: Record<string, Schema>): Schema | undefined {
  for (let i = 0; s && i < 10; i++) {
    const ref = s.$ref ?? (s.allOf?.length === 1 ? s.allOf[0]?.$ref : undefined);
    if (!ref) return s;
    const target = schemas[ref.replace("#/components/schemas/", "")];
    s = target ? { ...target, description: s.description ?? target.description } : undefined;
  }
  return s;
}

function typeName(s: Schema | undefined, schemas: Record<string, Schema>): string {
  const d = deref(s, schemas);
  if (!d) return "Object";
  if (d.type === "array") return `[]${typeName(d.items, schemas)}`;
  if (d.type === "object" && d.additionalProperties && typeof d.additionalProperties === "object")
    return `map[string]${typeName(d.additionalProperties, schemas)}`;
  const ref = s?.$ref ?? s?.allOf?.[0]?.$ref;
  return d.type ?? (ref ? (ref.split(".").pop() ?? "Object") : "Object");
}

const firstSentence = (t = "") => {
  const line = t.split("\n")[0] ?? "";
  const dot = line.indexOf(". ");
  return dot > 0 ? line.slice(0, dot + 1) : line;
};

export async function explainField(
  api: KubeApi,
  r: ApiResource,
  field: string,
  signal: AbortSignal,
): Promise<string> {
  const schemas = (await docFor(api, r, signal)).components?.schemas ?? {};
  const root = Object.values(schemas).find((s) =>
    s["x-kubernetes-group-version-kind"]?.some(
      (g) => g.group === r.group && g.version === r.version && g.kind === r.kind,
    ),
  );
  if (!root)
    throw new ToolError(
      `No schema for ${r.kind} (${apiVersionOf(r)}) on cluster ${api.cluster}.`,
      "Custom resources without a structural schema cannot be explained.",
    );
  let cur: Schema | undefined = root;
  const walked: string[] = [];
  for (const seg of field.split(".").filter(Boolean)) {
    let d = deref(cur, schemas);
    while (d && d.type === "array") d = deref(d.items, schemas);
    const next: Schema | undefined = d?.properties?.[seg];
    if (!next) {
      const options = Object.keys(d?.properties ?? {});
      throw new ToolError(
        `${r.kind} has no field "${[...walked, seg].join(".")}".`,
        options.length
          ? `Fields of ${walked.join(".") || r.kind}: ${options.join(", ")}.`
          : `${walked.join(".") || r.kind} has no sub-fields.`,
      );
    }
    walked.push(seg);
    cur = next;
  }
  let here = deref(cur, schemas);
  const type = typeName(cur, schemas);
  while (here?.type === "array") here = deref(here.items, schemas);
  const lines = [`KIND:    ${r.kind}`, `VERSION: ${apiVersionOf(r)}`];
  if (walked.length) lines.push(`FIELD:   ${walked.join(".")} <${type}>`);
  lines.push(
    "",
    "DESCRIPTION:",
    ...(cur?.description ?? here?.description ?? "<empty>").split("\n").map((l) => `  ${l}`),
  );
  const props = Object.entries(here?.properties ?? {});
  if (props.length) {
    lines.push("", "FIELDS:");
    for (const [name, s] of props) {
      const req = here?.required?.includes(name) ? " -required-" : "";
      lines.push(
        `  ${name}\t<${typeName(s, schemas)}>${req}`,
        `    ${firstSentence(deref(s, schemas)?.description ?? s.description)}`,
      );
    }
  }
  return lines.join("\n");
}

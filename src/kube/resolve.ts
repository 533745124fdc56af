// Turns what a model types for a kind ("pods", "Pod", "po", "deploy", "deployments.apps",
// "Widget.v1.demo.kube-mcp.io") into one discovered resource, or says what it might have meant.
import type { ApiResource } from "./discovery.js";
import { checkName, checkNamespace } from "./names.js";

export type Resolution =
  | { ok: true; resource: ApiResource }
  | { ok: false; suggestions: string[]; ambiguous?: ApiResource[] };

const label = (r: ApiResource) => (r.group ? `${r.resource}.${r.group}` : r.resource);

function names(r: ApiResource): string[] {
  return [r.resource, r.singular, r.kind.toLowerCase(), ...r.shortNames.map((s) => s.toLowerCase())];
}

/** Levenshtein distance, bounded for short identifiers. */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j] as number;
      prev[j] = Math.min(
        (prev[j] as number) + 1,
        (prev[j - 1] as number) + 1,
        diag + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diag = tmp;
    }
  }
  return prev[b.length] as number;
}

function pick(matches: ApiResource[]): ApiResource[] {
  // One group can serve a resource in several versions: keep its preferred one.
  const byGroup = new Map<string, ApiResource>();
  for (const m of matches) {
    const cur = byGroup.get(`${m.group}/${m.resource}`);
    if (!cur || (m.preferred && !cur.preferred)) byGroup.set(`${m.group}/${m.resource}`, m);
  }
  const unique = [...byGroup.values()];
  // The core group and the built-in groups win over CRDs that reuse a name (e.g. "events").
  const core = unique.filter((m) => m.group === "");
  if (core.length === 1) return core;
  const builtin = unique.filter((m) => !m.group.includes(".") || m.group.endsWith(".k8s.io"));
  return builtin.length === 1 ? builtin : unique;
}

export function resolveKind(input: string, all: ApiResource[], apiVersion?: string): Resolution {
  const raw = input.trim();
  const lower = raw.toLowerCase();
  let candidates = all.filter((r) => !r.resource.includes("/"));
  let name = lower;
  if (apiVersion) {
    const [g, v] = apiVersion.includes("/") ? (apiVersion.split("/") as [string, string]) : ["", apiVersion];
    candidates = candidates.filter((r) => r.group === g && r.version === v);
  } else if (lower.includes(".")) {
    // "resource.group" or "kind.version.group"
    const [first, ...rest] = lower.split(".");
    const tail = rest.join(".");
    const withVersion = candidates.filter((r) => `${r.version}.${r.group}` === tail);
    const withGroup = candidates.filter((r) => r.group === tail);
    if (withVersion.length || withGroup.length) {
      candidates = withVersion.length ? withVersion : withGroup;
      name = first as string;
    }
  }
  const matches = candidates.filter((r) => names(r).includes(name));
  if (matches.length) {
    const chosen = pick(matches);
    if (chosen.length === 1) return { ok: true, resource: chosen[0] as ApiResource };
    return { ok: false, suggestions: chosen.map(label), ambiguous: chosen };
  }
  const scored = all
    .filter((r) => !r.resource.includes("/"))
    .map((r) => ({ r, d: Math.min(...names(r).map((n) => distance(name, n))) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(name.length / 3)))
    .sort((a, b) => a.d - b.d);
  const suggestions = [...new Set(scored.map((x) => label(x.r)))].slice(0, 5);
  return { ok: false, suggestions };
}

type PathResource = Pick<ApiResource, "group" | "version" | "resource" | "namespaced"> & { kind?: string };

/**
 * The REST path of a resource collection or of one object: the one place a path is built from a
 * namespace and a name, so each is checked against Kubernetes' rules here (src/kube/names.ts) and a
 * name like ".." can never walk to another resource.
 */
export function resourcePath(
  r: PathResource,
  namespace?: string,
  name?: string,
  subresource?: string,
): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const ns = r.namespaced && namespace !== undefined ? `/namespaces/${checkNamespace(namespace)}` : "";
  const obj = name !== undefined ? `/${encodeURIComponent(checkName(name, r))}` : "";
  if (subresource !== undefined && !/^[a-z]+$/.test(subresource))
    throw new Error(`resourcePath: bad subresource ${JSON.stringify(subresource)}`);
  const sub = name && subresource ? `/${subresource}` : "";
  return `${base}${ns}/${r.resource}${obj}${sub}`;
}

/** A core (v1) resource for resourcePath: corePath("pods", ns, name, "log"). */
export const corePath = (resource: string, namespace?: string, name?: string, subresource?: string) =>
  resourcePath(
    { group: "", version: "v1", resource, namespaced: namespace !== undefined },
    namespace,
    name,
    subresource,
  );

export const apiVersionOf = (r: ApiResource) => (r.group ? `${r.group}/${r.version}` : r.version);
export { label as resourceLabel };

// Server-side apply of a manifest, plan → guard → apply: every document is dry-run on the server (the
// plan), the guard judges all of them together, and only then is any applied — so bad input or one
// refused document changes nothing. A dry run returns the plan (diff of live → result).
import { parseAllDocuments, stringify } from "yaml";
import { ToolError } from "../errors.js";
import { lineDiff } from "../format/diff.js";
import { redactObject } from "../policy/redact.js";
import type { KubeApi } from "./api.js";
import { KubeApiError } from "./api-error.js";
import type { ApiResource } from "./discovery.js";
import { lookupKind } from "./lookup.js";
import { enforce, readLive, type WriteCtx } from "./plan.js";
import { resourceLabel, resourcePath } from "./resolve.js";

// biome-ignore lint/suspicious/noExplicitAny: manifests are open-ended JSON.
type Obj = Record<string, any>;

export function parseManifest(text: string): Obj[] {
  const docs = parseAllDocuments(text);
  const bad = docs.find((d) => d.errors.length);
  if (bad)
    throw new ToolError(`The manifest is not valid YAML or JSON: ${bad.errors[0]?.message.split("\n")[0]}`);
  const objs = docs.map((d) => d.toJS() as unknown).filter((o) => o !== null && o !== undefined);
  const flat = objs.flatMap((o) =>
    o && typeof o === "object" && Array.isArray((o as Obj).items) && /List$/.test((o as Obj).kind ?? "")
      ? (o as Obj).items
      : [o],
  );
  if (!flat.length) throw new ToolError("The manifest holds no objects.");
  flat.forEach((o, i) => {
    if (!o || typeof o !== "object" || Array.isArray(o))
      throw new ToolError(`Document ${i + 1} is not an object.`);
    for (const f of ["apiVersion", "kind"])
      if (typeof o[f] !== "string") throw new ToolError(`Document ${i + 1} has no ${f}.`);
    if (typeof o.metadata?.name !== "string")
      throw new ToolError(`Document ${i + 1} (${o.kind}) has no metadata.name.`);
  });
  return flat as Obj[];
}

/** What a plan compares: the object without server bookkeeping, secrets redacted (and told to `collect`). */
export function planView(o: Obj | undefined, collect?: (value: string) => void): string {
  if (!o) return "";
  const c = redactObject(o, collect ? { collect } : {}) as Obj;
  const { metadata = {}, status: _status, ...rest } = c;
  const {
    resourceVersion: _rv,
    uid: _uid,
    generation: _g,
    creationTimestamp: _ct,
    managedFields: _mf,
    ...meta
  } = metadata as Obj;
  return stringify({ ...rest, metadata: meta }, { lineWidth: 0 }).trimEnd();
}

export interface ApplyTarget {
  obj: Obj;
  r: ApiResource;
  path: string;
  label: string;
}

export async function resolveTargets(
  api: KubeApi,
  objs: Obj[],
  defaultNs: string,
  signal: AbortSignal,
): Promise<ApplyTarget[]> {
  return Promise.all(
    objs.map(async (obj) => {
      const r = await lookupKind(api, obj.kind, signal, "patch", obj.apiVersion);
      const ns = r.namespaced ? (obj.metadata.namespace ?? defaultNs) : undefined;
      if (ns && !obj.metadata.namespace) obj.metadata.namespace = ns;
      return {
        obj,
        r,
        path: resourcePath(r, ns, obj.metadata.name),
        label: `${resourceLabel(r)}/${obj.metadata.name}${ns ? ` in ${ns}` : ""}`,
      };
    }),
  );
}

/**
 * A server-side apply conflict, explained: each contested field with the manager that owns it, and the
 * two exact ways on (take them all with force, or leave some to their owner by dropping them).
 */
function conflict(t: ApplyTarget, err: KubeApiError): ToolError {
  const owned = (err.details?.causes ?? []).map((c) => {
    const manager = /conflict with "([^"]+)"/.exec(c.message ?? "")?.[1];
    const field = c.field ?? c.message ?? "";
    return { field, manager };
  });
  const fields = owned.map((o) => (o.manager ? `${o.field} (owned by ${o.manager})` : o.field)).join(", ");
  const managers = [...new Set(owned.map((o) => o.manager).filter(Boolean))].join(", ");
  return new ToolError(
    `Apply conflict on ${t.label}: other field managers own ${fields || "some of these fields"}. Nothing was changed.`,
    [
      "Change only fields kube-mcp owns, or pass force: true to take these fields over",
      managers ? ` (${managers} may set them back when it next writes)` : "",
      ". To take some and leave the rest to their owner, remove the ones to leave from the manifest and apply with force: true.",
    ].join(""),
  );
}

export async function applyOne(
  api: KubeApi,
  t: ApplyTarget,
  o: { dryRun: boolean; force: boolean; signal: AbortSignal },
): Promise<Obj> {
  try {
    return await api.patch<Obj>(t.path, t.obj, { type: "apply", ...o });
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 409) throw conflict(t, err);
    // Only the API server's own refusal proves nothing changed; a timeout or a dropped connection does not.
    if (err instanceof KubeApiError && err.answered)
      throw new ToolError(`${t.label} was rejected: ${err.message}. Nothing was changed.`);
    throw err;
  }
}

export async function applyManifest(
  api: KubeApi,
  text: string,
  o: { namespace: string; dryRun: boolean; force: boolean; write: WriteCtx },
): Promise<string> {
  const w = o.write;
  const signal = w.signal;
  const all = await resolveTargets(api, parseManifest(text), o.namespace, signal);
  // Namespaces first, as kubectl does, so the objects that live in them can be created next.
  const targets = [
    ...all.filter((t) => t.r.kind === "Namespace" && t.r.group === ""),
    ...all.filter((t) => !(t.r.kind === "Namespace" && t.r.group === "")),
  ];
  const live = await Promise.all(targets.map((t) => readLive(api, t.path, w)));
  const newNamespaces = new Set(
    targets.filter((t, i) => t.r.kind === "Namespace" && !live[i]).map((t) => t.obj.metadata.name as string),
  );
  // A cluster-scoped object's metadata.namespace means nothing: it is planned like any other.
  const inNewNamespace = (t: ApplyTarget) => t.r.namespaced && newNamespaces.has(t.obj.metadata?.namespace);
  // Validate everything server-side first, so one bad document changes nothing. Objects in a namespace
  // this manifest creates cannot be checked before it exists.
  const planned: (Obj | undefined)[] = [];
  for (const t of targets)
    planned.push(
      inNewNamespace(t) ? undefined : await applyOne(api, t, { force: o.force, signal, dryRun: true }),
    );
  // The guard judges the whole manifest before anything is applied; a document that could not be
  // planned (its namespace is new) is judged as written.
  enforce(
    targets.map((t, i) => ({
      before: live[i],
      after: planned[i] ?? t.obj,
      group: t.r.group,
      kind: t.r.kind,
    })),
    w,
  );
  const lines: string[] = [];
  for (const [i, t] of targets.entries()) {
    const before = live[i];
    if (o.dryRun) {
      const after = planned[i];
      if (!after) {
        lines.push(
          `${t.label}: would be created with its new namespace (dry run; checked by the server only when applied)`,
        );
        continue;
      }
      const diff = lineDiff(planView(before, w.secrets.add), planView(after, w.secrets.add));
      lines.push(
        `${t.label}: ${before ? (diff ? "would change" : "no change") : "would be created"} (dry run)`,
        ...(diff ? [diff] : []),
      );
      continue;
    }
    // Applied as planned: an apply configuration is literal (it copies nothing from the live object),
    // so the server merges the same fields the guard judged.
    const after = await applyOne(api, t, { force: o.force, signal, dryRun: false });
    const same = before?.metadata?.resourceVersion === after?.metadata?.resourceVersion;
    lines.push(`${t.label}: ${!before ? "created" : same ? "unchanged" : "configured"}`);
  }
  return lines.join("\n");
}

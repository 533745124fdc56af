// Patching and scaling one object, each plan → guard → apply (./plan.ts), answered with what changed:
// a dry run shows the plan as a diff.
import { ToolError } from "../errors.js";
import { lineDiff } from "../format/diff.js";
import type { KubeApi } from "./api.js";
import { KubeApiError } from "./api-error.js";
import { planView } from "./apply.js";
import { describeError } from "./errors.js";
import { lookupKind } from "./lookup.js";
import { plannedPatch, type WriteCtx } from "./plan.js";
import { resourceLabel, resourcePath } from "./resolve.js";

export interface PatchRequest {
  kind: string;
  name: string;
  /** Ignored for cluster-scoped kinds. */
  namespace: string;
  /** JSON text: an object, or a list of JSON patch operations. */
  patch: string;
  /** Default strategic, merge for custom kinds (which have no strategic merge). */
  type?: "merge" | "strategic" | "json" | undefined;
  dryRun: boolean;
}

export async function patchObject(api: KubeApi, p: PatchRequest, w: WriteCtx): Promise<string> {
  try {
    JSON.parse(p.patch);
  } catch (err) {
    throw new ToolError(`The patch is not valid JSON: ${(err as Error).message}. Nothing was changed.`);
  }
  const r = await lookupKind(api, p.kind, w.signal, "patch");
  const ns = r.namespaced ? p.namespace : undefined;
  const type = p.type ?? (r.group.includes(".") && !r.group.endsWith(".k8s.io") ? "merge" : "strategic");
  const label = `${resourceLabel(r)}/${p.name}`;
  try {
    const path = resourcePath(r, ns, p.name);
    const { before, after } = await plannedPatch(api, r, path, p.patch, { type, dryRun: p.dryRun }, w);
    if (!p.dryRun) return `${label} patched (${type} patch).`;
    const diff = lineDiff(planView(before, w.secrets.add), planView(after, w.secrets.add));
    return `${label}: ${diff ? "would change" : "no change"} (dry run)${diff ? `\n${diff}` : ""}`;
  } catch (err) {
    if (err instanceof KubeApiError && (err.status === 422 || err.status === 400 || err.status === 415))
      throw new ToolError(
        `The ${type} patch does not apply to ${label}: ${err.message}. Nothing was changed.`,
      );
    const where = ns ? { namespace: ns } : {};
    throw describeError(err, {
      cluster: api.cluster,
      verb: "patch",
      resource: r.kind,
      name: p.name,
      ...where,
    });
  }
}

export interface ScaleRequest {
  kind: string;
  name: string;
  /** Ignored for cluster-scoped kinds. */
  namespace: string;
  replicas: number;
  dryRun: boolean;
}

export async function scaleObject(api: KubeApi, s: ScaleRequest, w: WriteCtx): Promise<string> {
  const r = await lookupKind(api, s.kind, w.signal);
  if (!r.subresources.includes("scale"))
    throw new ToolError(`${resourceLabel(r)} cannot be scaled (it has no scale subresource).`);
  const ns = r.namespaced ? s.namespace : undefined;
  const path = resourcePath(r, ns, s.name, "scale");
  try {
    const body = { spec: { replicas: s.replicas } };
    const opts = { type: "merge", dryRun: s.dryRun, subresource: "scale" } as const;
    const { before } = await plannedPatch(api, r, path, body, opts, w);
    return `${resourceLabel(r)}/${s.name} ${s.dryRun ? "would be scaled" : "scaled"} from ${before.spec?.replicas ?? 0} to ${s.replicas}${s.dryRun ? " (dry run)" : ""}.`;
  } catch (err) {
    const where = ns ? { namespace: ns } : {};
    throw describeError(err, {
      cluster: api.cluster,
      verb: "update",
      resource: `${r.kind}/scale`,
      name: s.name,
      ...where,
    });
  }
}

// Deleting by name or by label selector. A selector that matches more than a few objects must be
// confirmed with their exact count, so a typo cannot empty a namespace.
import { ToolError } from "../errors.js";
import type { KubeApi } from "./api.js";
import type { ApiResource } from "./discovery.js";
import { describeError } from "./errors.js";
import { lookupKind } from "./lookup.js";
import { resourceLabel, resourcePath } from "./resolve.js";
import { listTable } from "./table.js";

/** A selector deleting more objects than this needs `confirm` set to their count. */
export const CONFIRM_ABOVE = 3;

export interface DeleteOptions {
  kind: string;
  name?: string | undefined;
  labelSelector?: string | undefined;
  /** Ignored for cluster-scoped kinds. */
  namespace: string;
  confirm?: number | undefined;
  propagationPolicy?: "Foreground" | "Background" | "Orphan" | undefined;
  gracePeriodSeconds?: number | undefined;
  dryRun: boolean;
  signal: AbortSignal;
}

/** Deletes what `o` names or selects and says what went; a failure says what was deleted before it. */
export async function deleteObjects(api: KubeApi, o: DeleteOptions): Promise<string> {
  if (!o.name === !o.labelSelector) throw new ToolError("Give exactly one of name or labelSelector.");
  const r = await lookupKind(api, o.kind, o.signal, "delete");
  const ns = r.namespaced ? o.namespace : undefined;
  const where = ns ? ` in namespace ${ns}` : "";
  const names = o.name ? [o.name] : await selected(api, r, ns, o);
  if (!names.length) return `No ${resourceLabel(r)} match ${o.labelSelector}${where}; nothing deleted.`;
  if (o.labelSelector && names.length > CONFIRM_ABOVE && o.confirm !== names.length)
    throw new ToolError(
      `This would delete ${names.length} ${resourceLabel(r)}${where}: ${names.slice(0, 20).join(", ")}${names.length > 20 ? ", …" : ""}. Nothing was deleted.`,
      `If that is intended, call again with confirm: ${names.length}.`,
    );
  const done = await deleteEach(api, r, ns, names, o);
  return `${o.dryRun ? "Would delete (dry run)" : "Deleted"} ${resourceLabel(r)}${ns ? ` in ${ns}` : ""}: ${done.join(", ")}.`;
}

async function selected(api: KubeApi, r: ApiResource, ns: string | undefined, o: DeleteOptions) {
  const where = ns ? { namespace: ns } : {};
  return (await listTable(api, r, { ...where, labelSelector: o.labelSelector, limit: 500, signal: o.signal }))
    .names;
}

async function deleteEach(
  api: KubeApi,
  r: ApiResource,
  ns: string | undefined,
  names: string[],
  o: DeleteOptions,
): Promise<string[]> {
  const body = JSON.stringify({
    kind: "DeleteOptions",
    apiVersion: "v1",
    ...(o.propagationPolicy ? { propagationPolicy: o.propagationPolicy } : {}),
    ...(o.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: o.gracePeriodSeconds } : {}),
    ...(o.dryRun ? { dryRun: ["All"] } : {}),
  });
  const headers = { "content-type": "application/json" };
  const done: string[] = [];
  for (const name of names) {
    try {
      await api.json({ method: "DELETE", path: resourcePath(r, ns, name), headers, body, signal: o.signal });
      done.push(name);
    } catch (err) {
      const where = ns ? { namespace: ns } : {};
      const te = describeError(err, {
        cluster: api.cluster,
        verb: "delete",
        resource: r.kind,
        name,
        ...where,
      });
      throw new ToolError(`${done.length ? `Deleted ${done.join(", ")}; then ` : ""}${te.message}`, te.hint);
    }
  }
  return done;
}

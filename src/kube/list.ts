// Listing any kind as the API server's own Table, or counting it per namespace, with sentences for an
// empty answer and for a namespace that does not exist.
import { ToolError } from "../errors.js";
import type { KubeApi } from "./api.js";
import type { ApiResource } from "./discovery.js";
import { describeError } from "./errors.js";
import { lookupKind } from "./lookup.js";
import { missingNamespace } from "./objects.js";
import { resourceLabel } from "./resolve.js";
import { countObjects, type ListedTable, listTable } from "./table.js";

export interface ListQuery {
  kind: string;
  /** None: every namespace. Ignored for cluster-scoped kinds. */
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  limit: number;
  continue?: string | undefined;
  countOnly?: boolean | undefined;
  wide?: boolean | undefined;
  signal: AbortSignal;
}

export type Listed = Partial<ListedTable> & {
  columns: string[];
  rows: string[][];
  notes?: string[];
  untrusted?: string;
  /** The sentence for no rows. */
  empty: string;
};

export async function listResources(api: KubeApi, q: ListQuery): Promise<Listed> {
  const r = await lookupKind(api, q.kind, q.signal, "list");
  const ns = r.namespaced ? q.namespace : undefined;
  try {
    return q.countOnly ? await counted(api, r, ns, q) : await listed(api, r, ns, q);
  } catch (err) {
    const where = ns ? { namespace: ns } : {};
    throw describeError(err, { cluster: api.cluster, verb: "list", resource: resourceLabel(r), ...where });
  }
}

const whereOf = (r: ApiResource, ns: string | undefined) =>
  ns ? ` in namespace ${ns}` : r.namespaced ? " in any namespace" : "";

const selection = (ns: string | undefined, q: ListQuery) => ({
  ...(ns ? { namespace: ns } : {}),
  labelSelector: q.labelSelector,
  fieldSelector: q.fieldSelector,
  signal: q.signal,
});

async function counted(api: KubeApi, r: ApiResource, ns: string | undefined, q: ListQuery): Promise<Listed> {
  const label = resourceLabel(r);
  const where = whereOf(r, ns);
  const c = await countObjects(api, r, selection(ns, q));
  const rows = [...c.byNamespace.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([n, k]) => [n || "<cluster-scoped>", String(k)]);
  return {
    columns: ["namespace", "count"],
    rows: r.namespaced ? rows : [],
    notes: [`${c.total} ${label}${where}${c.capped ? " (stopped counting at 100,000)" : ""}.`],
    empty: `No ${label} found${where}.`,
  };
}

async function listed(api: KubeApi, r: ApiResource, ns: string | undefined, q: ListQuery): Promise<Listed> {
  const label = resourceLabel(r);
  const where = whereOf(r, ns);
  const t = await listTable(api, r, {
    ...selection(ns, q),
    limit: q.limit,
    continue: q.continue,
    wide: q.wide,
  });
  const missing = !t.rows.length && ns ? await missingNamespace(api, ns, q.signal) : undefined;
  if (missing) throw new ToolError(missing);
  const selected = q.labelSelector || q.fieldSelector ? " matching the selectors" : "";
  return { ...t, untrusted: `${label}${where}`, empty: `No ${label} found${where}${selected}.` };
}

// Server-side Table lists (`as=Table`): the API server formats rows exactly as kubectl would, so any kind,
// CRDs included, lists without client-side printers.
import { age, cell } from "../format/table.js";
import { type KubeApi, TABLE_ACCEPT } from "./api.js";
import type { ApiResource } from "./discovery.js";
import { checkFieldSelector, checkLabelSelector } from "./names.js";
import { resourcePath } from "./resolve.js";

interface Table {
  columnDefinitions: { name: string; type: string; format?: string; priority?: number }[];
  rows: { cells: unknown[]; object?: { metadata?: { namespace?: string; name?: string } } }[];
  metadata?: { continue?: string; remainingItemCount?: number };
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit: number;
  continue?: string;
  wide?: boolean;
  signal: AbortSignal;
}

/** The query a list sends: selectors checked against their grammars before anything is requested. */
function selectors(o: { labelSelector?: string; fieldSelector?: string }) {
  return {
    labelSelector: o.labelSelector === undefined ? undefined : checkLabelSelector(o.labelSelector),
    fieldSelector: o.fieldSelector === undefined ? undefined : checkFieldSelector(o.fieldSelector),
  };
}

export interface ListedTable {
  columns: string[];
  rows: string[][];
  total?: number;
  continue?: string;
  names: string[];
}

export async function listTable(api: KubeApi, r: ApiResource, o: ListOptions): Promise<ListedTable> {
  const t = await api.json<Table>({
    path: resourcePath(r, o.namespace),
    headers: { accept: TABLE_ACCEPT },
    query: {
      limit: o.limit,
      continue: o.continue,
      ...selectors(o),
      includeObject: "Metadata",
    },
    signal: o.signal,
  });
  const defs = t.columnDefinitions ?? [];
  const keep = defs.map((d, i) => ({ d, i })).filter(({ d }) => o.wide || !d.priority);
  const withNs = r.namespaced && !o.namespace;
  const columns = [...(withNs ? ["namespace"] : []), ...keep.map(({ d }) => d.name.toLowerCase())];
  const rows = (t.rows ?? []).map((row) => [
    ...(withNs ? [row.object?.metadata?.namespace ?? ""] : []),
    ...keep.map(({ d, i }) =>
      d.type === "date" || d.format === "date-time" ? age(row.cells[i] as string) : cell(row.cells[i]),
    ),
  ]);
  const names = (t.rows ?? []).map((row) => row.object?.metadata?.name ?? String(row.cells[0] ?? ""));
  const remaining = t.metadata?.remainingItemCount;
  return {
    columns,
    rows,
    names,
    ...(remaining !== undefined ? { total: rows.length + remaining } : {}),
    ...(t.metadata?.continue ? { continue: t.metadata.continue } : {}),
  };
}

/** Counts objects by namespace, paging through metadata only (cheap even for 10,000 pods). */
export async function countObjects(
  api: KubeApi,
  r: ApiResource,
  o: Omit<ListOptions, "limit" | "continue" | "wide">,
): Promise<{ total: number; byNamespace: Map<string, number>; capped: boolean }> {
  const byNamespace = new Map<string, number>();
  let total = 0;
  let cont: string | undefined;
  for (let page = 0; page < 200; page++) {
    const list = await api.json<{
      items: { metadata: { namespace?: string } }[];
      metadata?: { continue?: string };
    }>({
      path: resourcePath(r, o.namespace),
      headers: {
        accept: "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1, application/json",
      },
      query: { limit: 500, continue: cont, ...selectors(o) },
      signal: o.signal,
    });
    for (const it of list.items ?? []) {
      total++;
      const ns = it.metadata?.namespace ?? "";
      byNamespace.set(ns, (byNamespace.get(ns) ?? 0) + 1);
    }
    cont = list.metadata?.continue;
    if (!cont) return { total, byNamespace, capped: false };
  }
  return { total, byNamespace, capped: true };
}

// Events, newest first, with repeats collapsed: the same object, reason and message become one row
// with a summed count, which is what a model needs and a fraction of the tokens.
import { age, cell } from "../format/table.js";
import type { KubeApi } from "./api.js";
import { describeError } from "./errors.js";
import { corePath } from "./resolve.js";
import { fieldValue } from "./selectors.js";

interface RawEvent {
  metadata: { namespace?: string; creationTimestamp?: string };
  involvedObject?: { kind?: string; name?: string; namespace?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  series?: { count?: number; lastObservedTime?: string };
}

export interface Ev {
  namespace: string;
  object: string;
  type: string;
  reason: string;
  message: string;
  count: number;
  last: string;
}

export interface EventQuery {
  namespace?: string;
  kind?: string;
  name?: string;
  uid?: string;
  type?: string;
  signal: AbortSignal;
}

const lastSeen = (e: RawEvent) =>
  e.series?.lastObservedTime ??
  e.lastTimestamp ??
  e.eventTime ??
  e.firstTimestamp ??
  e.metadata.creationTimestamp ??
  "";

export async function fetchEvents(
  api: KubeApi,
  q: EventQuery,
): Promise<{ events: Ev[]; scanned: number; capped: boolean }> {
  const fields = [
    q.kind && `involvedObject.kind=${fieldValue(q.kind)}`,
    q.name && `involvedObject.name=${fieldValue(q.name)}`,
    q.uid && `involvedObject.uid=${fieldValue(q.uid)}`,
    q.type && `type=${fieldValue(q.type)}`,
  ].filter(Boolean);
  const path = corePath("events", q.namespace);
  const raw: RawEvent[] = [];
  let cont: string | undefined;
  let capped = false;
  for (let page = 0; ; page++) {
    if (page === 10) {
      capped = true;
      break;
    }
    const list = await api.json<{ items: RawEvent[]; metadata?: { continue?: string } }>({
      path,
      query: { limit: 500, continue: cont, ...(fields.length ? { fieldSelector: fields.join(",") } : {}) },
      signal: q.signal,
    });
    raw.push(...(list.items ?? []));
    cont = list.metadata?.continue;
    if (!cont) break;
  }
  const groups = new Map<string, Ev>();
  for (const e of raw) {
    const obj = `${(e.involvedObject?.kind ?? "").toLowerCase()}/${e.involvedObject?.name ?? ""}`;
    const key = `${e.metadata.namespace}|${obj}|${e.type}|${e.reason}|${e.message}`;
    const count = e.series?.count ?? e.count ?? 1;
    const last = lastSeen(e);
    const g = groups.get(key);
    if (g) {
      g.count += count;
      if (last > g.last) g.last = last;
    } else {
      groups.set(key, {
        namespace: e.metadata.namespace ?? "",
        object: obj,
        type: e.type ?? "",
        reason: e.reason ?? "",
        message: e.message ?? "",
        count,
        last,
      });
    }
  }
  const events = [...groups.values()].sort((a, b) => (a.last < b.last ? 1 : a.last > b.last ? -1 : 0));
  return { events, scanned: raw.length, capped };
}

/**
 * The newest `limit` events as table rows (a namespace column when the query spans all), with how many
 * matched and whether the scan stopped short.
 */
export async function eventTable(api: KubeApi, q: EventQuery, limit: number) {
  try {
    const { events, capped } = await fetchEvents(api, q);
    const allNs = !q.namespace;
    const rows = events
      .slice(0, limit)
      .map((e) => [
        ...(allNs ? [e.namespace] : []),
        age(e.last),
        e.type,
        e.reason,
        e.object,
        String(e.count),
        cell(e.message),
      ]);
    const columns = ["last seen", "type", "reason", "object", "count", "message"];
    return { columns: [...(allNs ? ["namespace"] : []), ...columns], rows, total: events.length, capped };
  } catch (err) {
    const where = q.namespace ? { namespace: q.namespace } : {};
    throw describeError(err, { cluster: api.cluster, verb: "list", resource: "events", ...where });
  }
}

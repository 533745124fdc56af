// Change notices for Cluster API discovery: a watch on a management cluster's `Cluster` objects and on
// its Secrets, so a new, changed or deleted workload cluster (or its kubeconfig Secret) is seen at once
// rather than at the next resync. The watches only say "look again": discovery itself stays one list
// and one read per cluster (capi.ts), so a missed or out-of-order event costs a moment, never a wrong
// registry, and the periodic resync covers whatever a broken watch misses.
//
// Both watches ask for metadata only (PartialObjectMetadata): a Secret's content never travels on a
// watch, only the fact that it changed. Each watch resumes from the last resourceVersion it saw, lists
// again after 410 Gone, and reconnects with exponential backoff (capped) after any failure.
import type { KubeApi } from "../kube/api.js";
import { KubeApiError } from "../kube/api-error.js";
import type { Logger } from "../obs/log.js";

const META = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
const META_LIST = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1, application/json";
/** The longest event line accepted: metadata of one object, with room for large annotations. */
const MAX_LINE = 1024 * 1024;
const MAX_BACKOFF_MS = 60_000;

export interface WatchTarget {
  /** Collection path, e.g. `/api/v1/secrets`; several are tried in order until one exists. */
  paths: readonly string[];
  /** Whether an object (by namespace and name) matters to discovery. */
  relevant: (namespace: string, name: string) => boolean;
  what: string;
}

interface Meta {
  namespace?: string;
  name?: string;
  resourceVersion?: string;
}
interface WatchEvent {
  type?: string;
  object?: { code?: number; message?: string; metadata?: Meta };
}

/** Splits a watch body into JSON events; a line beyond MAX_LINE ends the stream (it reconnects). */
async function* events(body: AsyncIterable<Buffer | string>): AsyncGenerator<WatchEvent> {
  let pending = "";
  for await (const chunk of body) {
    pending += typeof chunk === "string" ? chunk : chunk.toString("utf8");
    let nl = pending.indexOf("\n");
    while (nl >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line) yield JSON.parse(line) as WatchEvent;
      nl = pending.indexOf("\n");
    }
    if (pending.length > MAX_LINE) throw new Error("a watch event exceeds 1 MiB");
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const stop = () => {
      clearTimeout(t);
      signal.removeEventListener("abort", stop);
      resolve();
    };
    const t = setTimeout(stop, ms);
    signal.addEventListener("abort", stop, { once: true });
  });

/**
 * Follows `target` on `api` until `signal` aborts, calling `changed` for every relevant event and after
 * every relist (events may have been missed). Never throws; failures are logged once per run of them.
 */
export async function follow(
  api: KubeApi,
  target: WatchTarget,
  changed: () => void,
  log: Logger,
  signal: AbortSignal,
  o: { watchSeconds?: number; baseBackoffMs?: number } = {},
): Promise<void> {
  let path: string | undefined;
  let rv: string | undefined;
  let listed = false;
  let failures = 0;
  while (!signal.aborted) {
    try {
      if (!rv) {
        [path, rv] = await list(api, target.paths, signal);
        if (listed) changed();
        listed = true;
      }
      const s = await api.stream({
        path: path as string,
        query: {
          watch: 1,
          resourceVersion: rv,
          allowWatchBookmarks: true,
          timeoutSeconds: o.watchSeconds ?? 300,
        },
        headers: { accept: META },
        signal,
        timeoutMs: 30_000,
      });
      if (s.status !== 200) {
        s.abort();
        if (s.status === 410) rv = undefined;
        else throw new KubeApiError(s.status, "", `the watch answered HTTP ${s.status}`);
        continue;
      }
      if (failures) log.info(`Cluster API: watching ${target.what} again`);
      failures = 0;
      try {
        for await (const ev of events(s.body)) {
          if (ev.type === "ERROR") {
            // 410: the resourceVersion is too old; anything else: start over from a fresh list too.
            rv = undefined;
            break;
          }
          const m = ev.object?.metadata ?? {};
          if (m.resourceVersion) rv = m.resourceVersion;
          if (ev.type !== "BOOKMARK" && target.relevant(m.namespace ?? "", m.name ?? "")) changed();
        }
      } finally {
        s.abort();
      }
    } catch (err) {
      if (signal.aborted) return;
      if (!failures++)
        log.warn(`Cluster API: cannot watch ${target.what}; the periodic resync still applies`, {
          reason: (err as Error).message,
        });
      const base = Math.min(MAX_BACKOFF_MS, (o.baseBackoffMs ?? 500) * 2 ** Math.min(failures, 10));
      await sleep(base / 2 + Math.random() * (base / 2), signal);
    }
  }
}

/** Lists one object's worth of metadata for the collection's resourceVersion, trying each path in turn. */
async function list(api: KubeApi, paths: readonly string[], signal: AbortSignal): Promise<[string, string]> {
  let last: unknown;
  for (const path of paths) {
    try {
      const r = await api.json<{ metadata?: { resourceVersion?: string } }>({
        path,
        query: { limit: 1 },
        headers: { accept: META_LIST },
        signal,
        timeoutMs: 30_000,
      });
      return [path, r.metadata?.resourceVersion ?? "0"];
    } catch (err) {
      last = err;
      if (!(err instanceof KubeApiError && err.status === 404)) throw err;
    }
  }
  throw last;
}

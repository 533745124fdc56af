// resources/subscribe for the object resources (src/mcp/resources.ts), where a session lives long
// enough to be told: stdio and legacy SSE sessions. Each subscription is a watch on that one object
// (a name field selector), re-opened when the API server ends it; any change sends
// notifications/resources/updated with the URI only (the client reads the object again, through the
// redacting read). Bounded: a few subscriptions per session, all stopped when the session closes.
import type { McpServer } from "@modelcontextprotocol/server";
import { lookupKind } from "../kube/lookup.js";
import { resourcePath } from "../kube/resolve.js";
import type { Logger } from "../obs/log.js";
import type { Cluster, Clusters } from "../targets/clusters.js";

const MAX = 16;

/** An object resource's parts; the cluster may hold one slash (Cluster API names). */
export function parseObjectUri(uri: string): {
  cluster: string;
  namespace?: string;
  kind: string;
  name: string;
} {
  // k8s://CLUSTER/namespaces/NS/KIND/NAME or k8s://CLUSTER/KIND/NAME, CLUSTER possibly "ns/name".
  const body = uri.startsWith("k8s://") ? uri.slice(6) : "";
  const parts = body.split("/").map(decodeURIComponent);
  const at = parts.indexOf("namespaces");
  if (at > 0 && parts.length === at + 4)
    return {
      cluster: parts.slice(0, at).join("/"),
      namespace: parts[at + 1] as string,
      kind: parts[at + 2] as string,
      name: parts[at + 3] as string,
    };
  if (parts.length < 3 || parts.some((p) => !p)) throw new Error(`not an object resource: ${uri}`);
  return {
    cluster: parts.slice(0, -2).join("/"),
    kind: parts.at(-2) as string,
    name: parts.at(-1) as string,
  };
}

export function enableSubscriptions(server: McpServer, clusters: Clusters, log: Logger): void {
  const low = server.server as unknown as {
    registerCapabilities(c: object): void;
    setRequestHandler(method: string, h: (req: { params?: { uri?: string } }) => Promise<object>): void;
    sendResourceUpdated(p: { uri: string }): Promise<void>;
  };
  low.registerCapabilities({ resources: { subscribe: true, listChanged: false } });
  const watches = new Map<string, AbortController>();
  const stopAll = () => {
    for (const ac of watches.values()) ac.abort();
    watches.clear();
  };
  const previous = server.server.onclose;
  server.server.onclose = () => {
    stopAll();
    previous?.();
  };

  low.setRequestHandler("resources/subscribe", async (req) => {
    const uri = String(req.params?.uri ?? "");
    const o = parseObjectUri(uri);
    if (watches.has(uri)) return {};
    if (watches.size >= MAX)
      throw new Error(`at most ${MAX} subscriptions per session; unsubscribe from one first`);
    const [cluster] = clusters.select(o.cluster);
    if (!cluster) throw new Error(`unknown cluster ${o.cluster}`);
    if (cluster.remote)
      throw new Error(
        `subscriptions are offered for clusters this server reaches itself, not through an agent (${o.cluster})`,
      );
    const ac = new AbortController();
    const r = await lookupKind(cluster.api, o.kind, ac.signal, "watch");
    const ns = r.namespaced ? (o.namespace ?? cluster.namespace) : undefined;
    watches.set(uri, ac);
    const notify = () => void low.sendResourceUpdated({ uri }).catch(() => {});
    void follow(cluster, resourcePath(r, ns), o.name, ac.signal, notify, (err) =>
      log.debug("resource watch ended", { uri, err: err.message }),
    );
    return {};
  });

  low.setRequestHandler("resources/unsubscribe", async (req) => {
    const uri = String(req.params?.uri ?? "");
    watches.get(uri)?.abort();
    watches.delete(uri);
    return {};
  });
}

interface WatchEvent {
  type?: string;
  object?: { metadata?: { resourceVersion?: string } };
}

/** A watch body's events, one JSON object a line. */
async function* events(body: AsyncIterable<unknown>): AsyncGenerator<WatchEvent> {
  let buf = "";
  for await (const chunk of body) {
    buf += String(chunk);
    for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (line) yield JSON.parse(line) as WatchEvent;
    }
  }
}

/**
 * Watches one object (by name) until `signal` aborts, calling `notify` on every change; a watch the API
 * server ends is re-opened a second later, from the last version seen.
 */
async function follow(
  cluster: Cluster,
  path: string,
  name: string,
  signal: AbortSignal,
  notify: () => void,
  ended: (err: Error) => void,
): Promise<void> {
  const selector = `metadata.name=${name}`;
  // Watched from the list's resourceVersion: every event after it is a change to report.
  let from: string | undefined;
  while (!signal.aborted) {
    try {
      if (from === undefined) {
        const list = await cluster.api.json<{ metadata?: { resourceVersion?: string } }>({
          path,
          query: { fieldSelector: selector },
          signal,
        });
        from = list.metadata?.resourceVersion ?? "0";
      }
      const s = await cluster.api.stream({
        path,
        query: { watch: true, fieldSelector: selector, resourceVersion: from, timeoutSeconds: 300 },
        signal,
      });
      for await (const ev of events(s.body)) {
        if (ev.type === "ERROR") {
          // Too old a resourceVersion (410 Gone): relist, and say it may have changed meanwhile.
          from = undefined;
          notify();
          continue;
        }
        if (ev.object?.metadata?.resourceVersion) from = ev.object.metadata.resourceVersion;
        if (ev.type !== "BOOKMARK") notify();
      }
    } catch (err) {
      if (signal.aborted) return;
      ended(err as Error);
    }
    await new Promise((res) => setTimeout(res, 1000));
  }
}

// WebSocket connections to API server subresources (exec, portforward) that speak the channel.k8s.io
// protocols: the same server, CA, client certificate and headers as the REST client, impersonation included.
import type WebSocket from "ws";
import { impersonationHeaders } from "../policy/identity.js";
import { KubeApiError, statusError, transportError } from "./api-error.js";
import type { Connection } from "./connection.js";
import { hiddenError, refusalOf } from "./scoped.js";

export interface Status {
  status?: string;
  message?: string;
  reason?: string;
  details?: { causes?: { reason?: string; message?: string }[] };
}

/** Opens a WebSocket to `path` (below the server's base path) with the cluster's credentials. */
export async function openSubresource(
  cluster: Connection,
  o: {
    path: string;
    query: [string, string][];
    protocols: string[];
    handshakeTimeoutMs: number;
    signal?: AbortSignal;
  },
): Promise<WebSocket> {
  const hidden = cluster.scope?.active ? refusalOf(cluster.scope, { path: o.path }) : undefined;
  if (hidden) throw hiddenError(hidden);
  const auth = await cluster.credentials.get(o.signal);
  const url = new URL(cluster.spec.server.replace(/^http/, "ws"));
  url.pathname = `${url.pathname.replace(/\/+$/, "")}${o.path}`;
  for (const [k, v] of o.query) url.searchParams.append(k, v);
  // Loaded on first use: only exec, port-forward and the agent need it, not start-up.
  const { default: WS } = await import("ws");
  return new WS(url, o.protocols, {
    headers: {
      ...auth.headers,
      ...(cluster.impersonate ? impersonationHeaders(cluster.impersonate) : {}),
    },
    ...(cluster.spec.tls.ca ? { ca: cluster.spec.tls.ca } : {}),
    ...(auth.cert && auth.key ? { cert: auth.cert, key: auth.key } : {}),
    rejectUnauthorized: !cluster.spec.tls.insecure,
    ...(cluster.spec.tls.serverName ? { servername: cluster.spec.tls.serverName } : {}),
    handshakeTimeout: o.handshakeTimeoutMs,
  });
}

/**
 * A WebSocket's failure, classified once as the REST client's are. ws names its handshake timeout only in
 * the message, so that one is read here, at the transport, and nowhere above.
 */
export function socketError(c: Connection, what: string, e: Error): KubeApiError {
  if (e.message === "Opening handshake has timed out")
    return new KubeApiError(0, "Timeout", `${what} on cluster ${c.name} timed out opening its stream`);
  return transportError(e, { name: c.name, server: c.spec.server }, what);
}

/**
 * Resolves when the upgrade succeeds; rejects with the API server's own answer (an HTTP status with a
 * Status body: forbidden, not found…) or the socket's failure, as a KubeApiError for describeError.
 */
export function whenOpen(ws: WebSocket, c: Connection, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("unexpected-response", (_req, res) => {
      const chunks: Buffer[] = [];
      res.on("data", (d: Buffer) => chunks.push(d));
      res.on("end", () => {
        const status = res.statusCode ?? 0;
        reject(
          statusError(status, Buffer.concat(chunks), { request: what, refused: true, actor: c.impersonate }),
        );
        // With this listener, ws leaves the refused request open: a kept-alive socket would hold the
        // process (and its shutdown) until the API server drops it. Closed after the rejection is seen,
        // so the caller gets the server's answer rather than the close.
        setImmediate(() => ws.terminate());
      });
    });
    ws.once("error", (e) => reject(socketError(c, what, e)));
  });
}

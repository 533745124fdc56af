// Streamable HTTP: the MCP endpoint behind a DNS-rebinding guard (Host/Origin) and an optional static
// API key, plus /healthz and /readyz. Refuses a non-loopback bind without authentication unless told.
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { toNodeHandler } from "@modelcontextprotocol/node";
import { createMcpHandler, type McpServer } from "@modelcontextprotocol/server";
import type { Config } from "../config/schema.js";
import type { Logger } from "../obs/log.js";
import { METRICS_CONTENT_TYPE, type Metrics } from "../obs/metrics.js";

export class StartupError extends Error {}

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen) ?? /^()()(\d+)$/.exec(listen);
  const port = Number(m?.[3]);
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new StartupError(`--http expects [host:]port, e.g. 8080 or 0.0.0.0:8080; got "${listen}"`);
  }
  return { host: m[1] || m[2] || "127.0.0.1", port };
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);
export const isLoopback = (host: string) => LOOPBACK.has(host) || host.startsWith("127.");

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Constant-time comparison of the presented key against the configured one. */
export function keyMatches(presented: string | undefined, expected: string): boolean {
  return presented !== undefined && timingSafeEqual(digest(presented), digest(expected));
}

function presentedKey(req: IncomingMessage, url: URL, allowQuery: boolean): string | undefined {
  const x = req.headers["x-api-key"];
  if (typeof x === "string") return x;
  const auth = req.headers.authorization;
  if (auth?.toLowerCase().startsWith("bearer ")) return auth.slice(7).trim();
  return allowQuery ? (url.searchParams.get("api_key") ?? undefined) : undefined;
}

function hostName(hostHeader: string): string {
  const h = hostHeader.startsWith("[")
    ? hostHeader.slice(1, hostHeader.indexOf("]"))
    : hostHeader.replace(/:\d+$/, "");
  return h.toLowerCase();
}

function deny(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32000, message } }));
}

export interface HttpHandle {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startHttp(
  factory: () => McpServer,
  config: Readonly<Config>,
  log: Logger,
  ready: () => boolean,
  metrics?: Metrics,
): Promise<HttpHandle> {
  const { host, port } = parseListen(config.http.listen ?? "");
  const key = config.http.apiKey;
  if (!isLoopback(host) && !key) {
    if (!config.http.allowUnauthenticated) {
      throw new StartupError(
        `refusing to serve on ${host}:${port} without authentication: set MCP_API_KEY, bind to 127.0.0.1, or pass --allow-unauthenticated if something in front of kube-mcp authenticates callers.`,
      );
    }
    log.warn("serving without authentication on a non-loopback address", { host, port });
  }
  const handler = createMcpHandler(factory, {
    onerror: (err) => log.debug("mcp request rejected", { err: err.message }),
  });
  const node = toNodeHandler(handler);
  const allowedHosts = new Set(config.http.allowedHosts.map((h) => h.toLowerCase()));
  const strictHost = isLoopback(host) || allowedHosts.size > 0;
  const allowedOrigins = new Set(config.http.allowedOrigins);
  const path = config.http.path;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/healthz")
      return void res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
    // Counts and durations only (no arguments, no cluster data), so it is served without the API key.
    if (url.pathname === "/metrics" && metrics)
      return void res.writeHead(200, { "content-type": METRICS_CONTENT_TYPE }).end(metrics.render());
    if (url.pathname === "/readyz") {
      const ok = ready();
      return void res
        .writeHead(ok ? 200 : 503, { "content-type": "text/plain" })
        .end(ok ? "ready\n" : "no clusters loaded\n");
    }
    if (url.pathname !== path) return deny(res, 404, `Not found. The MCP endpoint is ${path}.`);
    const h = hostName(req.headers.host ?? "");
    if (strictHost && !(LOOPBACK.has(h) || h === host || allowedHosts.has(h))) {
      log.warn("rejected Host header", { host: req.headers.host });
      return deny(res, 403, `Invalid Host: ${req.headers.host ?? ""}`);
    }
    const origin = req.headers.origin;
    if (origin && !allowedOrigins.has(origin)) {
      let oh = "";
      try {
        oh = new URL(origin).hostname.replace(/^\[|\]$/g, "");
      } catch {
        // unparsable origin: rejected below
      }
      if (!(isLoopback(host) && LOOPBACK.has(oh))) return deny(res, 403, `Invalid Origin: ${origin}`);
    }
    if (key && !keyMatches(presentedKey(req, url, config.hub.allowQueryApiKey), key)) {
      log.info("rejected request without a valid API key", {
        hasAuthorization: req.headers.authorization !== undefined,
      });
      return deny(res, 401, "Missing or invalid API key: send it as X-Api-Key or Authorization: Bearer.", {
        "www-authenticate": "Bearer",
      });
    }
    node(req, res).catch((err: unknown) => {
      log.error("http handler failed", { err });
      if (!res.headersSent) deny(res, 500, "internal error");
    });
  });
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        new StartupError(
          err.code === "EADDRINUSE"
            ? `port ${port} on ${host} is already in use; pick another with --http`
            : err.message,
        ),
      ),
    );
    server.listen(port, host, resolve);
  });
  const addr = server.address();
  const actual = typeof addr === "object" && addr ? addr.port : port;
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    server,
    url: `http://${shown}:${actual}${path}`,
    async close() {
      await handler.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

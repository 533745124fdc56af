// Streamable HTTP: the MCP endpoint behind a DNS-rebinding guard (Host/Origin), an optional shared API
// key, named API keys and OAuth 2.1 bearer tokens, plus /healthz, /readyz and /metrics. Each request is
// served as its caller (who authenticated, and how). Refuses a non-loopback bind without authentication
// unless told. A request passes the guards (http-guards.ts), is authenticated and checked for step-up
// (http-auth.ts), then served: by the SDK's handler, or by the legacy SSE transport.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { toNodeHandler } from "@modelcontextprotocol/node";
import { type AuthInfo, createMcpHandler, type McpServer } from "@modelcontextprotocol/server";
import type { Config, Mode } from "../config/schema.js";
import { parseListen, StartupError } from "../obs/listen.js";
import type { Logger } from "../obs/log.js";
import type { Metrics } from "../obs/metrics.js";
import { ANONYMOUS_CALLER, type Caller } from "../policy/identity.js";
import type { Safety } from "../policy/modes.js";
import { authenticate, type Credentials, callerOf, stepUp } from "./http-auth.js";
import {
  deny,
  type Exchange,
  endpoint,
  exchange,
  type Guard,
  hostCheck,
  isLegacy,
  isLoopback,
  MESSAGES_PATH,
  NOT_JSON,
  oauthMetadata,
  originCheck,
  probes,
  readJson,
  SSE_PATH,
  starting,
  TOO_LARGE,
} from "./http-guards.js";
import { type ApiKeys, impersonatingClusters, KeyError, loadApiKeys } from "./keys.js";
import { createOAuth, type OAuth } from "./oauth.js";
import { callerKey } from "./scoped.js";
import { SseSessions } from "./sse.js";

export interface HttpHandle {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export interface HttpOptions {
  /** A server for one request; `cap` is set when the caller's token allows less than the server's mode. */
  factory: (cap?: Mode, caller?: Caller, session?: { longLived?: boolean }) => McpServer;
  /** Aborts a caller's running call by request id (a 2025-era client's cancel reaching a new server). */
  cancel?: (caller: Caller, id: string | number) => boolean;
  /** Subscribes to changes of callers' tool lists; clients with a listen stream are told to re-list. */
  onListChanged?: (notify: () => void) => void;
  config: Readonly<Config>;
  log: Logger;
  ready: () => boolean;
  metrics?: Metrics;
  /** Each advertised tool's safety class, to ask a token for a broader scope before calling one (step-up). */
  safety?: ReadonlyMap<string, Safety>;
}

/** The request ids a body's `notifications/cancelled` messages name (a body may be a batch). */
export function cancelledIds(body: unknown): (string | number)[] {
  return [body]
    .flat()
    .filter((m): m is { method: string; params?: { requestId?: unknown } } => !!m && typeof m === "object")
    .filter((m) => m.method === "notifications/cancelled")
    .map((m) => m.params?.requestId)
    .filter((id): id is string | number => typeof id === "string" || typeof id === "number");
}

/**
 * The configured callers, checked against what the clusters need before anything listens: impersonating
 * clusters need callers with an identity, passthrough clusters an OAuth issuer, and a non-loopback bind
 * some authentication (or --allow-unauthenticated).
 */
export function loadCallers(config: Readonly<Config>, host: string, port: number, log: Logger): ApiKeys {
  const oauth = config.http.oauth;
  const impersonating = impersonatingClusters(config);
  let keys: ApiKeys;
  try {
    keys = loadApiKeys(config, process.env, impersonating);
  } catch (err) {
    if (err instanceof KeyError) throw new StartupError(err.message);
    throw err;
  }
  if (impersonating.length && !keys.size && !oauth)
    throw new StartupError(
      `callers are impersonated on ${impersonating.join(", ")} (identity: impersonate), but no HTTP caller can have an identity: configure http.apiKeys with users, or --oauth-issuer.`,
    );
  const passing = impersonatingClusters(config, "passthrough");
  if (passing.length && !oauth)
    throw new StartupError(
      `${passing.join(", ")} receive each caller's own OAuth access token (identity: passthrough), but no OAuth issuer is configured: set --oauth-issuer.`,
    );
  if (!isLoopback(host) && !config.http.apiKey && !keys.size && !oauth) {
    if (!config.http.allowUnauthenticated) {
      throw new StartupError(
        `refusing to serve on ${host}:${port} without authentication: set MCP_API_KEY or --oauth-issuer, bind to 127.0.0.1, or pass --allow-unauthenticated if something in front of kube-mcp authenticates callers.`,
      );
    }
    log.warn("serving without authentication on a non-loopback address", { host, port });
  }
  if (oauth && !oauth.resource && !isLoopback(host))
    throw new StartupError(
      `--oauth-issuer on ${host}:${port} needs --oauth-resource: the public URL clients use for this endpoint (the tokens' audience).`,
    );
  return keys;
}

export async function startHttp(opts: HttpOptions): Promise<HttpHandle> {
  const { factory, config, log } = opts;
  const { host, port } = parseListen(config.http.listen ?? "");
  const keys = loadCallers(config, host, port, log);
  const usesOAuth = !!config.http.oauth;
  const path = config.http.path;
  let oauth: OAuth | undefined;
  const handler = createMcpHandler(
    (ctx) =>
      factory(
        ctx.authInfo?.extra?.mode as Mode | undefined,
        (ctx.authInfo?.extra?.caller as Caller | undefined) ?? ANONYMOUS_CALLER,
      ),
    {
      onerror: (err) => log.debug("mcp request rejected", { err: err.message }),
    },
  );
  opts.onListChanged?.(() => handler.notify.toolsChanged());
  const sse = config.http.sse ? new SseSessions(log.child({ component: "sse" }), MESSAGES_PATH) : undefined;
  // In order; the first that answers ends the request.
  const guards: Guard[] = [
    probes(opts.ready, opts.metrics),
    oauthMetadata(() => oauth, usesOAuth, path),
    endpoint(path, !!sse),
    hostCheck(host, config.http.allowedHosts, (h) => log.warn("rejected Host header", { host: h })),
    originCheck(host, config.http.allowedOrigins),
    starting(() => oauth, usesOAuth),
  ];
  const credentials: Credentials = {
    sharedKey: config.http.apiKey,
    keys,
    oauth: () => oauth,
    allowQueryKey: config.hub.allowQueryApiKey,
  };
  const serve = serving(opts, toNodeHandler(handler), sse);
  const admit = async (x: Exchange) => {
    const auth = await authenticate(x, credentials, log);
    if (!auth) return;
    (x.req as IncomingMessage & { auth?: AuthInfo }).auth = auth;
    const stepped = await stepUp(
      x,
      auth,
      { safety: opts.safety, serverMode: config.mode ?? "non-destructive", oauth: () => oauth },
      log,
    );
    if (stepped) serve(x, stepped.body);
  };
  const server = createServer((req, res) => {
    const x = exchange(req, res);
    if (guards.some((guard) => guard(x))) return;
    admit(x).catch((err: unknown) => {
      log.error("http handler failed", { err });
      if (!res.headersSent) deny(res, 500, "internal error");
    });
  });
  server.requestTimeout = 0;
  const actual = await listen(server, host, port);
  const shown = host.includes(":") ? `[${host}]` : host;
  const url = `http://${shown}:${actual}${path}`;
  if (config.http.oauth) oauth = await createOAuth(config.http.oauth, config.http.oauth.resource ?? url, log);
  return {
    server,
    url,
    async close() {
      sse?.closeAll();
      await handler.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Binds the server; resolves with the port it got (port 0 picks one). */
async function listen(server: Server, host: string, port: number): Promise<number> {
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
  return typeof addr === "object" && addr ? addr.port : port;
}

/**
 * Serves an authenticated request: reads a POST body once when a cancel may be in it (the SDK takes it
 * parsed), so a cancel finds its running call on whichever server runs it, then hands the request to
 * the SDK's handler or to the legacy SSE transport.
 */
function serving(
  opts: HttpOptions,
  node: ReturnType<typeof toNodeHandler>,
  sse: SseSessions | undefined,
): (x: Exchange, body?: unknown) => void {
  const { log, factory } = opts;
  const cancelFrom = (x: Exchange, body: unknown) => {
    const caller = callerOf(x.req);
    for (const id of cancelledIds(body))
      if (opts.cancel?.(caller, id)) log.debug("call cancelled by the client", { id });
  };
  // The legacy transport's two endpoints, once the caller is authenticated like any other.
  const legacySse = (sessions: SseSessions, { req, res, url }: Exchange, body: unknown) => {
    const caller = callerOf(req);
    const mode = (req as IncomingMessage & { auth?: AuthInfo }).auth?.extra?.mode as Mode | undefined;
    if (url.pathname === SSE_PATH && req.method === "GET")
      return void sessions
        .open(res, callerKey(caller), factory(mode, caller, { longLived: true }))
        .catch((err: unknown) => log.error("sse session failed", { err }));
    if (url.pathname === MESSAGES_PATH && req.method === "POST")
      return sessions.post(req, res, callerKey(caller), body);
    deny(res, 405, `Use GET ${SSE_PATH} to open a session and POST ${MESSAGES_PATH}?sessionId=… to send.`);
  };
  const handle = (x: Exchange, body: unknown) => {
    if (sse && isLegacy(x, true)) return legacySse(sse, x, body);
    node(x.req, x.res, body).catch((err: unknown) => {
      log.error("http handler failed", { err });
      if (!x.res.headersSent) deny(x.res, 500, "internal error");
    });
  };
  return (x, body) => {
    const legacy = !!sse && isLegacy(x, true);
    if (body !== undefined) cancelFrom(x, body);
    if (body !== undefined || x.req.method !== "POST" || (!opts.cancel && !legacy)) return handle(x, body);
    void readJson(x.req).then((read) => {
      if ("status" in read) return deny(x.res, read.status, read.status === 413 ? TOO_LARGE : NOT_JSON);
      cancelFrom(x, read.body);
      handle(x, read.body);
    });
  };
}

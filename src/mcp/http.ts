// Streamable HTTP: the MCP endpoint behind a DNS-rebinding guard (Host/Origin), an optional shared API
// key, named API keys and OAuth 2.1 bearer tokens, plus /healthz, /readyz and /metrics. Each request is
// served as its caller (who authenticated, and how). Refuses a non-loopback bind without authentication
// unless told.
import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { toNodeHandler } from "@modelcontextprotocol/node";
import { type AuthInfo, createMcpHandler, type McpServer } from "@modelcontextprotocol/server";
import type { Config, Mode } from "../config/schema.js";
import { parseListen, StartupError } from "../obs/listen.js";
import type { Logger } from "../obs/log.js";
import { METRICS_CONTENT_TYPE, type Metrics } from "../obs/metrics.js";
import { ANONYMOUS_CALLER, type Caller } from "../policy/identity.js";
import { leastModeFor, permits, type Safety } from "../policy/modes.js";
import { digest, impersonatingClusters, KeyError, loadApiKeys } from "./keys.js";
import { createOAuth, type Grant, type OAuth, Rejected } from "./oauth.js";
import { callerKey } from "./scoped.js";
import { SseSessions } from "./sse.js";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);
export const isLoopback = (host: string) => LOOPBACK.has(host) || host.startsWith("127.");

/** Constant-time comparison of the presented key against the configured one. */
export function keyMatches(presented: string | undefined, expected: string): boolean {
  return presented !== undefined && timingSafeEqual(digest(presented), digest(expected));
}

function presentedKey(req: IncomingMessage, url: URL, allowQuery: boolean): string | undefined {
  const x = req.headers["x-api-key"];
  if (typeof x === "string") return x;
  // mcp-server-kubernetes clients send their MCP_AUTH_TOKEN in this header.
  const mcpAuth = req.headers["x-mcp-auth"];
  if (typeof mcpAuth === "string") return mcpAuth;
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

const MAX_BODY = 4 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

const SSE_PATH = "/sse";
const MESSAGES_PATH = "/messages";

/** The request ids a body's `notifications/cancelled` messages name (a body may be a batch). */
function cancelledIds(body: unknown): (string | number)[] {
  return [body]
    .flat()
    .filter((m): m is { method: string; params?: { requestId?: unknown } } => !!m && typeof m === "object")
    .filter((m) => m.method === "notifications/cancelled")
    .map((m) => m.params?.requestId)
    .filter((id): id is string | number => typeof id === "string" || typeof id === "number");
}

/** The tool a JSON-RPC `tools/call` body names, if it is one. */
function calledTool(body: unknown): string | undefined {
  const b = body as { method?: unknown; params?: { name?: unknown } } | null;
  return b && b.method === "tools/call" && typeof b.params?.name === "string" ? b.params.name : undefined;
}

export async function startHttp(opts: HttpOptions): Promise<HttpHandle> {
  const { factory, config, log, ready, metrics } = opts;
  const { host, port } = parseListen(config.http.listen ?? "");
  const key = config.http.apiKey;
  const oauthConfig = config.http.oauth;
  const serverMode = config.mode ?? "non-destructive";
  const impersonating = impersonatingClusters(config);
  let keys: ReturnType<typeof loadApiKeys>;
  try {
    keys = loadApiKeys(config, process.env, impersonating);
  } catch (err) {
    if (err instanceof KeyError) throw new StartupError(err.message);
    throw err;
  }
  if (impersonating.length && !keys.size && !oauthConfig)
    throw new StartupError(
      `callers are impersonated on ${impersonating.join(", ")} (identity: impersonate), but no HTTP caller can have an identity: configure http.apiKeys with users, or --oauth-issuer.`,
    );
  const passing = impersonatingClusters(config, "passthrough");
  if (passing.length && !oauthConfig)
    throw new StartupError(
      `${passing.join(", ")} receive each caller's own OAuth access token (identity: passthrough), but no OAuth issuer is configured: set --oauth-issuer.`,
    );
  const sharedKey: Caller = { kind: "api-key", groups: [] };
  if (!isLoopback(host) && !key && !keys.size && !oauthConfig) {
    if (!config.http.allowUnauthenticated) {
      throw new StartupError(
        `refusing to serve on ${host}:${port} without authentication: set MCP_API_KEY or --oauth-issuer, bind to 127.0.0.1, or pass --allow-unauthenticated if something in front of kube-mcp authenticates callers.`,
      );
    }
    log.warn("serving without authentication on a non-loopback address", { host, port });
  }
  if (oauthConfig && !oauthConfig.resource && !isLoopback(host))
    throw new StartupError(
      `--oauth-issuer on ${host}:${port} needs --oauth-resource: the public URL clients use for this endpoint (the tokens' audience).`,
    );
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
    if (oauth && req.method === "GET" && oauth.metadataPaths.includes(url.pathname))
      return void res
        .writeHead(200, { "content-type": "application/json", "access-control-allow-origin": "*" })
        .end(JSON.stringify(oauth.metadata));
    // An OAuth client probing for an authorization server learns why there is none.
    if (!oauthConfig && url.pathname.startsWith("/.well-known/oauth-"))
      return deny(
        res,
        404,
        `This MCP server does not use OAuth: send its API key as X-Api-Key or Authorization: Bearer on ${path}.`,
      );
    const legacy = sse && (url.pathname === SSE_PATH || url.pathname === MESSAGES_PATH);
    if (url.pathname !== path && !legacy) return deny(res, 404, `Not found. The MCP endpoint is ${path}.`);
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
    const handle = (body?: unknown) => {
      if (legacy && sse) return void legacySse(sse, body);
      node(req, res, body).catch((err: unknown) => {
        log.error("http handler failed", { err });
        if (!res.headersSent) deny(res, 500, "internal error");
      });
    };
    // The legacy transport's two endpoints, once the caller is authenticated like any other.
    const legacySse = (sessions: SseSessions, body: unknown) => {
      const extra = (req as IncomingMessage & { auth?: AuthInfo }).auth?.extra;
      const caller = (extra?.caller ?? ANONYMOUS_CALLER) as Caller;
      if (url.pathname === SSE_PATH && req.method === "GET")
        return void sessions
          .open(res, callerKey(caller), factory(extra?.mode as Mode | undefined, caller, { longLived: true }))
          .catch((err: unknown) => log.error("sse session failed", { err }));
      if (url.pathname === MESSAGES_PATH && req.method === "POST")
        return sessions.post(req, res, callerKey(caller), body);
      deny(res, 405, `Use GET ${SSE_PATH} to open a session and POST ${MESSAGES_PATH}?sessionId=… to send.`);
    };
    // Every POST body is read here once (the SDK takes it parsed), so a cancel finds its running call.
    const cancelFrom = (body: unknown) => {
      const caller = ((req as IncomingMessage & { auth?: AuthInfo }).auth?.extra?.caller ??
        ANONYMOUS_CALLER) as Caller;
      for (const id of cancelledIds(body))
        if (opts.cancel?.(caller, id)) log.debug("call cancelled by the client", { id });
    };
    const serve = (body?: unknown) => {
      if (body !== undefined) cancelFrom(body);
      if (body !== undefined || req.method !== "POST" || (!opts.cancel && !legacy)) return void handle(body);
      void readBody(req)
        .catch(() => undefined)
        .then((text) => {
          if (text === undefined)
            return deny(res, 413, `Request body too large or unreadable (limit ${MAX_BODY} bytes).`);
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            return deny(res, 400, "Parse error: the body is not JSON.");
          }
          cancelFrom(parsed);
          handle(parsed);
        });
    };
    if (oauthConfig && !oauth)
      return deny(res, 503, "Starting: try again in a moment.", { "retry-after": "1" });
    // The key is never part of what is recorded: a named key's caller carries the key's name only.
    const as = (caller: Caller) => {
      const auth: AuthInfo = {
        token: "",
        clientId: caller.key ?? caller.kind,
        scopes: [],
        extra: { caller },
      };
      (req as IncomingMessage & { auth?: AuthInfo }).auth = auth;
      serve();
    };
    if (!key && !keys.size && !oauth) return as(ANONYMOUS_CALLER);
    const presented = presentedKey(req, url, config.hub.allowQueryApiKey);
    const named = keys.match(presented);
    if (named) return as(named);
    if (key && keyMatches(presented, key)) return as(sharedKey);
    const bearer = /^bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "")?.[1];
    if (!oauth || !bearer) {
      const anyKey = key || keys.size;
      log.info("rejected request without credentials", {
        hasAuthorization: req.headers.authorization !== undefined,
      });
      const what = oauth
        ? anyKey
          ? "Missing or invalid credentials: send an OAuth access token or the API key."
          : "Missing access token: send an OAuth access token as Authorization: Bearer."
        : "Missing or invalid API key: send it as X-Api-Key or Authorization: Bearer.";
      // Without OAuth the challenge names an API key, not Bearer: a Bearer challenge sends OAuth clients
      // looking for an authorization server (and client registration) this endpoint does not have.
      return deny(res, 401, what, {
        "www-authenticate": oauth ? oauth.challenge() : 'ApiKey realm="kube-mcp", header="X-Api-Key"',
      });
    }
    void authorize(oauth, bearer, req, res, serve);
  });

  /** Verifies the token, then serves the request with the mode its scope allows. */
  async function authorize(
    oauth: OAuth,
    token: string,
    req: IncomingMessage,
    res: ServerResponse,
    serve: (body?: unknown) => void,
  ): Promise<void> {
    let grant: Grant;
    try {
      grant = await oauth.verify(token);
    } catch (err) {
      if (!(err instanceof Rejected)) {
        log.error("cannot verify access tokens", { err: String(err) });
        return deny(res, 503, `Access tokens cannot be verified right now: ${(err as Error).message}`, {
          "retry-after": "30",
        });
      }
      log.info("rejected access token", { status: err.status, reason: err.message });
      return deny(res, err.status, err.message, {
        "www-authenticate": oauth.challenge({ error: err.error, description: err.message }),
      });
    }
    // A full-mode token narrows nothing; any other caps the server's mode for this request.
    const cap = grant.mode === "full" ? undefined : grant.mode;
    const auth: AuthInfo = {
      token,
      clientId: grant.clientId,
      scopes: grant.scopes,
      expiresAt: grant.expiresAt,
      extra: {
        subject: grant.subject,
        caller: {
          kind: "oauth",
          subject: grant.subject,
          client: grant.clientId,
          groups: grant.groups,
          ...(grant.user ? { user: grant.user } : {}),
          ...(grant.missing ? { missing: grant.missing } : {}),
          // For clusters in passthrough mode only; a function, so nothing that records a caller holds it.
          accessToken: () => (Date.now() < grant.expiresAt * 1000 ? token : undefined),
          tokenExpiresAt: grant.expiresAt * 1000,
        } satisfies Caller,
        ...(cap ? { mode: cap } : {}),
      },
    };
    (req as IncomingMessage & { auth?: AuthInfo }).auth = auth;
    if (!cap || req.method !== "POST" || !opts.safety) return serve();
    // A narrower token: a call to a tool it does not cover is answered with a scope challenge (step-up).
    const text = await readBody(req).catch(() => undefined);
    if (text === undefined)
      return deny(res, 413, `Request body too large or unreadable (limit ${MAX_BODY} bytes).`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      res.writeHead(400, { "content-type": "application/json" });
      return void res.end(
        JSON.stringify({
          jsonrpc: "2.0",
          id: null,
          error: { code: -32700, message: "Parse error: the body is not JSON." },
        }),
      );
    }
    const tool = calledTool(body);
    const safety = tool ? opts.safety.get(tool) : undefined;
    if (tool && safety && !permits(cap, safety) && permits(serverMode, safety)) {
      const scope = oauth.scopeFor(leastModeFor(safety));
      const description = `${tool} needs the scope ${scope}; this token allows ${cap} only.`;
      log.info("scope challenge", { tool, client: grant.clientId, scope });
      return deny(res, 403, `${description} Sign in again granting ${scope}.`, {
        "www-authenticate": oauth.challenge({ error: "insufficient_scope", description, scope }),
      });
    }
    serve(body);
  }
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
  if (oauthConfig)
    oauth = await createOAuth(oauthConfig, oauthConfig.resource ?? `http://${shown}:${actual}${path}`, log);
  return {
    server,
    url: `http://${shown}:${actual}${path}`,
    async close() {
      sse?.closeAll();
      await handler.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

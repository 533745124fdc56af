// The checks a request to the HTTP endpoint passes before it is authenticated, in order: probes (served
// to anyone), OAuth metadata, the path, the Host header (DNS rebinding), the Origin header, and whether
// the endpoint has finished starting. Each is a small function of its settings: it answers the request
// (and returns true) or lets it through, so each is tested on its own (http-guards.test.ts).
import type { IncomingMessage, ServerResponse } from "node:http";
import { METRICS_CONTENT_TYPE, type Metrics } from "../obs/metrics.js";
import type { OAuth } from "./oauth.js";

/** One request to the endpoint: what came in, where it is answered, and its parsed URL. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
}

/** Answers the request (returns true) or lets it through to the next guard (false). */
export type Guard = (x: Exchange) => boolean;

export const exchange = (req: IncomingMessage, res: ServerResponse): Exchange => ({
  req,
  res,
  url: new URL(req.url ?? "/", "http://localhost"),
});

/** A refusal as a JSON-RPC error, the shape an MCP client reads. */
export function deny(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
  code = -32000,
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code, message } }));
}

export const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);
export const isLoopback = (host: string) => LOOPBACK.has(host) || host.startsWith("127.");

export const SSE_PATH = "/sse";
export const MESSAGES_PATH = "/messages";

/** The legacy SSE transport's two endpoints, when it is enabled. */
export const isLegacy = (x: Exchange, sse: boolean) =>
  sse && (x.url.pathname === SSE_PATH || x.url.pathname === MESSAGES_PATH);

/** /healthz, /readyz and /metrics: counts and durations only (no arguments, no cluster data), so no key. */
export function probes(ready: () => boolean, metrics?: Metrics): Guard {
  return ({ url, res }) => {
    const reply = (status: number, type: string, body: string) => {
      res.writeHead(status, { "content-type": type }).end(body);
      return true;
    };
    if (url.pathname === "/healthz") return reply(200, "text/plain", "ok\n");
    if (url.pathname === "/metrics" && metrics) return reply(200, METRICS_CONTENT_TYPE, metrics.render());
    if (url.pathname !== "/readyz") return false;
    return ready() ? reply(200, "text/plain", "ready\n") : reply(503, "text/plain", "no clusters loaded\n");
  };
}

/**
 * RFC 9728 protected resource metadata once OAuth has started; without OAuth, a client probing for an
 * authorization server learns why there is none.
 */
export function oauthMetadata(oauth: () => OAuth | undefined, usesOAuth: boolean, path: string): Guard {
  return ({ req, res, url }) => {
    const o = oauth();
    if (o && req.method === "GET" && o.metadataPaths.includes(url.pathname)) {
      res
        .writeHead(200, { "content-type": "application/json", "access-control-allow-origin": "*" })
        .end(JSON.stringify(o.metadata));
      return true;
    }
    if (usesOAuth || !url.pathname.startsWith("/.well-known/oauth-")) return false;
    deny(
      res,
      404,
      `This MCP server does not use OAuth: send its API key as X-Api-Key or Authorization: Bearer on ${path}.`,
    );
    return true;
  };
}

/** Only the MCP endpoint (and the legacy SSE endpoints when enabled) is served past this point. */
export function endpoint(path: string, sse: boolean): Guard {
  return (x) => {
    if (x.url.pathname === path || isLegacy(x, sse)) return false;
    deny(x.res, 404, `Not found. The MCP endpoint is ${path}.`);
    return true;
  };
}

function hostName(hostHeader: string): string {
  const h = hostHeader.startsWith("[")
    ? hostHeader.slice(1, hostHeader.indexOf("]"))
    : hostHeader.replace(/:\d+$/, "");
  return h.toLowerCase();
}

/**
 * DNS rebinding: on a loopback bind, or when allowed hosts are configured, the Host header must name
 * this server (a loopback name, the bound host, or an allowed host).
 */
export function hostCheck(
  bound: string,
  allowedHosts: readonly string[],
  warn: (host?: string) => void,
): Guard {
  const allowed = new Set(allowedHosts.map((h) => h.toLowerCase()));
  const strict = isLoopback(bound) || allowed.size > 0;
  return ({ req, res }) => {
    const h = hostName(req.headers.host ?? "");
    if (!strict || LOOPBACK.has(h) || h === bound || allowed.has(h)) return false;
    warn(req.headers.host);
    deny(res, 403, `Invalid Host: ${req.headers.host ?? ""}`);
    return true;
  };
}

/** A browser's Origin must be allowed, or be loopback talking to a loopback bind. */
export function originCheck(bound: string, allowedOrigins: readonly string[]): Guard {
  const allowed = new Set(allowedOrigins);
  return ({ req, res }) => {
    const origin = req.headers.origin;
    if (!origin || allowed.has(origin)) return false;
    let oh = "";
    try {
      oh = new URL(origin).hostname.replace(/^\[|\]$/g, "");
    } catch {
      // unparsable origin: rejected below
    }
    if (isLoopback(bound) && LOOPBACK.has(oh)) return false;
    deny(res, 403, `Invalid Origin: ${origin}`);
    return true;
  };
}

/** OAuth's verifier is created once the port is bound (the resource URL names it): until then, 503. */
export function starting(oauth: () => OAuth | undefined, usesOAuth: boolean): Guard {
  return ({ res }) => {
    if (!usesOAuth || oauth()) return false;
    deny(res, 503, "Starting: try again in a moment.", { "retry-after": "1" });
    return true;
  };
}

export const MAX_BODY = 4 * 1024 * 1024;

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

/** The request's JSON body, or why there is none: too large or unreadable (413), not JSON (400). */
export async function readJson(req: IncomingMessage): Promise<{ body: unknown } | { status: 413 | 400 }> {
  const text = await readBody(req).catch(() => undefined);
  if (text === undefined) return { status: 413 };
  try {
    return { body: JSON.parse(text) };
  } catch {
    return { status: 400 };
  }
}

export const TOO_LARGE = `Request body too large or unreadable (limit ${MAX_BODY} bytes).`;
export const NOT_JSON = "Parse error: the body is not JSON.";

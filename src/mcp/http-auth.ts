// Who is calling the HTTP endpoint, and whether their token covers the call: a named API key, the shared
// key or an OAuth access token becomes the caller the SDK carries (`AuthInfo.extra.caller`, with
// `extra.mode` when a token allows less than the server's mode); a narrower token calling a tool it
// does not cover is answered with a scope challenge (step-up). The key is never part of what is
// recorded: a named key's caller carries the key's name only.
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { AuthInfo } from "@modelcontextprotocol/server";
import type { Mode } from "../config/schema.js";
import type { Logger } from "../obs/log.js";
import { ANONYMOUS_CALLER, type Caller } from "../policy/identity.js";
import { leastModeFor, permits, type Safety } from "../policy/modes.js";
import { deny, type Exchange, NOT_JSON, readJson, TOO_LARGE } from "./http-guards.js";
import { type ApiKeys, digest } from "./keys.js";
import { type Grant, type OAuth, Rejected } from "./oauth.js";

/** What a caller may present, as configured. */
export interface Credentials {
  /** The shared API key (MCP_API_KEY). */
  sharedKey?: string | undefined;
  keys: ApiKeys;
  /** Set once OAuth has started (http-guards.ts `starting` answers until then). */
  oauth: () => OAuth | undefined;
  /** Whether `?api_key=` is accepted (clients that cannot set headers). */
  allowQueryKey: boolean;
}

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

const SHARED_KEY: Caller = { kind: "api-key", groups: [] };

const keyed = (caller: Caller): AuthInfo => ({
  token: "",
  clientId: caller.key ?? caller.kind,
  scopes: [],
  extra: { caller },
});

/** The caller a request's auth names; anonymous when there is none. */
export const callerOf = (req: IncomingMessage): Caller =>
  ((req as IncomingMessage & { auth?: AuthInfo }).auth?.extra?.caller ?? ANONYMOUS_CALLER) as Caller;

/**
 * The caller, as the SDK carries it; undefined once the request has been answered (401 without valid
 * credentials, 401/403 for a token that cannot be used, 503 when tokens cannot be verified).
 */
export async function authenticate(
  { req, res, url }: Exchange,
  c: Credentials,
  log: Logger,
): Promise<AuthInfo | undefined> {
  const oauth = c.oauth();
  if (!c.sharedKey && !c.keys.size && !oauth) return keyed(ANONYMOUS_CALLER);
  const presented = presentedKey(req, url, c.allowQueryKey);
  const named = c.keys.match(presented);
  if (named) return keyed(named);
  if (c.sharedKey && keyMatches(presented, c.sharedKey)) return keyed(SHARED_KEY);
  const bearer = /^bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "")?.[1];
  if (oauth && bearer) return verified(oauth, bearer, res, log);
  const anyKey = c.sharedKey || c.keys.size;
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
  deny(res, 401, what, {
    "www-authenticate": oauth ? oauth.challenge() : 'ApiKey realm="kube-mcp", header="X-Api-Key"',
  });
  return undefined;
}

/** Verifies the token; its caller gets the mode its scope allows. */
async function verified(
  oauth: OAuth,
  token: string,
  res: Exchange["res"],
  log: Logger,
): Promise<AuthInfo | undefined> {
  let grant: Grant;
  try {
    grant = await oauth.verify(token);
  } catch (err) {
    if (!(err instanceof Rejected)) {
      log.error("cannot verify access tokens", { err: String(err) });
      deny(res, 503, `Access tokens cannot be verified right now: ${(err as Error).message}`, {
        "retry-after": "30",
      });
      return undefined;
    }
    log.info("rejected access token", { status: err.status, reason: err.message });
    deny(res, err.status, err.message, {
      "www-authenticate": oauth.challenge({ error: err.error, description: err.message }),
    });
    return undefined;
  }
  return grantAuth(grant, token);
}

/** A verified token as the SDK carries it; a full-mode token narrows nothing, any other caps the mode. */
export function grantAuth(grant: Grant, token: string): AuthInfo {
  const cap = grant.mode === "full" ? undefined : grant.mode;
  return {
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
}

/** The tool a JSON-RPC `tools/call` body names, if it is one. */
export function calledTool(body: unknown): string | undefined {
  const b = body as { method?: unknown; params?: { name?: unknown } } | null;
  return b && b.method === "tools/call" && typeof b.params?.name === "string" ? b.params.name : undefined;
}

export interface StepUp {
  /** Each advertised tool's safety class. */
  safety?: ReadonlyMap<string, Safety> | undefined;
  serverMode: Mode;
  oauth: () => OAuth | undefined;
}

/**
 * A narrower token calling a tool it does not cover (and the server does) is answered with a scope
 * challenge, so the client can ask for a broader scope. Returns the body when it had to read it, or
 * undefined once the request has been answered.
 */
export async function stepUp(
  { req, res }: Exchange,
  auth: AuthInfo,
  s: StepUp,
  log: Logger,
): Promise<{ body?: unknown } | undefined> {
  const cap = auth.extra?.mode as Mode | undefined;
  const oauth = s.oauth();
  if (!cap || req.method !== "POST" || !s.safety || !oauth) return {};
  const read = await readJson(req);
  if ("status" in read) {
    if (read.status === 413) deny(res, 413, TOO_LARGE);
    else deny(res, 400, NOT_JSON, {}, -32700);
    return undefined;
  }
  const tool = calledTool(read.body);
  const safety = tool ? s.safety.get(tool) : undefined;
  if (!tool || !safety || permits(cap, safety) || !permits(s.serverMode, safety)) return read;
  const scope = oauth.scopeFor(leastModeFor(safety));
  const description = `${tool} needs the scope ${scope}; this token allows ${cap} only.`;
  log.info("scope challenge", { tool, client: auth.clientId, scope });
  deny(res, 403, `${description} Sign in again granting ${scope}.`, {
    "www-authenticate": oauth.challenge({ error: "insufficient_scope", description, scope }),
  });
  return undefined;
}

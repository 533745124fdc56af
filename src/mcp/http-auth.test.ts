import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { ConfigSchema } from "../config/schema.js";
import type { Logger } from "../obs/log.js";
import type { Safety } from "../policy/modes.js";
import { fakeRequest } from "./fake-request.js";
import { cancelledIds, loadCallers } from "./http.js";
import { authenticate, type Credentials, callerOf, stepUp } from "./http-auth.js";
import { loadApiKeys } from "./keys.js";
import { type Grant, type OAuth, Rejected } from "./oauth.js";

const lines: [string, string][] = [];
const log: Logger = {
  debug: (m) => void lines.push(["debug", m]),
  info: (m) => void lines.push(["info", m]),
  warn: (m) => void lines.push(["warn", m]),
  error: (m) => void lines.push(["error", m]),
  child: () => log,
};

const SHARED = "shared-key-0123456789";
const ALICE = "alice-key-0123456789";
const config = (http: object = {}, rest: object = {}) => ConfigSchema.parse({ http, ...rest });
const noKeys = loadApiKeys(config(), {}, []);
const named = loadApiKeys(config({ apiKeys: [{ name: "alice", key: ALICE, user: "alice" }] }), {}, []);

const grant = (mode: Grant["mode"]): Grant => ({
  token: "t",
  subject: "sub-1",
  clientId: "client-1",
  scopes: ["mcp:read"],
  mode,
  expiresAt: Math.floor(Date.now() / 1000) + 600,
  user: "ann@example.com",
  groups: ["dev"],
});

function fakeOAuth(verify: (token: string) => Promise<Grant>): OAuth {
  return {
    metadataPaths: [],
    metadata: {},
    scopeFor: (mode) => `mcp:${mode}`,
    verify,
    challenge: (e) => `Bearer ${e ? `error="${e.error}", ` : ""}scope="${e?.scope ?? "mcp:read"}"`,
  };
}

const creds = (c: Partial<Credentials> = {}): Credentials => ({
  keys: noKeys,
  oauth: () => undefined,
  allowQueryKey: false,
  ...c,
});

describe("authenticate", () => {
  it("lets anyone in as anonymous when no credentials are configured", async () => {
    const auth = await authenticate(fakeRequest("/mcp").x, creds(), log);
    expect(auth?.extra?.caller).toEqual({ kind: "anonymous", groups: [] });
  });

  it("takes the shared key from X-Api-Key, X-Mcp-Auth or Authorization: Bearer, and ?api_key only when allowed", async () => {
    const c = creds({ sharedKey: SHARED });
    for (const headers of [
      { "x-api-key": SHARED } as Record<string, string>,
      { "x-mcp-auth": SHARED },
      { authorization: `Bearer ${SHARED}` },
    ]) {
      const auth = await authenticate(fakeRequest("/mcp", { headers }).x, c, log);
      expect(auth?.extra?.caller, JSON.stringify(headers)).toEqual({ kind: "api-key", groups: [] });
    }
    const query = fakeRequest(`/mcp?api_key=${SHARED}`);
    expect(await authenticate(query.x, c, log)).toBeUndefined();
    expect(query.sent.status).toBe(401);
    const allowed = await authenticate(
      fakeRequest(`/mcp?api_key=${SHARED}`).x,
      { ...c, allowQueryKey: true },
      log,
    );
    expect(allowed?.clientId).toBe("api-key");
  });

  it("names a named key's caller by the key's name, never the key", async () => {
    const auth = await authenticate(
      fakeRequest("/mcp", { headers: { "x-api-key": ALICE } }).x,
      creds({ keys: named }),
      log,
    );
    expect(auth).toMatchObject({
      token: "",
      clientId: "alice",
      extra: { caller: { key: "alice", user: "alice" } },
    });
    expect(JSON.stringify(auth)).not.toContain(ALICE);
  });

  it("answers 401 with an ApiKey challenge (not Bearer) when a key-only server gets no valid key", async () => {
    const r = fakeRequest("/mcp", { headers: { "x-api-key": "wrong" } });
    expect(await authenticate(r.x, creds({ sharedKey: SHARED }), log)).toBeUndefined();
    expect(r.sent.status).toBe(401);
    expect(r.sent.headers["www-authenticate"]).toBe('ApiKey realm="kube-mcp", header="X-Api-Key"');
    expect(r.error().message).toBe(
      "Missing or invalid API key: send it as X-Api-Key or Authorization: Bearer.",
    );
  });

  it("asks an OAuth server's caller for a token, or the key when there is one too", async () => {
    const oauth = fakeOAuth(async () => grant("full"));
    const r = fakeRequest("/mcp");
    await authenticate(r.x, creds({ oauth: () => oauth }), log);
    expect([r.sent.status, r.error().message]).toEqual([
      401,
      "Missing access token: send an OAuth access token as Authorization: Bearer.",
    ]);
    expect(r.sent.headers["www-authenticate"]).toBe('Bearer scope="mcp:read"');
    const both = fakeRequest("/mcp");
    await authenticate(both.x, creds({ oauth: () => oauth, sharedKey: SHARED }), log);
    expect(both.error().message).toBe(
      "Missing or invalid credentials: send an OAuth access token or the API key.",
    );
  });

  it("serves a verified token's caller, capped to its scope's mode unless that is full", async () => {
    const bearer = { headers: { authorization: "Bearer tok" } };
    const full = await authenticate(
      fakeRequest("/mcp", bearer).x,
      creds({ oauth: () => fakeOAuth(async () => grant("full")) }),
      log,
    );
    expect(full?.extra?.mode).toBeUndefined();
    const read = await authenticate(
      fakeRequest("/mcp", bearer).x,
      creds({ oauth: () => fakeOAuth(async () => grant("read-only")) }),
      log,
    );
    expect(read).toMatchObject({
      token: "tok",
      clientId: "client-1",
      extra: { mode: "read-only", subject: "sub-1" },
    });
    const caller = read?.extra?.caller as {
      kind: string;
      user: string;
      accessToken: () => string | undefined;
    };
    expect([caller.kind, caller.user, caller.accessToken()]).toEqual(["oauth", "ann@example.com", "tok"]);
  });

  it("answers a rejected token with its status and challenge, and 503 when tokens cannot be verified", async () => {
    const bearer = { headers: { authorization: "Bearer tok" } };
    const rejected = fakeRequest("/mcp", bearer);
    const oauth = fakeOAuth(async () => {
      throw new Rejected("The access token has expired; get a new one.", 401, "invalid_token");
    });
    expect(await authenticate(rejected.x, creds({ oauth: () => oauth }), log)).toBeUndefined();
    expect([rejected.sent.status, rejected.error().message]).toEqual([
      401,
      "The access token has expired; get a new one.",
    ]);
    expect(rejected.sent.headers["www-authenticate"]).toContain('error="invalid_token"');
    const down = fakeRequest("/mcp", bearer);
    const unavailable = fakeOAuth(async () => {
      throw new Error("the issuer's signing keys could not be fetched");
    });
    await authenticate(down.x, creds({ oauth: () => unavailable }), log);
    expect([down.sent.status, down.sent.headers["retry-after"]]).toEqual([503, "30"]);
    expect(down.error().message).toBe(
      "Access tokens cannot be verified right now: the issuer's signing keys could not be fetched",
    );
  });
});

describe("stepUp", () => {
  const safety = new Map<string, Safety>([
    ["pods_list", "read"],
    ["resources_delete", "destructive"],
  ]);
  const oauth = fakeOAuth(async () => grant("read-only"));
  const s = { safety, serverMode: "full" as const, oauth: () => oauth };
  const call = (name: string) =>
    fakeRequest("/mcp", {
      method: "POST",
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name } }),
    });
  const capped = { token: "t", clientId: "client-1", scopes: [], extra: { mode: "read-only" } };

  it("answers a narrower token's call to a tool it does not cover with a scope challenge", async () => {
    const r = call("resources_delete");
    expect(await stepUp(r.x, capped, s, log)).toBeUndefined();
    expect(r.sent.status).toBe(403);
    expect(r.error().message).toBe(
      "resources_delete needs the scope mcp:full; this token allows read-only only. Sign in again granting mcp:full.",
    );
    expect(r.sent.headers["www-authenticate"]).toContain('error="insufficient_scope"');
  });

  it("passes a call the token covers on with the body it read, and reads nothing for an uncapped caller", async () => {
    const r = call("pods_list");
    expect(await stepUp(r.x, capped, s, log)).toMatchObject({ body: { params: { name: "pods_list" } } });
    expect(r.sent.status).toBe(0);
    expect(await stepUp(call("resources_delete").x, { ...capped, extra: {} }, s, log)).toEqual({});
    // A tool the server's own mode does not allow is refused by the server, not challenged here.
    const narrow = call("resources_delete");
    expect(await stepUp(narrow.x, capped, { ...s, serverMode: "read-only" }, log)).toBeDefined();
  });

  it("answers a body that is not JSON with a JSON-RPC parse error", async () => {
    const r = fakeRequest("/mcp", { method: "POST", body: "{" });
    expect(await stepUp(r.x, capped, s, log)).toBeUndefined();
    expect([r.sent.status, r.error().code]).toEqual([400, -32700]);
  });
});

describe("callerOf and cancelledIds", () => {
  it("read the caller a request was authenticated as, and the ids a batch of cancels names", () => {
    const req = fakeRequest("/mcp").x.req as IncomingMessage & { auth?: unknown };
    expect(callerOf(req).kind).toBe("anonymous");
    req.auth = { extra: { caller: { kind: "api-key", groups: [] } } };
    expect(callerOf(req).kind).toBe("api-key");
    const cancel = (requestId: unknown) => ({ method: "notifications/cancelled", params: { requestId } });
    expect(cancelledIds([cancel(1), cancel("a"), cancel({}), { method: "tools/call" }])).toEqual([1, "a"]);
    expect(cancelledIds(cancel(7))).toEqual([7]);
  });
});

describe("loadCallers", () => {
  it("refuses a public bind without authentication unless told, and warns when told", () => {
    expect(() => loadCallers(config(), "0.0.0.0", 8080, log)).toThrow(/refusing to serve on 0.0.0.0:8080/);
    lines.length = 0;
    loadCallers(config({ allowUnauthenticated: true }), "0.0.0.0", 8080, log);
    expect(lines).toContainEqual(["warn", "serving without authentication on a non-loopback address"]);
    expect(loadCallers(config(), "127.0.0.1", 8080, log).size).toBe(0);
  });

  it("needs a resource URL for OAuth on a public bind", () => {
    const oauth = { issuer: "https://issuer.example" };
    expect(() => loadCallers(config({ oauth }), "0.0.0.0", 8080, log)).toThrow(/needs --oauth-resource/);
  });
});

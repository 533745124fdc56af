// OAuth 2.1 on the HTTP endpoint, against a real authorization server (oidc-provider on loopback) and the
// MCP SDK client's own OAuth flow: discovery from the 401, client credentials with RFC 8707 resource
// indicators, step-up on a scope challenge, and the refusals a bad token gets.
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientCredentialsProvider } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { inner } from "./helpers/fence.js";
import { call, type HttpServer, httpSession, startHttpServer } from "./helpers/mcp.js";
import { type AuthServer, CLIENTS, startAuthServer, type TestClient } from "./helpers/oidc.js";

const kubeconfig = inject("kubeconfig");
const KEY = "oauth-test-key-0123456789";
const client = (id: string) => CLIENTS.find((c) => c.id === id) as TestClient;
const CONFIGMAP = JSON.stringify({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "oauth-plan", namespace: "shop" },
  data: { k: "v" },
});

let as: AuthServer;
let srv: HttpServer;

beforeAll(async () => {
  as = await startAuthServer();
  // No clock skew allowance, so the one-second token expires within the test.
  const file = join(tmpdir(), `kube-mcp-oauth-${process.pid}.yaml`);
  writeFileSync(file, JSON.stringify({ http: { oauth: { issuer: as.issuer, clockSkewSeconds: 0 } } }));
  srv = await startHttpServer(["--mode", "full", "--config", file], {
    KUBECONFIG: kubeconfig,
    MCP_API_KEY: KEY,
  });
});
afterAll(async () => {
  expect(await srv?.stop()).toBe(0);
  await as?.close();
});

const provider = (c: TestClient, scope?: string) =>
  new ClientCredentialsProvider({
    clientId: c.id,
    clientSecret: c.secret,
    expectedIssuer: as.issuer,
    ...(scope ? { scope } : {}),
  });

/** A raw JSON-RPC POST with a bearer token, to read the HTTP status and challenge a client would see. */
async function post(token: string | undefined, body: unknown) {
  const res = await fetch(srv.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, challenge: res.headers.get("www-authenticate") ?? "", text: await res.text() };
}

const INIT = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "0" } },
};
const callBody = (name: string, args: Record<string, unknown>) => ({
  jsonrpc: "2.0",
  id: 2,
  method: "tools/call",
  params: { name, arguments: args },
});

describe("OAuth 2.1 resource server", () => {
  it("publishes its protected resource metadata and challenges a request without a token", async () => {
    const origin = new URL(srv.url).origin;
    const pathAware = await fetch(`${origin}/.well-known/oauth-protected-resource/mcp`);
    const root = await fetch(`${origin}/.well-known/oauth-protected-resource`);
    const doc = await pathAware.json();
    expect(pathAware.status).toBe(200);
    expect(doc).toEqual({
      resource: srv.url,
      authorization_servers: [as.issuer],
      scopes_supported: ["kube-mcp:read", "kube-mcp:write", "kube-mcp:admin"],
      bearer_methods_supported: ["header"],
      resource_name: "kube-mcp",
    });
    expect(await root.json()).toEqual(doc);

    const r = await post(undefined, INIT);
    expect(r.status).toBe(401);
    expect(r.challenge).toBe(
      `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp", scope="kube-mcp:read"`,
    );
    expect(r.text).toMatch(/access token/);
  });

  it("lets a client discover the server, start with read, and step up to write when it calls a write tool", async () => {
    const p = provider(client("writer"));
    const s = await httpSession(srv.url, { era: "modern", authProvider: p });
    try {
      expect(p.tokens()?.scope).toBe("kube-mcp:read");
      const names = (await s.client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(
        expect.arrayContaining(["resources_list", "resources_apply", "resources_delete"]),
      );
      const list = await call(s.client, "resources_list", { kind: "deploy", namespace: "shop" });
      expect(list.isError).toBe(false);
      expect(inner(list.text)).toMatch(/^NAME\s+READY/);

      const plan = await call(s.client, "resources_apply", { manifest: CONFIGMAP, dryRun: true });
      expect(plan.isError).toBe(false);
      expect(plan.text).toMatch(/oauth-plan/);
      expect(p.tokens()?.scope?.split(" ").sort()).toEqual(["kube-mcp:read", "kube-mcp:write"]);

      // The writer's client may not have the admin scope: the authorization server refuses the step-up.
      await expect(
        call(s.client, "resources_delete", { kind: "configmap", namespace: "shop", name: "oauth-plan" }),
      ).rejects.toThrow(/scope/);
    } finally {
      await s.close();
    }
    expect(srv.stderr()).toMatch(
      /"msg":"scope challenge".*"tool":"resources_apply".*"scope":"kube-mcp:write"/,
    );
  });

  it("runs destructive tools once an admin client steps up", async () => {
    const p = provider(client("admin"));
    const s = await httpSession(srv.url, { era: "legacy", authProvider: p });
    try {
      const r = await call(s.client, "resources_delete", {
        kind: "configmap",
        namespace: "shop",
        name: "oauth-never-created",
      });
      // It ran: the API server answered, rather than kube-mcp refusing.
      expect(r.isError).toBe(true);
      expect(r.text).toMatch(/not found/i);
      expect(p.tokens()?.scope?.split(" ")).toContain("kube-mcp:admin");
    } finally {
      await s.close();
    }
  });

  it("caps the passthrough CLI to the token's scope, whatever the command", async () => {
    const token = await as.token(client("reader"), { resource: srv.url, scope: "kube-mcp:read" });
    const s = await httpSession(srv.url, { headers: { authorization: `Bearer ${token}` } });
    try {
      const get = await call(s.client, "kubectl", { command: "get deploy -n shop" });
      expect(get.isError).toBe(false);
      const del = await call(s.client, "kubectl", { command: "delete configmap oauth-x -n shop" });
      expect(del.isError).toBe(true);
      expect(del.text).toMatch(/read-only/);
    } finally {
      await s.close();
    }
  });

  it("answers a call beyond the token's scope with 403 and the scope it needs", async () => {
    const token = await as.token(client("reader"), { resource: srv.url, scope: "kube-mcp:read" });
    const r = await post(
      token,
      callBody("resources_scale", { kind: "deploy", name: "web", namespace: "shop", replicas: 3 }),
    );
    expect(r.status).toBe(403);
    expect(r.challenge).toMatch(/^Bearer error="insufficient_scope", error_description="[^"]+", /);
    expect(r.challenge).toMatch(/scope="kube-mcp:write"/);
    expect(r.text).toMatch(/resources_scale needs the scope kube-mcp:write/);
  });

  it("refuses tokens for another audience, expired, tampered with, or without kube-mcp scopes", async () => {
    const other = await as.token(client("reader"), {
      resource: "http://127.0.0.1:1/mcp",
      scope: "kube-mcp:read",
    });
    const aud = await post(other, INIT);
    expect(aud.status).toBe(401);
    expect(aud.challenge).toMatch(/error="invalid_token"/);
    expect(aud.text).toMatch(/another audience; request one for http:\/\/127\.0\.0\.1:\d+\/mcp/);

    const good = await as.token(client("reader"), { resource: srv.url, scope: "kube-mcp:read" });
    const sig = good.slice(0, -4) + (good.endsWith("AAAA") ? "BBBB" : "AAAA");
    const tampered = await post(sig, INIT);
    expect(tampered.status).toBe(401);
    expect(tampered.text).toMatch(/signature does not verify/);

    const none = await post(await as.token(client("unscoped"), { resource: srv.url }), INIT);
    expect(none.status).toBe(403);
    expect(none.challenge).toMatch(/error="insufficient_scope"/);
    expect(none.text).toMatch(/none of kube-mcp's scopes/);

    const brief = await as.token(client("brief"), { resource: srv.url, scope: "kube-mcp:read" });
    expect((await post(brief, INIT)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2100));
    const expired = await post(brief, INIT);
    expect(expired.status).toBe(401);
    expect(expired.text).toMatch(/expired/);

    expect((await post("not-a-jwt", INIT)).text).toMatch(/not a valid JWT access token/);
  });

  it("still takes the API key beside OAuth", async () => {
    const s = await httpSession(srv.url, { headers: { "x-api-key": KEY } });
    try {
      const r = await call(s.client, "resources_delete", {
        kind: "configmap",
        namespace: "shop",
        name: "oauth-none",
      });
      expect(r.text).toMatch(/not found/i);
    } finally {
      await s.close();
    }
  });

  it("answers 503 while the authorization server cannot be reached", async () => {
    const down = await startHttpServer(["--oauth-issuer", "http://127.0.0.1:9/"], { KUBECONFIG: kubeconfig });
    try {
      const token = await as.token(client("reader"), { resource: down.url, scope: "kube-mcp:read" });
      const res = await fetch(down.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify(INIT),
      });
      expect(res.status).toBe(503);
      expect(await res.text()).toMatch(/cannot be verified right now.*metadata/);
    } finally {
      expect(await down.stop()).toBe(0);
    }
  });

  it("needs --oauth-resource to serve OAuth beyond loopback", async () => {
    const s = await startHttpServer(["--http", "0.0.0.0:0", "--oauth-issuer", as.issuer], {
      KUBECONFIG: kubeconfig,
    }).catch((err: Error) => err);
    expect(String(s)).toMatch(/needs --oauth-resource/);
  });
});

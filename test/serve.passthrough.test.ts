// identity: passthrough on serve --http: an OAuth caller's own access token reaches the cluster's API
// server in place of kube-mcp's credentials (a loopback API server stands in for one that trusts the
// issuer, and records what it is sent); a caller without a token is refused there, never served as
// kube-mcp; a cluster in service mode still answers with kube-mcp's own identity.
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientCredentialsProvider } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { call, type HttpServer, httpSession, type Session, startHttpServer } from "./helpers/mcp.js";
import { type AuthServer, CLIENTS, startAuthServer, type TestClient } from "./helpers/oidc.js";
import { spawnRole } from "./helpers/proc.js";

const kubeconfig = inject("kubeconfig");
const dir = mkdtempSync(join(tmpdir(), "kube-mcp-passthrough-"));
const KEY = "passthrough-key-0123456789ab";
const SVC = "kube-mcp-own-token";

/** Authorization headers the stand-in API server was sent. */
const seen: string[] = [];
let api: Server;
let as: AuthServer;
let srv: HttpServer;
let person: Session;
let keyed: Session;

const payloadOf = (bearer: string) =>
  JSON.parse(Buffer.from(bearer.split(".")[1] ?? "", "base64url").toString()) as Record<string, unknown>;

beforeAll(async () => {
  // Answers a rules review only for a JWT (the caller's token); kube-mcp's own token gets 401.
  api = createServer((req, res) => {
    const auth = String(req.headers.authorization ?? "");
    seen.push(auth);
    const jwt = /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/.test(auth);
    res.writeHead(jwt ? 201 : 401, { "content-type": "application/json" });
    res.end(
      JSON.stringify(
        jwt
          ? {
              kind: "SelfSubjectRulesReview",
              status: { resourceRules: [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }] },
            }
          : { kind: "Status", status: "Failure", reason: "Unauthorized", code: 401, message: "Unauthorized" },
      ),
    );
  });
  await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
  const stub = join(dir, "stub.kubeconfig");
  writeFileSync(
    stub,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        { name: "oidc", cluster: { server: `http://127.0.0.1:${(api.address() as AddressInfo).port}` } },
      ],
      users: [{ name: "oidc", user: { token: SVC } }],
      contexts: [{ name: "oidc", context: { cluster: "oidc", user: "oidc", namespace: "shop" } }],
    }),
  );
  as = await startAuthServer();
  const config = join(dir, "serve.json");
  writeFileSync(
    config,
    JSON.stringify({
      http: { oauth: { issuer: as.issuer }, apiKeys: [{ name: "k", key: KEY, user: "alice" }] },
      clusters: { oidc: { identity: "passthrough" } },
    }),
  );
  srv = await startHttpServer(["--audit", "--config", config], { KUBECONFIG: `${kubeconfig}:${stub}` });
  const client = CLIENTS.find((c) => c.id === "person") as TestClient;
  person = await httpSession(srv.url, {
    authProvider: new ClientCredentialsProvider({
      clientId: client.id,
      clientSecret: client.secret,
      expectedIssuer: as.issuer,
    }),
  });
  keyed = await httpSession(srv.url, { headers: { "x-api-key": KEY } });
}, 60_000);

afterAll(async () => {
  await Promise.all([person?.close(), keyed?.close()]);
  await srv?.stop();
  await as?.close();
  api?.close();
});

describe("identity: passthrough", () => {
  it("sends the OAuth caller's own access token, never kube-mcp's", async () => {
    seen.length = 0;
    const r = await call(person.client, "can_i", { cluster: "oidc" });
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toMatch(/get\s+pods/);
    expect(seen).toHaveLength(1);
    expect(payloadOf((seen[0] as string).slice(7))).toMatchObject({
      sub: "person",
      email: "carol@example.com",
    });
    expect(seen.join()).not.toContain(SVC);
    const list = await call(person.client, "clusters_list");
    const { columns, rows } = list.structured as { columns: string[]; rows: string[][] };
    expect(rows.find((x) => x[0]?.startsWith("oidc"))?.[columns.indexOf("identity")]).toBe(
      "passthrough (as carol@example.com)",
    );
  });

  it("refuses a caller without a token there, and serves it elsewhere", async () => {
    seen.length = 0;
    const r = await call(keyed.client, "can_i", { cluster: "oidc" });
    expect(r.isError).toBe(true);
    expect(r.text).toContain("cluster oidc receives each caller's own token (identity: passthrough)");
    expect(r.text).toContain("API keys carry none");
    expect(seen).toEqual([]);
    const alpha = await call(keyed.client, "resources_list", {
      kind: "pods",
      namespace: "shop",
      cluster: "alpha",
    });
    expect(alpha.isError, alpha.text).toBe(false);
  });

  it("names the caller in the audit line, never the token", () => {
    const lines = srv
      .stderr()
      .split("\n")
      .filter((l) => l.includes('"audit":true') && l.includes('"can_i"'));
    expect(lines.some((l) => l.includes('"user":"carol@example.com"'))).toBe(true);
    for (const token of seen) expect(srv.stderr()).not.toContain(token.slice(7));
  });

  it("refuses to start passthrough without an OAuth issuer", async () => {
    const p = spawnRole("serve", ["--http", "127.0.0.1:0", "--identity", "passthrough"], {
      KUBECONFIG: kubeconfig,
      MCP_API_KEY: KEY,
    });
    const code = await new Promise<number | null>((r) =>
      p.proc.exitCode !== null ? r(p.proc.exitCode) : p.proc.once("exit", (c) => r(c)),
    );
    expect(code).toBe(1);
    expect(p.log()).toContain("identity: passthrough), but no OAuth issuer is configured");
  });
});

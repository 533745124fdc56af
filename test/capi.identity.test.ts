// Cluster API workload clusters and callers' identities, on the bed (`alpha` manages, `beta` is what
// the admin kubeconfig reaches): with the admin kubeconfig, callers who have an identity are
// impersonated by default; CA-only (`capi.credentials: ca`), kube-mcp holds no credentials at all and a
// caller's own OAuth token goes to the Cluster's controlPlaneEndpoint, trusted through its `<name>-ca`
// Secret (a loopback HTTPS API server stands in for one that trusts the issuer, and records what it is sent).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientCredentialsProvider } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { capiBed } from "./helpers/capi.js";
import { call, type HttpServer, httpSession, type Session, startHttpServer } from "./helpers/mcp.js";
import { type AuthServer, CLIENTS, startAuthServer, type TestClient } from "./helpers/oidc.js";

const kubeconfig = inject("kubeconfig");
const NS = `capi-id-${Date.now().toString(36)}`;
const bed = capiBed(kubeconfig, inject("testbedBin"), NS);
const dir = mkdtempSync(join(tmpdir(), "kube-mcp-capi-id-"));
const KEY = "capi-identity-key-0123456789";
const CA_KEY_MARKER = "THE-CA-PRIVATE-KEY-NEVER-SHOWN";

const seen: string[] = [];
let api: Server;
let as: AuthServer;
let admin: HttpServer;
let caOnly: HttpServer;
const sessions: Session[] = [];

const open = async (url: string, o: Parameters<typeof httpSession>[1]) => {
  const s = await httpSession(url, o);
  sessions.push(s);
  return s;
};
const rowOf = async (s: Session, name: string) => {
  const end = Date.now() + 15_000;
  for (;;) {
    const r = await call(s.client, "clusters_list");
    const { columns, rows } = r.structured as { columns: string[]; rows: string[][] };
    const row = rows.find((x) => x[0] === name || x[0]?.startsWith(`${name} (`));
    if (row || Date.now() > end) return { row, col: (c: string) => row?.[columns.indexOf(c)], text: r.text };
    await new Promise((r) => setTimeout(r, 200));
  }
};

beforeAll(async () => {
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=stand-in",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "crt.pem"),
    ],
    { stdio: "ignore" },
  );
  const crt = readFileSync(join(dir, "crt.pem"), "utf8");
  // Answers a rules review for a JWT (a caller's token), and 401 for anything else.
  api = createServer({ key: readFileSync(join(dir, "key.pem")), cert: crt }, (req, res) => {
    const auth = String(req.headers.authorization ?? "");
    seen.push(auth);
    const jwt = /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/.test(auth);
    res.writeHead(jwt ? 201 : 401, { "content-type": "application/json" }).end(
      JSON.stringify(
        jwt
          ? {
              kind: "SelfSubjectRulesReview",
              status: { resourceRules: [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }] },
            }
          : {
              kind: "Status",
              status: "Failure",
              reason: "Unauthorized",
              code: 401,
              message: "Unauthorized",
            },
      ),
    );
  });
  await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
  const port = (api.address() as AddressInfo).port;

  await bed.setUp();
  // wc1 has both: the admin kubeconfig (reaching beta) and an endpoint, but no CA Secret.
  await bed.cluster("wc1", { controlPlaneEndpoint: { host: "127.0.0.1", port } });
  await bed.secret("wc1-kubeconfig", { value: bed.beta() });
  await bed.cluster("wc6", { controlPlaneEndpoint: { host: "127.0.0.1", port } });
  await bed.secret("wc6-ca", { "tls.crt": crt, "tls.key": CA_KEY_MARKER });
  // Its Secret names a server outside the admin server's capi.endpoints.
  await bed.cluster("wc9");
  await bed.secret("wc9-kubeconfig", {
    value: bed.beta().replace(/server: \S+/, "server: https://10.0.0.9:6443"),
  });
  await bed.cluster("wc7", { controlPlaneEndpoint: { host: "10.0.0.7", port: 6443 } });
  await bed.secret("wc7-ca", { "tls.crt": crt });

  as = await startAuthServer();
  const capi = { managementClusters: ["alpha"], namespaces: [NS], refreshSeconds: 600 };
  const apiKeys = [{ name: "k", key: KEY, user: "capi-alice" }];
  const write = (name: string, doc: unknown) => {
    writeFileSync(join(dir, name), JSON.stringify(doc));
    return join(dir, name);
  };
  [admin, caOnly] = await Promise.all([
    startHttpServer(
      ["--config", write("admin.json", { http: { apiKeys }, capi: { ...capi, endpoints: ["127.0.0.1:*"] } })],
      {
        KUBECONFIG: kubeconfig,
      },
    ),
    startHttpServer(
      [
        "--config",
        write("ca.json", {
          http: { apiKeys, oauth: { issuer: as.issuer } },
          capi: { ...capi, credentials: "ca", endpoints: ["127.0.0.1:*"] },
        }),
      ],
      { KUBECONFIG: kubeconfig },
    ),
  ]);
}, 90_000);

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close()));
  await Promise.all([admin?.stop(), caOnly?.stop()]);
  await as?.close();
  api?.close();
  await bed.tearDown();
});

const person = () => {
  const client = CLIENTS.find((c) => c.id === "person") as TestClient;
  return open(caOnly.url, {
    authProvider: new ClientCredentialsProvider({
      clientId: client.id,
      clientSecret: client.secret,
      expectedIssuer: as.issuer,
    }),
  });
};

describe("Cluster API workload clusters and callers' identities", () => {
  it("impersonate a caller who has an identity by default, through the admin kubeconfig", async () => {
    const s = await open(admin.url, { headers: { "x-api-key": KEY } });
    const wc1 = await rowOf(s, `${NS}/wc1`);
    expect(wc1.col("identity"), wc1.text).toBe("impersonate (as capi-alice)");
    expect((await rowOf(s, "alpha")).col("identity")).toBe("service");
    expect(wc1.text).toMatch(
      new RegExp(`${NS}/wc9 .*API server 10\\.0\\.0\\.9:6443 is not in capi\\.endpoints`),
    );
    // beta gives capi-alice nothing: its API server saw the person, not the admin kubeconfig's user.
    const r = await call(s.client, "resources_list", {
      kind: "secrets",
      namespace: "shop",
      cluster: `${NS}/wc1`,
    });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/capi-alice/);
  });

  it("CA-only: send the caller's own token to the controlPlaneEndpoint, trusted through the CA Secret", async () => {
    const s = await person();
    expect((await rowOf(s, `${NS}/wc6`)).col("identity")).toBe("passthrough (as carol@example.com)");
    seen.length = 0;
    const r = await call(s.client, "can_i", { cluster: `${NS}/wc6` });
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toMatch(/get\s+pods/);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((a) => /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/.test(a))).toBe(true);
  });

  it("CA-only: refuse callers without a token, sending nothing", async () => {
    const s = await open(caOnly.url, { headers: { "x-api-key": KEY } });
    seen.length = 0;
    const r = await call(s.client, "can_i", { cluster: `${NS}/wc6` });
    expect(r.isError).toBe(true);
    expect(r.text).toContain("receives each caller's own token (identity: passthrough)");
    expect(seen).toEqual([]);
  });

  it("CA-only: list a Cluster without a CA Secret, or outside capi.endpoints, with the reason", async () => {
    const s = await person();
    const wc1 = await rowOf(s, `${NS}/wc1`);
    expect(wc1.text).toMatch(new RegExp(`${NS}/wc1 .*no CA Secret ${NS}/wc1-ca on alpha`));
    expect(wc1.text).toMatch(
      new RegExp(`${NS}/wc7 .*API server 10\\.0\\.0\\.7:6443 is not in capi\\.endpoints`),
    );
    const r = await call(s.client, "resources_list", { kind: "pods", cluster: `${NS}/wc7` });
    expect(r.isError).toBe(true);
    expect(r.text).not.toContain(CA_KEY_MARKER);
    expect(wc1.text).not.toContain(CA_KEY_MARKER);
    for (const srv of [admin, caOnly]) expect(srv.stderr()).not.toContain(CA_KEY_MARKER);
  });
});

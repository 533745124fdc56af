// Per-caller identity on serve --http: named API keys and an OAuth token's email and groups are
// impersonated on cluster alpha (identity: impersonate), so the bed's RBAC decides per person, while
// beta (identity: service) still answers as kube-mcp. Forbidden answers and audit lines name the caller.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientCredentialsProvider } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { call, type HttpServer, httpSession, type Session, startHttpServer } from "./helpers/mcp.js";
import { type AuthServer, CLIENTS, startAuthServer, type TestClient } from "./helpers/oidc.js";
import { spawnRole } from "./helpers/proc.js";
import { run } from "./helpers/run.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const dir = mkdtempSync(join(tmpdir(), "kube-mcp-imp-"));
const suffix = process.pid % 100_000;
const NS_A = `imp-a-${suffix}`;
const NS_B = `imp-b-${suffix}`;
const ALICE = "alice-key-0123456789abcdef";
const BOB = "bob-key-0123456789abcdefgh";
const SHARED = "shared-key-0123456789abcdef";

const admin = (input: string | undefined, ...args: string[]) =>
  run(join(bin, "kubectl"), ["--kubeconfig", kubeconfig, "--context", "alpha", ...args], {
    ...(input ? { input } : {}),
  });

const pod = (name: string, ns: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: ns },
  spec: { containers: [{ name: "app", image: "registry.example/shop/web:1.4.2" }] },
});
// alice (by user) and the OAuth person (by group) may read pods in NS_A, nothing else.
const rbac = (subjects: Record<string, string>[]) => ({
  apiVersion: "v1",
  kind: "List",
  items: [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "pod-reader", namespace: NS_A },
      rules: [{ apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list", "watch"] }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "pod-reader", namespace: NS_A },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "pod-reader" },
      subjects,
    },
  ],
});

let as: AuthServer;
let srv: HttpServer;
let alice: Session;
let bob: Session;
let shared: Session;

function configFile(name: string, doc: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

beforeAll(async () => {
  const ns = await admin(undefined, "create", "namespace", NS_A);
  expect(ns.code, ns.stderr).toBe(0);
  expect((await admin(undefined, "create", "namespace", NS_B)).code).toBe(0);
  const objects = {
    apiVersion: "v1",
    kind: "List",
    items: [
      pod("web-a", NS_A),
      pod("web-b", NS_B),
      ...rbac([
        { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "alice" },
        { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "imp-readers" },
      ]).items,
    ],
  };
  const applied = await admin(JSON.stringify(objects), "apply", "-f", "-");
  expect(applied.code, applied.stderr).toBe(0);
  as = await startAuthServer();
  const file = configFile("serve.json", {
    http: {
      oauth: { issuer: as.issuer },
      apiKeys: [
        { name: "alice-key", key: ALICE, user: "alice", groups: ["team-a"] },
        { name: "bob-key", keyEnv: "IMP_BOB_KEY", user: "bob" },
      ],
    },
    clusters: { alpha: { identity: "impersonate" }, beta: { identity: "service" } },
  });
  srv = await startHttpServer(["--audit", "--mode", "full", "--config", file], {
    KUBECONFIG: kubeconfig,
    MCP_API_KEY: SHARED,
    IMP_BOB_KEY: BOB,
    PATH: `${bin}:${process.env.PATH}`,
  });
  alice = await httpSession(srv.url, { headers: { "x-api-key": ALICE } });
  bob = await httpSession(srv.url, { headers: { authorization: `Bearer ${BOB}` } });
  shared = await httpSession(srv.url, { headers: { "x-api-key": SHARED } });
}, 120_000);

afterAll(async () => {
  await Promise.all([alice?.close(), bob?.close(), shared?.close()]);
  expect(await srv?.stop()).toBe(0);
  await as?.close();
  await admin(undefined, "delete", "namespace", NS_A, NS_B, "--wait=false");
});

const pods = (s: Session, namespace: string, cluster = "alpha") =>
  call(s.client, "resources_list", { kind: "pods", namespace, cluster });
const kubectl = (s: Session, command: string, cluster = "alpha") =>
  call(s.client, "kubectl", { command, cluster });

/** The audit lines written so far for calls whose arguments mention `marker`. */
function auditLines(marker: string): Record<string, unknown>[] {
  return srv
    .stderr()
    .split("\n")
    .filter((l) => l.includes('"audit":true') && l.includes(marker))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("API keys with identities on an impersonating cluster", () => {
  it("lets alice list pods where RBAC lets her, as herself", async () => {
    const r = await pods(alice, NS_A);
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toContain("web-a");
  });

  it("shows in clusters_list how each cluster sees the caller", async () => {
    const r = await call(alice.client, "clusters_list");
    const { columns, rows } = r.structured as { columns: string[]; rows: string[][] };
    const identity = (name: string) =>
      rows.find((row) => row[0]?.startsWith(name))?.[columns.indexOf("identity")];
    expect(identity("alpha")).toBe("impersonate (as alice)");
    expect(identity("beta")).toBe("service");
  });

  it("answers can_i as the caller, and lists the caller's rules", async () => {
    const can = async (sess: Session, namespace: string, cluster = "alpha") => {
      const r = await call(sess.client, "can_i", { verb: "list", kind: "pods", namespace, cluster });
      expect(r.isError, r.text).toBe(false);
      return (r.structured as { rows: string[][] }).rows[0];
    };
    expect(await can(alice, NS_A)).toEqual([
      "list",
      "pods",
      NS_A,
      "yes",
      expect.stringMatching(/^RBAC for user alice/),
    ]);
    expect((await can(alice, NS_B))?.[3]).toBe("no");
    expect((await can(bob, NS_A))?.[3]).toBe("no");
    expect(await can(bob, NS_A, "beta")).toEqual([
      "list",
      "pods",
      NS_A,
      "yes",
      expect.stringMatching(/^RBAC for kube-mcp's identity/),
    ]);
    const rules = await call(alice.client, "can_i", { namespace: NS_A, cluster: "alpha" });
    expect(rules.isError, rules.text).toBe(false);
    expect(rules.text).toMatch(/get,list,watch\s+pods,pods\/log/);
    expect(rules.text).toContain(`Rules for user alice in namespace ${NS_A}`);
  });

  it("refuses alice in another namespace with an error naming her", async () => {
    const r = await pods(alice, NS_B);
    expect(r.isError).toBe(true);
    expect(r.text).toContain(
      `Forbidden: user alice (groups team-a) cannot list pods in namespace ${NS_B} on cluster alpha`,
    );
    expect(r.text).toContain('User "alice" cannot list resource "pods"');
    expect(r.text).toMatch(/retrying will not help/);
  });

  it("refuses bob everywhere, naming bob", async () => {
    for (const ns of [NS_A, NS_B]) {
      const r = await pods(bob, ns);
      expect(r.isError).toBe(true);
      expect(r.text).toContain(`Forbidden: user bob cannot list pods in namespace ${ns} on cluster alpha`);
    }
  });

  it("impersonates the kubectl passthrough: user, groups and the kube-mcp extra", async () => {
    const who = await kubectl(alice, "auth whoami -o json");
    expect(who.isError, who.text).toBe(false);
    expect(who.text).toContain('"username": "alice"');
    expect(who.text).toContain('"team-a"');
    expect(who.text).toMatch(/"kube-mcp": \[\s*"api-key alice-key"\s*\]/);
    const ok = await kubectl(alice, `get pods -n ${NS_A}`);
    expect(ok.isError, ok.text).toBe(false);
    expect(ok.text).toContain("web-a");
    const no = await kubectl(bob, `get pods -n ${NS_A}`);
    expect(no.isError).toBe(true);
    expect(no.text).toContain('User "bob" cannot list resource "pods"');
  });

  it("impersonates the helm passthrough", async () => {
    // Helm reads its release records (Secrets) in the namespace: alice may read pods there, not Secrets.
    const r = await call(alice.client, "helm", { args: ["list", "-n", NS_A], cluster: "alpha" });
    expect(r.isError).toBe(true);
    expect(r.text).toContain('User "alice" cannot list resource "secrets"');
    const beta = await call(alice.client, "helm", { args: ["list", "-n", NS_A], cluster: "beta" });
    expect(beta.isError, beta.text).toBe(false);
  });

  it("still refuses a caller's own --as", async () => {
    const r = await kubectl(bob, `get pods -n ${NS_A} --as alice`);
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/--as is never allowed/);
  });

  it("impersonates WebSocket upgrades (exec) too", async () => {
    // alice may read the pod but not exec into it: only the upgrade itself is refused, as alice.
    const r = await call(alice.client, "pods_exec", {
      cluster: "alpha",
      namespace: NS_A,
      name: "web-a",
      command: ["true"],
    });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/User \\?"alice\\?" cannot (create|get) resource \\?"pods\/exec\\?"/);
  });

  it("answers on a service cluster with kube-mcp's own identity", async () => {
    const who = await kubectl(bob, "auth whoami -o json", "beta");
    expect(who.isError, who.text).toBe(false);
    expect(who.text).not.toContain('"username": "bob"');
    const r = await pods(bob, "kube-system", "beta");
    expect(r.isError, r.text).toBe(false);
  });

  it("refuses the shared key on the impersonating cluster, and serves it on the service one", async () => {
    const r = await pods(shared, NS_A);
    expect(r.isError).toBe(true);
    expect(r.text).toContain("cluster alpha acts as each caller (identity: impersonate)");
    expect(r.text).toContain("MCP_API_KEY");
    expect((await pods(shared, "kube-system", "beta")).isError).toBe(false);
  });

  it("names the caller in every audit line, never the key", async () => {
    const lines = auditLines(`"namespace\\":\\"${NS_B}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          caller: "api-key",
          user: "alice",
          groups: ["team-a"],
          key: "alice-key",
          outcome: "error",
        }),
        expect.objectContaining({ caller: "api-key", user: "bob", key: "bob-key" }),
      ]),
    );
    expect(srv.stderr()).not.toContain(ALICE);
    expect(srv.stderr()).not.toContain(BOB);
    // The bed's admin may impersonate: no start-up complaint about grants.
    expect(srv.stderr()).not.toMatch(/may not impersonate|may impersonate no group/);
  });
});

describe("an OAuth caller", () => {
  const person = CLIENTS.find((c) => c.id === "person") as TestClient;
  let s: Session;
  beforeAll(async () => {
    s = await httpSession(srv.url, {
      authProvider: new ClientCredentialsProvider({
        clientId: person.id,
        clientSecret: person.secret,
        expectedIssuer: as.issuer,
      }),
    });
  });
  afterAll(() => s?.close());

  it("is impersonated by its email and groups", async () => {
    const who = await kubectl(s, "auth whoami -o json");
    expect(who.text).toContain('"username": "carol@example.com"');
    expect(who.text).toContain('"imp-readers"');
    const r = await pods(s, NS_A);
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toContain("web-a");
    const no = await pods(s, NS_B);
    expect(no.text).toContain(
      `Forbidden: user carol@example.com (groups imp-readers, everyone) cannot list pods in namespace ${NS_B}`,
    );
    expect(auditLines('"carol@example.com"')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          caller: "oauth",
          subject: "person",
          client: "person",
          user: "carol@example.com",
        }),
      ]),
    );
  });
});

describe("bad input", () => {
  it("says at start-up which cluster's account may not impersonate", async () => {
    const sa = "imp-no-grant";
    expect((await admin(undefined, "create", "serviceaccount", sa, "-n", NS_A)).code).toBe(0);
    const token = (
      await admin(undefined, "create", "token", sa, "-n", NS_A, "--duration", "10m")
    ).stdout.trim();
    const view = (path: string) =>
      admin(undefined, "config", "view", "--raw", "--minify", "-o", `jsonpath={${path}}`);
    const weak = configFile("weak.kubeconfig", {
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: "weak",
          cluster: {
            server: (await view(".clusters[0].cluster.server")).stdout,
            "certificate-authority-data": (await view(".clusters[0].cluster.certificate-authority-data"))
              .stdout,
          },
        },
      ],
      users: [{ name: "weak", user: { token } }],
      contexts: [{ name: "weak", context: { cluster: "weak", user: "weak" } }],
      "current-context": "weak",
    });
    const file = configFile("weak.json", {
      http: { apiKeys: [{ name: "a", key: ALICE, user: "alice" }] },
      identity: "impersonate",
    });
    const p = spawnRole("serve", ["--http", "127.0.0.1:0", "--config", file], { KUBECONFIG: weak });
    try {
      await p.waitFor(
        /kube-mcp's account on cluster weak may not impersonate users or userextras\/kube-mcp, but identity is impersonate/,
      );
    } finally {
      await p.stop();
    }
  });

  it("refuses to start with a key without a user when a cluster impersonates", async () => {
    const file = configFile("nouser.json", {
      http: { apiKeys: [{ name: "ci", key: "ci-key-0123456789abcdef" }] },
      clusters: { alpha: { identity: "impersonate" } },
    });
    const p = spawnRole("serve", ["--http", "127.0.0.1:0", "--config", file], { KUBECONFIG: kubeconfig });
    const code = await new Promise<number | null>((r) =>
      p.proc.exitCode !== null ? r(p.proc.exitCode) : p.proc.once("exit", (c) => r(c)),
    );
    expect(code).toBe(1);
    expect(p.log()).toContain('API key \\"ci\\" has no user, but callers are impersonated on cluster alpha');
    expect(p.log()).not.toContain("ci-key-0123456789abcdef");
  });

  it("refuses to start impersonating when no HTTP caller could have an identity", async () => {
    const p = spawnRole("serve", ["--http", "127.0.0.1:0", "--identity", "impersonate"], {
      KUBECONFIG: kubeconfig,
      MCP_API_KEY: SHARED,
    });
    const code = await new Promise<number | null>((r) =>
      p.proc.exitCode !== null ? r(p.proc.exitCode) : p.proc.once("exit", (c) => r(c)),
    );
    expect(code).toBe(1);
    expect(p.log()).toContain("callers are impersonated on all clusters (--identity impersonate)");
    expect(p.log()).toContain("no HTTP caller can have an identity");
  });

  it("refuses a token without the user claim on the impersonating cluster, naming the claim", async () => {
    const file = configFile("claims.json", {
      http: { oauth: { issuer: as.issuer, userClaims: ["upn"] } },
      identity: "impersonate",
    });
    const strict = await startHttpServer(["--config", file], { KUBECONFIG: kubeconfig });
    const adminClient = CLIENTS.find((c) => c.id === "admin") as TestClient;
    const s = await httpSession(strict.url, {
      authProvider: new ClientCredentialsProvider({
        clientId: adminClient.id,
        clientSecret: adminClient.secret,
        expectedIssuer: as.issuer,
      }),
    });
    const r = await pods(s, NS_A);
    await s.close();
    await strict.stop();
    expect(r.isError).toBe(true);
    expect(r.text).toContain("has no Kubernetes user: the access token has none of the user claims upn");
  });
});

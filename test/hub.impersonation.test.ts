// Per-caller identity through a hub: the hub's calls carry the caller, and the AGENT's configuration
// decides. Agent alpha (identity: impersonate) acts as each named API key's user, so the bed's RBAC
// decides per person; agent beta (service) answers as its own account. Forbidden answers name the person,
// audit lines on hub and agent name the caller, and an agent whose account may not impersonate refuses
// to start.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientCredentialsProvider } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort, type Proc, spawnRole, startAgent, TOKENS } from "./helpers/fleet.js";
import { call, httpSession, type Session } from "./helpers/mcp.js";
import { type AuthServer, CLIENTS, startAuthServer, type TestClient } from "./helpers/oidc.js";
import { run } from "./helpers/run.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const dir = mkdtempSync(join(tmpdir(), "kube-mcp-hub-imp-"));
const suffix = process.pid % 100_000;
const NS_A = `hub-imp-a-${suffix}`;
const NS_B = `hub-imp-b-${suffix}`;
const ALICE = "alice-key-0123456789abcdef";
const BOB = "bob-key-0123456789abcdefgh";
const SHARED = "shared-key-0123456789abcdef";
const MALLORY = "mallory-key-0123456789abcd";

const kubectl = (input: string | undefined, ...args: string[]) =>
  run(join(bin, "kubectl"), ["--kubeconfig", kubeconfig, "--context", "alpha", ...args], {
    ...(input ? { input } : {}),
  });

const pod = (name: string, ns: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: ns },
  spec: { containers: [{ name: "app", image: "registry.example/shop/web:1.4.2" }] },
});

function file(name: string, doc: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

let port: number;
let as: AuthServer;
let hub: Proc;
let alpha: Proc;
let beta: Proc;
let alice: Session;
let bob: Session;
let shared: Session;

beforeAll(async () => {
  expect((await kubectl(undefined, "create", "namespace", NS_A)).code).toBe(0);
  expect((await kubectl(undefined, "create", "namespace", NS_B)).code).toBe(0);
  const objects = {
    apiVersion: "v1",
    kind: "List",
    items: [
      pod("web-a", NS_A),
      pod("web-b", NS_B),
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
        subjects: [{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "team-a" }],
      },
    ],
  };
  const applied = await kubectl(JSON.stringify(objects), "apply", "-f", "-");
  expect(applied.code, applied.stderr).toBe(0);

  port = await freePort();
  as = await startAuthServer();
  const hubConfig = file("hub.json", {
    http: {
      oauth: { issuer: as.issuer },
      apiKeys: [
        { name: "alice-key", key: ALICE, user: "alice", groups: ["team-a"] },
        { name: "bob-key", key: BOB, user: "bob" },
        { name: "mallory-key", key: MALLORY, user: "mallory", groups: ["system:masters"] },
      ],
    },
    // The hub insists on gamma; its agent (service) is then refused rather than served as itself.
    // Namespace and kind policy: the hub's travels with each call, the agent's own applies beneath it.
    clusters: {
      gamma: { identity: "impersonate" },
      alpha: { kinds: { deny: ["secrets"] } },
      beta: { namespaces: { deny: ["kube-*"] } },
    },
  });
  hub = spawnRole("hub", ["--http", `127.0.0.1:${port}`, "--config", hubConfig], {
    CLUSTER_TOKENS: JSON.stringify(TOKENS),
    MCP_API_KEY: SHARED,
  });
  await hub.waitFor(/"msg":"hub serving"/);
  const o = { hubPort: port, kubeconfig, bin };
  const impersonating = file("agent-imp.json", {
    identity: "impersonate",
    kinds: { deny: ["configmaps"] },
  });
  [alpha, beta] = await Promise.all([
    startAgent("alpha", "alpha", { ...o, args: ["--config", impersonating] }),
    startAgent("beta", "beta", o),
  ]);
  const url = `http://127.0.0.1:${port}/mcp`;
  alice = await httpSession(url, { headers: { "x-api-key": ALICE } });
  bob = await httpSession(url, { headers: { "x-api-key": BOB } });
  shared = await httpSession(url, { headers: { "x-api-key": SHARED } });
}, 90_000);

afterAll(async () => {
  await Promise.all([alice?.close(), bob?.close(), shared?.close()]);
  await Promise.all([alpha?.stop(), beta?.stop(), hub?.stop()]);
  await as?.close();
  await kubectl(undefined, "delete", "namespace", NS_A, NS_B, "--wait=false");
});

const pods = (s: Session, namespace: string, cluster = "alpha") =>
  call(s.client, "resources_list", { kind: "pods", namespace, cluster });

const auditLines = (p: Proc, marker: string) =>
  p
    .log()
    .split("\n")
    .filter((l) => l.includes('"audit":true') && l.includes(marker))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("a hub in front of an impersonating agent", () => {
  it("lets alice list pods where her group may, as herself", async () => {
    const r = await pods(alice, NS_A);
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toContain("web-a");
  });

  it("shows each agent's identity in clusters_list", async () => {
    const r = await call(alice.client, "clusters_list");
    const { columns, rows } = r.structured as { columns: string[]; rows: string[][] };
    const at = columns.indexOf("identity");
    const identity = (name: string) => rows.find((row) => row[0] === name)?.[at];
    expect([identity("alpha"), identity("beta"), identity("gamma")]).toEqual(["impersonate", "service", "-"]);
  });

  it("refuses alice elsewhere and bob everywhere, naming each", async () => {
    const a = await pods(alice, NS_B);
    expect(a.isError).toBe(true);
    expect(a.text).toContain(
      `Forbidden: user alice (groups team-a) cannot list pods in namespace ${NS_B} on cluster alpha`,
    );
    const b = await pods(bob, NS_A);
    expect(b.isError).toBe(true);
    expect(b.text).toContain(`Forbidden: user bob cannot list pods in namespace ${NS_A} on cluster alpha`);
  });

  it("answers can_i on the agent as the caller", async () => {
    const can = async (sess: Session, namespace: string) =>
      (
        (await call(sess.client, "can_i", { verb: "list", kind: "pods", namespace, cluster: "alpha" }))
          .structured as { rows: string[][] }
      ).rows[0]?.slice(3, 4);
    expect(await can(alice, NS_A)).toEqual(["yes"]);
    expect(await can(alice, NS_B)).toEqual(["no"]);
  });

  it("runs the agent's kubectl as the caller", async () => {
    const who = await call(alice.client, "kubectl", { command: "auth whoami -o json", cluster: "alpha" });
    expect(who.isError, who.text).toBe(false);
    expect(who.text).toContain('"username": "alice"');
    expect(who.text).toMatch(/"kube-mcp": \[\s*"api-key alice-key"\s*\]/);
  });

  it("impersonates an OAuth caller on the agent by its email and groups", async () => {
    const person = CLIENTS.find((c) => c.id === "person") as TestClient;
    const s = await httpSession(`http://127.0.0.1:${port}/mcp`, {
      authProvider: new ClientCredentialsProvider({
        clientId: person.id,
        clientSecret: person.secret,
        expectedIssuer: as.issuer,
      }),
    });
    try {
      const who = await call(s.client, "kubectl", { command: "auth whoami -o json", cluster: "alpha" });
      expect(who.isError, who.text).toBe(false);
      expect(who.text).toContain('"username": "carol@example.com"');
      expect(who.text).toContain('"imp-readers"');
      expect(who.text).toMatch(/"kube-mcp": \[\s*"oauth person"\s*\]/);
      const r = await pods(s, NS_A);
      expect(r.text).toContain(
        `Forbidden: user carol@example.com (groups imp-readers, everyone) cannot list pods`,
      );
    } finally {
      await s.close();
    }
  });

  it("refuses a caller without a user on the agent, never acting as the agent's account", async () => {
    const r = await pods(shared, NS_A);
    expect(r.isError).toBe(true);
    expect(r.text).toContain("cluster alpha acts as each caller (identity: impersonate)");
    expect(r.text).toContain("MCP_API_KEY");
  });

  it("never impersonates a reserved system: identity the hub names", async () => {
    const m = await httpSession(`http://127.0.0.1:${port}/mcp`, { headers: { "x-api-key": MALLORY } });
    try {
      const r = await pods(m, NS_A);
      expect(r.isError).toBe(true);
      expect(r.text).toContain("the hub names the reserved Kubernetes identity system:masters");
    } finally {
      await m.close();
    }
  });

  it("leaves a service agent answering as its own account", async () => {
    const who = await call(bob.client, "kubectl", { command: "auth whoami -o json", cluster: "beta" });
    expect(who.isError, who.text).toBe(false);
    expect(who.text).not.toContain('"username": "bob"');
    expect((await pods(bob, "shop", "beta")).isError).toBe(false);
  });

  it("names the caller in the audit lines of hub and agent", async () => {
    await pods(alice, NS_A);
    const marker = `"namespace\\":\\"${NS_A}`;
    const caller = { caller: "api-key", user: "alice", groups: ["team-a"], key: "alice-key" };
    expect(auditLines(hub, marker)).toEqual(
      expect.arrayContaining([expect.objectContaining({ role: "hub", ...caller, outcome: "ok" })]),
    );
    await alpha.waitFor(/"audit":true[^\n]*"user":"alice"/);
    expect(auditLines(alpha, marker)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          role: "agent",
          ...caller,
          via: expect.stringMatching(/^hub call \d+$/),
          outcome: "ok",
        }),
      ]),
    );
    expect(hub.log() + alpha.log()).not.toContain(ALICE);
  });
});

describe("namespace and kind policy through the hub", () => {
  it("hides the kinds the hub's policy and the agent's own deny", async () => {
    const secrets = await call(alice.client, "resources_list", {
      kind: "secrets",
      namespace: NS_A,
      cluster: "alpha",
    });
    expect(secrets.text).toContain(
      "Hidden by policy: secrets is hidden on cluster alpha (kinds.deny secrets)",
    );
    const cms = await call(alice.client, "resources_list", {
      kind: "configmaps",
      namespace: NS_A,
      cluster: "alpha",
    });
    expect(cms.text).toContain("configmaps is hidden on cluster alpha (kinds.deny configmaps)");
  });

  it("filters lists across namespaces on the agent, typed and passthrough alike", async () => {
    const r = await call(bob.client, "resources_list", { kind: "pods", cluster: "beta" });
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toContain("shop");
    expect(r.text).not.toContain("kube-system");
    const k = await call(bob.client, "kubectl", { command: "get pods -A", cluster: "beta" });
    expect(k.isError, k.text).toBe(false);
    expect(k.text).toContain("shop");
    expect(k.text).not.toContain("kube-system");
    const hidden = await call(bob.client, "kubectl", { command: "get pods -n kube-system", cluster: "beta" });
    expect(hidden.text).toContain("namespace kube-system is hidden on cluster beta");
  });

  it("shows both policies in clusters_list", async () => {
    const { columns, rows } = (await call(alice.client, "clusters_list")).structured as {
      columns: string[];
      rows: string[][];
    };
    const policy = (name: string) => rows.find((row) => row[0] === name)?.[columns.indexOf("policy")];
    expect(policy("alpha")).toBe("kinds deny secrets; kinds deny configmaps");
    expect(policy("beta")).toBe("namespaces deny kube-*");
  });
});

describe("bad input", () => {
  it("refuses a cluster the hub says impersonates while its agent acts as itself", async () => {
    const gamma = await startAgent("gamma", "beta", { hubPort: port, kubeconfig, bin });
    try {
      const r = await pods(alice, "kube-system", "gamma");
      expect(r.isError).toBe(true);
      expect(r.text).toContain("its agent acts as its own ServiceAccount");
    } finally {
      await gamma.stop();
    }
  });

  it("refuses to start an impersonating agent whose account may not impersonate", async () => {
    // A ServiceAccount with no RBAC at all, mounted as an in-cluster agent's would be.
    const sa = "no-impersonate";
    expect((await kubectl(undefined, "create", "serviceaccount", sa, "-n", NS_A)).code).toBe(0);
    const token = await kubectl(undefined, "create", "token", sa, "-n", NS_A, "--duration", "10m");
    expect(token.code, token.stderr).toBe(0);
    const view = (path: string) =>
      kubectl(undefined, "config", "view", "--raw", "--minify", "-o", `jsonpath={${path}}`);
    const sadir = join(dir, "sa");
    mkdirSync(sadir, { recursive: true });
    writeFileSync(join(sadir, "token"), token.stdout.trim());
    const ca = (await view(".clusters[0].cluster.certificate-authority-data")).stdout;
    writeFileSync(join(sadir, "ca.crt"), Buffer.from(ca, "base64"));
    writeFileSync(join(sadir, "namespace"), NS_A);
    const server = new URL((await view(".clusters[0].cluster.server")).stdout);
    const agent = spawnRole("agent", ["--health", "127.0.0.1:0", "--identity", "impersonate"], {
      KUBE_MCP_SERVICE_ACCOUNT_DIR: sadir,
      KUBERNETES_SERVICE_HOST: server.hostname,
      KUBERNETES_SERVICE_PORT: server.port,
      KUBECONFIG: join(dir, "no-kubeconfig"),
      CENTRAL_SERVER_URL: `ws://127.0.0.1:${port}/agent`,
      CLUSTER_NAME: "gamma",
      AGENT_TOKEN: TOKENS.gamma,
    });
    const code = await new Promise<number | null>((r) =>
      agent.proc.exitCode !== null ? r(agent.proc.exitCode) : agent.proc.once("exit", (c) => r(c)),
    );
    expect(code).toBe(2);
    expect(agent.log()).toContain(
      "the agent's account may not impersonate users or userextras/kube-mcp, but identity is impersonate",
    );
    expect(agent.log()).not.toContain("registered with the hub");
  });
});

// A hub and one agent per test-bed cluster over real WebSocket on loopback, driven by an MCP client:
// routing and fan-out render exactly as serve does, the agent's own policy wins, a dying agent fails
// its call at once, cancellation reaches the agent, and agents come back after a hub restart.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort, type Proc, spawnRole, startAgent, TOKENS } from "./helpers/fleet.js";
import { call, httpSession, type Session, stdioSession } from "./helpers/mcp.js";
import { run } from "./helpers/run.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const dir = mkdtempSync(join(tmpdir(), "kube-mcp-hub-"));
const agentConfig = join(dir, "agent.yaml");
let port: number;
let hub: Proc;
let alpha: Proc;
let beta: Proc;
let client: Session;
let direct: Session;

const localConfig = join(dir, "local.kubeconfig");
// The hub's own policy for alpha is stricter than alpha's agent (full): the stricter must win on the agent.
const hubConfig = join(dir, "hub.yaml");
writeFileSync(hubConfig, "clusters: {alpha: {mode: non-destructive}}\n");
const startHub = () =>
  spawnRole(
    "hub",
    ["--http", `127.0.0.1:${port}`, "--mode", "full", "--kubeconfig", localConfig, "--config", hubConfig],
    { CLUSTER_TOKENS: JSON.stringify(TOKENS) },
  );
/** The agent's health address, from its start-up log line. */
const health = (p: Proc) => /"health":"([^"]+)"/.exec(p.log())?.[1] as string;
const readyz = async (p: Proc) => (await fetch(`http://${health(p)}/readyz`)).status;
const connectClient = async () => {
  client = await httpSession(`http://127.0.0.1:${port}/mcp`, { era: "modern" });
};
/** Ages differ between two calls made seconds apart; everything else must match. */
const ageless = (t: string) => t.replace(/\b\d+[smhd](\d+[smh])?\b/g, "AGE");

beforeAll(async () => {
  port = await freePort();
  writeFileSync(agentConfig, "agent: {maxBackoffMs: 1000}\n");
  // A local cluster beside the agents: the bed's beta under another name, with only that context.
  const kubectl = (...a: string[]) => run(join(bin, "kubectl"), a);
  const view = await kubectl(
    "--kubeconfig",
    kubeconfig,
    "config",
    "view",
    "--raw",
    "--minify",
    "--context",
    "beta",
  );
  writeFileSync(localConfig, view.stdout);
  expect(
    (await kubectl("--kubeconfig", localConfig, "config", "rename-context", "beta", "local-beta")).code,
  ).toBe(0);
  hub = startHub();
  await hub.waitFor(/"msg":"hub serving"/);
  const o = { hubPort: port, kubeconfig, bin, args: ["--config", agentConfig] };
  [alpha, beta] = await Promise.all([
    startAgent("alpha", "alpha", { ...o, args: [...o.args, "--mode", "full"] }),
    startAgent("beta", "beta", o),
  ]);
  await connectClient();
  direct = await stdioSession({ args: ["--mode", "full"], env: { KUBECONFIG: kubeconfig } });
}, 60_000);
afterAll(async () => {
  await client?.close();
  await direct?.close();
  await Promise.all([alpha?.stop(), beta?.stop(), hub?.stop()]);
});

describe("kube-mcp hub with agents", () => {
  it("lists both agents as connected, with versions and policy", async () => {
    const r = await call(client.client, "clusters_list");
    expect(r.isError, r.text).toBe(false);
    const rows = (r.structured as { rows: string[][] }).rows;
    const byName = new Map(rows.map((row) => [row[0], row]));
    expect(byName.get("alpha")).toEqual([
      "alpha",
      "agent",
      "yes",
      "now",
      expect.stringMatching(/^\d+\.\d+\.\d+/),
      "v1.36.3",
      expect.stringMatching(/^v1\.36\.3/),
      expect.stringMatching(/^v3\.22\.0/),
      expect.stringMatching(/^\d+ms$/),
      "full",
      "service",
      "-",
    ]);
    expect(byName.get("beta")?.slice(2, 3)).toEqual(["yes"]);
    expect(byName.get("beta")?.[9]).toBe("read-only");
    expect(byName.get("gamma")?.slice(2, 4)).toEqual(["no", "never"]);
    expect(byName.get("local-beta")?.slice(0, 3)).toEqual(["local-beta", "kubeconfig", "yes"]);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain("\nkube_mcp_agents_connected 2\n");
    expect(metrics).toContain("\nkube_mcp_agents_known 3\n");
    const agentMetrics = await (await fetch(`http://${health(alpha)}/metrics`)).text();
    expect(agentMetrics).toContain("\nkube_mcp_hub_connected 1\n");
    // Listed once: no alias doubling it in the context window.
    const listed = (await client.client.listTools()).tools.map((t) => t.name);
    expect(listed.filter((n) => /clusters/.test(n))).toEqual(["clusters_list"]);
  });

  it("fans out over agents and renders exactly as serve does", async () => {
    const args = { kind: "deployments", namespace: "shop", cluster: ["alpha", "beta"] };
    const [viaHub, local] = await Promise.all([
      call(client.client, "resources_list", args),
      call(direct.client, "resources_list", args),
    ]);
    expect(viaHub.isError, viaHub.text).toBe(false);
    expect(ageless(viaHub.text)).toBe(ageless(local.text));
    const rows = (viaHub.structured as { rows: string[][] }).rows;
    expect(new Set(rows.map((r) => r[0]))).toEqual(new Set(["alpha", "beta"]));

    const progress: string[] = [];
    const star = await call(
      client.client,
      "resources_list",
      { kind: "deployments", namespace: "shop", cluster: "*" },
      (p) => progress.push(p.message ?? ""),
    );
    expect(star.text).toContain("Cluster gamma failed: Cluster gamma has no agent connected");
    const starRows = (star.structured as { rows: string[][] }).rows;
    expect(new Set(starRows.map((r) => r[0]))).toEqual(new Set(["alpha", "beta", "local-beta"]));
    // The same cluster through its agent and directly: the same rows (ages apart, they tick).
    const cells = (name: string, from: string[][]) =>
      from.filter((r) => r[0] === name).map((r) => r.slice(1, -1));
    expect(cells("local-beta", starRows)).toEqual(cells("beta", rows));
    expect(progress.sort()).toEqual(["alpha done", "beta done", "gamma failed", "local-beta done"]);

    const logs = { name: "migrate", kind: "job", namespace: "ops", tail: 5, cluster: "beta" };
    const [hubLogs, localLogs] = await Promise.all([
      call(client.client, "pods_logs", logs),
      call(direct.client, "pods_logs", logs),
    ]);
    expect(hubLogs.text).toBe(localLogs.text);
  });

  it("runs the CLI passthrough on the agent, with the agent's kubectl", async () => {
    const r = await call(client.client, "kubectl", {
      args: ["get", "ns", "shop", "-o", "name"],
      cluster: "beta",
    });
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toContain("namespace/shop");
  });

  it("lets the agent's own read-only policy refuse a write the hub allows", async () => {
    const webReplicas = () =>
      run(join(bin, "kubectl"), [
        ...["--kubeconfig", kubeconfig, "--context", "beta"],
        ...["get", "deploy", "web", "-n", "shop", "-o", "jsonpath={.spec.replicas}"],
      ]);
    const before = await webReplicas();
    const r = await call(client.client, "resources_scale", {
      kind: "deployment",
      name: "web",
      namespace: "shop",
      replicas: 7,
      cluster: "beta",
    });
    expect(r.isError).toBe(true);
    expect(r.text).toBe("resources_scale is not allowed on cluster beta: its agent runs in read-only mode.");
    const after = await webReplicas();
    expect(after.stdout).toBe(before.stdout);
    const kdel = await call(client.client, "kubectl", { args: ["delete", "ns", "shop"], cluster: "beta" });
    expect(kdel.text).toContain("Refused on cluster beta (read-only mode)");
  });

  it("carries the hub's stricter policy for a cluster to its agent", async () => {
    const replicas = () =>
      run(join(bin, "kubectl"), [
        ...["--kubeconfig", kubeconfig, "--context", "alpha"],
        ...["get", "deploy", "web", "-n", "shop", "-o", "jsonpath={.spec.replicas}"],
      ]);
    const before = (await replicas()).stdout;
    // Scaling to zero is a write the hub advertises, but only full mode may stop a workload.
    const r = await call(client.client, "resources_scale", {
      kind: "deployment",
      name: "web",
      namespace: "shop",
      replicas: 0,
      cluster: "alpha",
    });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/^Refused on cluster alpha \(non-destructive mode\)/);
    expect(r.text).toContain("scales it to zero replicas (rule deletes)");
    expect((await replicas()).stdout).toBe(before);
  });

  it("writes one audit line per call on the hub and on the agent", async () => {
    await call(client.client, "resources_get", {
      kind: "secret",
      name: "db-credentials",
      namespace: "shop",
      cluster: "alpha",
    });
    const hubLine = hub
      .log()
      .split("\n")
      .filter((l) => l.includes('"audit":true') && l.includes('"tool":"resources_get"'))
      .map((l) => JSON.parse(l))
      .pop();
    expect(hubLine).toMatchObject({ role: "hub", caller: "anonymous", cluster: "alpha", outcome: "ok" });
    expect(JSON.parse(hubLine.args)).toEqual({ kind: "secret", name: "db-credentials", namespace: "shop" });
    expect(typeof hubLine.ms).toBe("number");
    await alpha.waitFor(/"audit":true[^\n]*"tool":"resources_get"/);
    const agentLine = JSON.parse(
      alpha
        .log()
        .split("\n")
        .filter((l) => l.includes('"audit":true') && l.includes('"tool":"resources_get"'))
        .pop() as string,
    );
    // The hub's caller, as the hub authenticated it (here no one), and the call that brought it.
    expect(agentLine).toMatchObject({ role: "agent", cluster: "alpha", outcome: "ok", caller: "anonymous" });
    expect(agentLine.via).toMatch(/^hub call \d+$/);
  });

  it("cancels a call on the agent when the client gives up", async () => {
    const gamma = await startAgent("gamma", "beta", { hubPort: port, kubeconfig, bin });
    try {
      const ctl = new AbortController();
      const started = client.client
        .callTool(
          {
            name: "kubectl",
            arguments: {
              args: ["wait", "pod/stuck-pending", "-n", "ops", "--for=condition=Ready", "--timeout=20s"],
              timeout: 25,
              cluster: "gamma",
            },
          },
          { signal: ctl.signal },
        )
        .catch((e: Error) => e);
      await new Promise((r) => setTimeout(r, 1500));
      ctl.abort();
      await started;
      const line = await gamma.waitFor(/\{[^\n]*"audit":true[^\n]*"tool":"kubectl"[^\n]*\}/, 5000);
      expect(JSON.parse(line)).toMatchObject({
        outcome: "error",
        error: "The call was cancelled by the client.",
      });
      expect(JSON.parse(line).ms).toBeLessThan(10_000);
    } finally {
      await gamma.stop("SIGKILL");
    }
  });

  it("fails a call at once when its agent dies mid-call, then reports when it was last seen", async () => {
    const gamma = await startAgent("gamma", "beta", { hubPort: port, kubeconfig, bin });
    const slow = call(client.client, "kubectl", {
      args: ["wait", "pod/stuck-pending", "-n", "ops", "--for=condition=Ready", "--timeout=20s"],
      timeout: 25,
      cluster: "gamma",
    });
    await new Promise((r) => setTimeout(r, 1500));
    const killedAt = Date.now();
    await gamma.stop("SIGKILL");
    const r = await slow;
    // Fails fast (the bound: under 2 s), not at the call's 25 s deadline.
    expect(Date.now() - killedAt).toBeLessThan(2000);
    expect(r.isError).toBe(true);
    expect(r.text).toContain("The agent for cluster gamma disconnected during the call");
    const t0 = Date.now();
    const again = await call(client.client, "resources_list", {
      kind: "pods",
      namespace: "ops",
      cluster: "gamma",
    });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(again.text).toMatch(
      /^Cluster gamma is not connected: its agent was last seen \d{4}-\d\d-\d\dT[\d:.]+Z \(\d+ s ago\)\./,
    );
  });

  it("survives a hub restart: the agents reconnect on their own", async () => {
    await client.close();
    await hub.stop();
    await Promise.all([
      alpha.waitFor(/disconnected from the hub/),
      beta.waitFor(/disconnected from the hub/),
    ]);
    expect((await fetch(`http://${health(alpha)}/healthz`)).status).toBe(200);
    expect(await readyz(alpha)).toBe(503);
    hub = startHub();
    await hub.waitFor(/"msg":"hub serving"/);
    await Promise.all([
      hub.waitFor(/"msg":"agent connected"[^\n]*"cluster":"alpha"/, 15_000),
      hub.waitFor(/"msg":"agent connected"[^\n]*"cluster":"beta"/, 15_000),
    ]);
    // Each agent registered a second time, on its own.
    const twice = /registered with the hub[\s\S]*registered with the hub/;
    await Promise.all([alpha.waitFor(twice, 5000), beta.waitFor(twice, 5000)]);
    expect(await readyz(alpha)).toBe(200);
    await connectClient();
    const r = await call(client.client, "resources_list", {
      kind: "deployments",
      namespace: "shop",
      cluster: ["alpha", "beta"],
    });
    expect(r.isError, r.text).toBe(false);
    expect(new Set((r.structured as { rows: string[][] }).rows.map((x) => x[0]))).toEqual(
      new Set(["alpha", "beta"]),
    );
  }, 40_000);
});

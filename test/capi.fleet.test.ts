// Cluster API through a hub: an agent in the management cluster (`alpha`, with `capi`) serves its
// workload clusters (Secrets pointing at `beta`) to a real hub as `alpha:<namespace>/<name>` over its
// one link; they are listed, answer, fan out with "*", and disappear when their Cluster is deleted.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { capiBed } from "./helpers/capi.js";
import { freePort, type Proc, spawnRole, startAgent, TOKENS } from "./helpers/fleet.js";
import { call, httpSession, type Session } from "./helpers/mcp.js";
import { run } from "./helpers/run.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const NS = `capi-fleet-${Date.now().toString(36)}`;
const bed = capiBed(kubeconfig, bin, NS);
const dir = mkdtempSync(join(tmpdir(), "kube-mcp-capi-fleet-"));
let hub: Proc;
let agent: Proc;
let s: Session;
let betaKey = "";

const rows = async () => (await call(s.client, "clusters_list")).text;
const until = async (ok: (text: string) => boolean) => {
  const end = Date.now() + 15_000;
  while (!ok(await rows()) && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
  return rows();
};

beforeAll(async () => {
  await bed.setUp();
  const beta = bed.beta();
  betaKey = /client-key-data: (\S+)/.exec(beta)?.[1] ?? "";
  await bed.cluster("wc1");
  await bed.secret("wc1-kubeconfig", { value: beta });
  await bed.cluster("wc2");
  const port = await freePort();
  hub = spawnRole("hub", ["--http", `127.0.0.1:${port}`], {
    CLUSTER_TOKENS: JSON.stringify({ alpha: TOKENS.alpha }),
  });
  await hub.waitFor(/"msg":"hub serving"/);
  const config = join(dir, "agent.json");
  writeFileSync(
    config,
    JSON.stringify({ capi: { managementClusters: ["alpha"], namespaces: [NS], refreshSeconds: 600 } }),
  );
  agent = await startAgent("alpha", "alpha", { hubPort: port, kubeconfig, bin, args: ["--config", config] });
  s = await httpSession(`http://127.0.0.1:${port}/mcp`, { era: "modern" });
  await until((t) => t.includes(`alpha:${NS}/wc1 `));
}, 90_000);

afterAll(async () => {
  await s?.close();
  await Promise.all([agent?.stop(), hub?.stop()]);
  await bed.tearDown();
});

describe("Cluster API through a hub agent", () => {
  it("lists the agent's workload clusters as <agent>:<namespace>/<name>, unusable ones with the reason", async () => {
    const text = await rows();
    expect(text).toMatch(new RegExp(`alpha:${NS}/wc1 +capi \\(alpha: Provisioned, DockerCluster\\) +yes`));
    expect(text).toMatch(
      new RegExp(`alpha:${NS}/wc2 .* no: no kubeconfig Secret ${NS}/wc2-kubeconfig on alpha`),
    );
    expect(text).toMatch(/^alpha +agent +yes/m);
  });

  it('answer through the agent with beta\'s objects, and are part of "*"', async () => {
    const r = await call(s.client, "resources_list", {
      kind: "deployments",
      namespace: "shop",
      cluster: `alpha:${NS}/wc1`,
    });
    expect(r.isError, r.text).toBe(false);
    const direct = await run(join(bin, "kubectl"), [
      "--kubeconfig",
      kubeconfig,
      "--context",
      "beta",
      "get",
      "deploy",
      "-n",
      "shop",
      "-o",
      "name",
    ]);
    const names = direct.stdout
      .trim()
      .split("\n")
      .map((n) => n.replace("deployment.apps/", ""));
    expect(names.length).toBeGreaterThan(0);
    for (const n of names) expect(r.text).toContain(n);
    const all = await call(s.client, "resources_list", { kind: "namespaces", cluster: "*" });
    expect(all.text).toContain(`alpha:${NS}/wc1`);
    const broken = await call(s.client, "resources_list", { kind: "namespaces", cluster: `alpha:${NS}/wc2` });
    expect(broken.isError).toBe(true);
    expect(broken.text).toContain("no kubeconfig Secret");
  });

  it("never show the kubeconfig's credentials", async () => {
    expect(betaKey.length).toBeGreaterThan(20);
    const outputs = [
      await rows(),
      (await call(s.client, "kubectl", { args: ["config", "view", "--raw"], cluster: `alpha:${NS}/wc1` }))
        .text,
      hub.log(),
    ];
    for (const o of outputs) expect(o).not.toContain(betaKey.slice(0, 40));
  });

  it("disappear from the hub as soon as their Cluster object is deleted", async () => {
    await bed.kubectl(["delete", "clusters.cluster.x-k8s.io", "wc1", "-n", NS]);
    expect(await until((t) => !t.includes(`alpha:${NS}/wc1 `))).not.toContain(`alpha:${NS}/wc1 `);
    const r = await call(s.client, "resources_list", { kind: "namespaces", cluster: `alpha:${NS}/wc1` });
    expect(r.isError).toBe(true);
  });
});

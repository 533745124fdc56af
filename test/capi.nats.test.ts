// Cluster API through hub replicas joined by NATS: the agent in the management cluster (`alpha`, with
// `capi`) is connected to replica 1 only; a client of replica 2 sees its workload clusters, reaches
// them across the bus (with replica 2's policy for them applied), and sees them go when deleted.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Nats, startNats } from "../testbed/lib/nats.js";
import { capiBed } from "./helpers/capi.js";
import { freePort, type Proc, spawnRole, startAgent, TOKENS } from "./helpers/fleet.js";
import { call, httpSession, type Session } from "./helpers/mcp.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const NS = `capi-nats-${Date.now().toString(36)}`;
const bed = capiBed(kubeconfig, bin, NS);
const dir = mkdtempSync(join(tmpdir(), "kube-mcp-capi-nats-"));
let nats: Nats;
const hubs: Proc[] = [];
let agent: Proc;
let s: Session;

const rows = async () => (await call(s.client, "clusters_list")).text;
const until = async (ok: (text: string) => boolean) => {
  const end = Date.now() + 15_000;
  while (!ok(await rows()) && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
  return rows();
};

beforeAll(async () => {
  await bed.setUp();
  await bed.cluster("wc1");
  await bed.secret("wc1-kubeconfig", { value: bed.beta() });
  nats = await startNats();
  const ports = [await freePort(), await freePort()];
  // Replica 2's own policy hides ConfigMaps on alpha's workload clusters: it must hold across the bus.
  const replica2 = join(dir, "replica-2.json");
  writeFileSync(replica2, JSON.stringify({ clusters: { "alpha:*": { kinds: { deny: ["configmaps"] } } } }));
  for (const [i, port] of ports.entries())
    hubs.push(
      spawnRole(
        "hub",
        ["--http", `127.0.0.1:${port}`, "--nats-url", nats.url, ...(i === 1 ? ["--config", replica2] : [])],
        { CLUSTER_TOKENS: JSON.stringify({ alpha: TOKENS.alpha }) },
      ),
    );
  await Promise.all(hubs.map((h) => h.waitFor(/"msg":"hub serving"/)));
  const config = join(dir, "agent.json");
  writeFileSync(
    config,
    JSON.stringify({ capi: { managementClusters: ["alpha"], namespaces: [NS], refreshSeconds: 600 } }),
  );
  agent = await startAgent("alpha", "alpha", {
    hubPort: ports[0] as number,
    kubeconfig,
    bin,
    args: ["--config", config],
  });
  s = await httpSession(`http://127.0.0.1:${ports[1]}/mcp`, { era: "modern" });
  await until((t) => t.includes(`alpha:${NS}/wc1 `));
}, 300_000);

afterAll(async () => {
  await s?.close();
  await Promise.all([agent, ...hubs].map((p) => p?.stop()));
  await nats?.stop();
  await bed.tearDown();
});

describe("Cluster API through hub replicas (NATS)", () => {
  it("lists the workload clusters of an agent held by the other replica, and reaches them across the bus", async () => {
    expect(await rows()).toMatch(
      new RegExp(`alpha:${NS}/wc1 +capi \\(alpha: Provisioned, DockerCluster\\) +yes`),
    );
    const r = await call(s.client, "resources_list", { kind: "namespaces", cluster: `alpha:${NS}/wc1` });
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toContain("shop");
  });

  it("applies the calling replica's own policy for them on the way", async () => {
    const r = await call(s.client, "resources_list", {
      kind: "configmaps",
      namespace: "shop",
      cluster: `alpha:${NS}/wc1`,
    });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/Hidden by policy: .*configmaps/);
  });

  it("drops them on the other replica once their Cluster is deleted", async () => {
    await bed.kubectl(["delete", "clusters.cluster.x-k8s.io", "wc1", "-n", NS]);
    expect(await until((t) => !t.includes(`alpha:${NS}/wc1 `))).not.toContain(`alpha:${NS}/wc1 `);
  });
});

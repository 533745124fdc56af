// `hub --capi`: the hub's own (kubeconfig) management cluster `alpha` gives it Cluster API workload
// clusters beside its agents' clusters, listed with phase, provider and the Cluster's Kubernetes
// version, reached through their kubeconfig Secrets (pointing at `beta`), and part of "*".
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { capiBed } from "./helpers/capi.js";
import { freePort, type Proc, spawnRole } from "./helpers/fleet.js";
import { call, httpSession, type Session } from "./helpers/mcp.js";

const kubeconfig = inject("kubeconfig");
const NS = `capi-hub-${Date.now().toString(36)}`;
const bed = capiBed(kubeconfig, inject("testbedBin"), NS);
const dir = mkdtempSync(join(tmpdir(), "kube-mcp-capi-hub-"));
let hub: Proc;
let s: Session;

beforeAll(async () => {
  await bed.setUp();
  await bed.cluster("wc1", { topology: { class: "dev", version: "v1.31.2" } });
  await bed.secret("wc1-kubeconfig", { value: bed.beta() });
  const config = join(dir, "hub.json");
  writeFileSync(config, JSON.stringify({ capi: { managementClusters: ["alpha"], namespaces: [NS] } }));
  const port = await freePort();
  hub = spawnRole("hub", ["--http", `127.0.0.1:${port}`, "--kubeconfig", kubeconfig, "--config", config], {});
  await hub.waitFor(/"msg":"hub serving"/);
  await hub.waitFor(/Cluster API workload clusters/);
  s = await httpSession(`http://127.0.0.1:${port}/mcp`, { era: "modern" });
}, 60_000);

afterAll(async () => {
  await s?.close();
  await hub?.stop();
  await bed.tearDown();
});

describe("hub --capi", () => {
  it("lists the hub's own workload clusters with phase, provider and the Cluster's version", async () => {
    const r = await call(s.client, "clusters_list");
    expect(r.text).toMatch(
      new RegExp(`${NS}/wc1 +capi \\(alpha: Provisioned, DockerCluster, v1\\.31\\.2\\) +yes`),
    );
  });

  it('answers through the Secret\'s kubeconfig, and is part of "*"', async () => {
    const one = await call(s.client, "resources_list", { kind: "namespaces", cluster: `${NS}/wc1` });
    expect(one.isError, one.text).toBe(false);
    expect(one.text).toContain("shop");
    const all = await call(s.client, "resources_list", { kind: "namespaces", cluster: "*" });
    expect(all.text).toContain(`${NS}/wc1`);
  });
});

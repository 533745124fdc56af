// Cluster API federation on the bed: `alpha` is the management cluster (the real Cluster CRD, pinned,
// from testbed/fetch-capi.sh; no CAPI controllers: the test writes Clusters and their kubeconfig
// Secrets itself), `beta` stands in for the workload clusters their Secrets point at.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { call, type Session, stdioSession } from "./helpers/mcp.js";
import { run } from "./helpers/run.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const NS = `capi-${Date.now().toString(36)}`;
const dir = mkdtempSync(join(tmpdir(), "kube-mcp-capi-"));
let s: Session;
let betaKey = "";
let betaConfig = "";

const kubectl = async (args: string[], input?: string) => {
  const r = await run(join(bin, "kubectl"), ["--kubeconfig", kubeconfig, "--context", "alpha", ...args], {
    ...(input !== undefined ? { input } : {}),
  });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};

const cluster = (name: string) =>
  `apiVersion: cluster.x-k8s.io/v1beta1\nkind: Cluster\nmetadata: {name: ${name}, namespace: ${NS}}\nspec:\n  infrastructureRef: {apiVersion: infrastructure.cluster.x-k8s.io/v1beta1, kind: DockerCluster, name: ${name}}\n`;
const provisioned = (name: string) =>
  kubectl([
    "patch",
    "clusters.cluster.x-k8s.io",
    name,
    "-n",
    NS,
    "--subresource=status",
    "--type=merge",
    "-p",
    '{"status":{"phase":"Provisioned"}}',
  ]);
const secret = (name: string, value: string) =>
  kubectl(
    ["apply", "-f", "-"],
    JSON.stringify({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: `${name}-kubeconfig`, namespace: NS },
      data: { value: Buffer.from(value).toString("base64") },
    }),
  );
const rows = async () => (await call(s.client, "clusters_list")).text;
/** Waits for clusters_list to satisfy `ok`; far less than the resync (600 s), so only a watch can do it. */
const until = async (ok: (text: string) => boolean) => {
  const end = Date.now() + 10_000;
  while (!ok(await rows()) && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
  return rows();
};

beforeAll(async () => {
  const crd = execFileSync(join(import.meta.dirname, "..", "testbed", "fetch-capi.sh"), { encoding: "utf8" })
    .trim()
    .split("\n")
    .pop() as string;
  await kubectl(["apply", "--server-side", "-f", crd]);
  await kubectl(["wait", "--for=condition=Established", "crd/clusters.cluster.x-k8s.io", "--timeout=60s"]);
  await kubectl(["create", "namespace", NS]);
  // beta's admin kubeconfig, inline, as CAPI stores a workload cluster's.
  const beta = execFileSync(
    join(bin, "kubectl"),
    ["--kubeconfig", kubeconfig, "config", "view", "--raw", "--minify", "--flatten", "--context", "beta"],
    { encoding: "utf8" },
  );
  betaConfig = beta;
  betaKey = /client-key-data: (\S+)/.exec(beta)?.[1] ?? "";
  expect(betaKey.length).toBeGreaterThan(20);
  for (const n of ["wc1", "wc2", "wc3", "wc4"]) await kubectl(["apply", "-f", "-"], cluster(n));
  for (const n of ["wc1", "wc2", "wc3"]) await provisioned(n);
  await secret("wc1", beta);
  await secret(
    "wc3",
    beta.replace(
      /client-key-data: \S+/,
      "exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/true}",
    ),
  );
  const config = join(dir, "capi.yaml");
  writeFileSync(
    config,
    `capi:\n  managementClusters: [alpha]\n  namespaces: [${NS}]\n  refreshSeconds: 600\nclusters:\n  "${NS}/*": {mode: read-only}\n`,
  );
  s = await stdioSession({
    args: ["--config", config, "--mode", "non-destructive"],
    env: { KUBECONFIG: kubeconfig },
  });
  await until((t) => t.includes(`${NS}/wc1`));
});
afterAll(async () => {
  await s?.close();
  await run(join(bin, "kubectl"), [
    "--kubeconfig",
    kubeconfig,
    "--context",
    "alpha",
    "delete",
    "ns",
    NS,
    "--wait=false",
  ]);
});

describe("Cluster API workload clusters", () => {
  it("are listed by <namespace>/<name> with their management cluster, phase and infrastructure", async () => {
    const text = await rows();
    expect(text).toMatch(
      new RegExp(
        `${NS}/wc1 +capi \\(alpha: Provisioned, DockerCluster\\) +https://127\\.0\\.0\\.1:\\d+ +v1\\.\\d+\\.\\d+ +yes`,
      ),
    );
  });

  it("say why one cannot be used, and the others keep working", async () => {
    const text = await rows();
    expect(text).toMatch(new RegExp(`${NS}/wc2 .*no: .*no kubeconfig Secret ${NS}/wc2-kubeconfig on alpha`));
    expect(text).toMatch(
      new RegExp(`${NS}/wc3 .*no: .*kubeconfig uses exec: kube-mcp accepts only inline credentials`),
    );
    expect(text).toMatch(new RegExp(`${NS}/wc4 .*no: .*not provisioned yet \\(phase`));
    const r = await call(s.client, "resources_list", { kind: "namespaces", cluster: `${NS}/wc2` });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/cannot be used: no kubeconfig Secret/);
  });

  it("answer through the kubeconfig in their Secret: beta's objects", async () => {
    const wc1 = await call(s.client, "resources_list", {
      kind: "deployments",
      namespace: "shop",
      cluster: `${NS}/wc1`,
    });
    const beta = await call(s.client, "resources_list", {
      kind: "deployments",
      namespace: "shop",
      cluster: "beta",
    });
    expect(wc1.isError, wc1.text).toBe(false);
    const names = (t: string) => [...t.matchAll(/^(\S+) +\d+\/\d+/gm)].map((m) => m[1]).sort();
    expect(names(wc1.text)).toEqual(names(beta.text));
    expect(names(wc1.text).length).toBeGreaterThan(0);
  });

  it("take their policy from a glob under clusters:", async () => {
    const text = await rows();
    expect(text).toMatch(new RegExp(`${NS}/wc1 .* read-only `));
    expect(text).toMatch(/\bbeta .* non-destructive /);
  });

  it('are part of "*"', async () => {
    const all = await call(s.client, "resources_list", { kind: "namespaces", cluster: "*" });
    expect(all.text).toContain(`${NS}/wc1`);
  });

  it("never show the kubeconfig's credentials", async () => {
    const outputs = [
      await rows(),
      (await call(s.client, "kubectl", { args: ["config", "view", "--raw"], cluster: `${NS}/wc1` })).text,
      (
        await call(s.client, "resources_get", {
          kind: "secret",
          name: "wc1-kubeconfig",
          namespace: NS,
          cluster: "alpha",
        })
      ).text,
    ];
    for (const o of outputs) expect(o).not.toContain(betaKey.slice(0, 40));
  });

  it("appear as soon as their Cluster object is written (a watch, not the resync)", async () => {
    await secret("wc5", betaConfig);
    await kubectl(["apply", "-f", "-"], cluster("wc5"));
    await provisioned("wc5");
    expect(await until((t) => new RegExp(`${NS}/wc5 .* yes`).test(t))).toMatch(
      new RegExp(`${NS}/wc5 +capi \\(alpha: Provisioned, DockerCluster\\)`),
    );
  });

  it("become usable as soon as their kubeconfig Secret is written", async () => {
    await secret("wc2", betaConfig);
    const text = await until((t) => !new RegExp(`${NS}/wc2 .*no: `).test(t));
    expect(text).not.toMatch(new RegExp(`${NS}/wc2 .*no: `));
    const r = await call(s.client, "resources_list", { kind: "namespaces", cluster: `${NS}/wc2` });
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toContain("shop");
  });

  it("disappear as soon as their Cluster object is deleted", async () => {
    await kubectl(["delete", "clusters.cluster.x-k8s.io", "wc1", "-n", NS]);
    expect(await until((t) => !t.includes(`${NS}/wc1 `))).not.toContain(`${NS}/wc1 `);
  });

  // Last: every clusters_list from here on waits out the probe's deadline for the silent one.
  it("say when one does not answer, and the others keep answering", async () => {
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    try {
      const port = (silent.address() as AddressInfo).port;
      await secret("wc8", betaConfig.replace(/server: \S+/, `server: https://127.0.0.1:${port}`));
      await kubectl(["apply", "-f", "-"], cluster("wc8"));
      await provisioned("wc8");
      const text = await until((t) => t.includes(`${NS}/wc8 `));
      expect(text).toMatch(new RegExp(`${NS}/wc8 .* no: `));
      expect(text).toMatch(new RegExp(`${NS}/wc5 .* yes `));
      const r = await call(s.client, "resources_list", { kind: "namespaces", cluster: `${NS}/wc5` });
      expect(r.isError, r.text).toBe(false);
    } finally {
      silent.close();
    }
  });
});

// The write guard through a hub: the agent plans and guards on its cluster, at the stricter of its own
// mode and the hub's, with only the rules both let through. Attacks are checked on the cluster too.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { leaks } from "../helpers/canary.js";
import { freePort, type Proc, spawnRole, startAgent, TOKENS } from "../helpers/fleet.js";
import { call, httpSession, type Session } from "../helpers/mcp.js";
import { run } from "../helpers/run.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const ns = `guard-hub-${Date.now().toString(36)}`;
const dir = mkdtempSync(join(tmpdir(), "kube-mcp-guard-hub-"));
const outputs: string[] = [];
let hub: Proc;
let agent: Proc;
let client: Session;

const kubectl = (...args: string[]) =>
  run(join(bin, "kubectl"), ["--kubeconfig", kubeconfig, "--context", "alpha", ...args]);
async function tool(name: string, args: Record<string, unknown>) {
  const r = await call(client.client, name, { cluster: "alpha", ...args });
  outputs.push(r.text, JSON.stringify(r.structured ?? null));
  return r;
}
const patch = (body: unknown) =>
  tool("resources_patch", { kind: "deployment", name: "app", namespace: ns, patch: JSON.stringify(body) });

beforeAll(async () => {
  const created = await kubectl("create", "namespace", ns);
  expect(created.code, created.stderr).toBe(0);
  await kubectl("create", "deployment", "app", "-n", ns, "--image=registry.example/app:1", "--replicas=2");
  await kubectl("create", "secret", "generic", "db", "-n", ns, "--from-literal=password=kmcp-canary-hub-pw");
  // The hub runs alpha in non-destructive mode and lets Secret imports through; the agent runs in full.
  const hubConfig = join(dir, "hub.yaml");
  writeFileSync(hubConfig, "mode: non-destructive\nclusters: {alpha: {allow: [secretRefs]}}\n");
  const port = await freePort();
  hub = spawnRole("hub", ["--http", `127.0.0.1:${port}`, "--config", hubConfig], {
    CLUSTER_TOKENS: JSON.stringify({ alpha: TOKENS.alpha }),
  });
  await hub.waitFor(/"msg":"hub serving"/);
  agent = await startAgent("alpha", "alpha", { hubPort: port, kubeconfig, bin, args: ["--mode", "full"] });
  client = await httpSession(`http://127.0.0.1:${port}/mcp`, { era: "modern" });
}, 60_000);

afterAll(async () => {
  await client?.close();
  await Promise.all([agent?.stop(), hub?.stop()]);
  await kubectl("delete", "namespace", ns, "--wait=false");
  await kubectl("delete", "clusterrolebinding", `${ns}-pwn`, "--ignore-not-found");
});

describe("the guard through a hub and its agent", () => {
  it("refuses a cluster-admin binding on a full-mode agent behind a non-destructive hub", async () => {
    const r = await tool("resources_apply", {
      manifest: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ${ns}-pwn}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: default, namespace: ${ns}}]`,
    });
    expect(r.isError).toBe(true);
    expect(r.text).toContain("(rule rbac)");
    expect((await kubectl("get", "clusterrolebinding", `${ns}-pwn`, "--ignore-not-found")).stdout).toBe("");
  });

  it("runs the kubectl passthrough on the full agent at the hub's mode: reads work, scaling to zero is refused", async () => {
    const read = await tool("kubectl", { args: ["get", "deployment", "app", "-n", ns] });
    expect(read.isError, read.text).toBe(false);
    expect(read.text).toContain("app");
    const r = await tool("kubectl", { args: ["scale", "deployment/app", "-n", ns, "--replicas=0"] });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/scaling to zero is only allowed in full mode|rule deletes/);
    expect((await kubectl("get", "deploy", "app", "-n", ns, "-o", "jsonpath={.spec.replicas}")).stdout).toBe(
      "2",
    );
  });

  it("lets through the rule the hub allows and the full agent allows too, and no other", async () => {
    const ok = await patch({
      spec: {
        template: { spec: { containers: [{ name: "app", envFrom: [{ secretRef: { name: "db" } }] }] } },
      },
    });
    expect(ok.isError, ok.text).toBe(false);
    const refused = await patch({ spec: { template: { spec: { serviceAccountName: "builder" } } } });
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain("(rule serviceAccounts)");
  });

  it("refuses a JSON patch that would copy a Secret value, and leaks nothing", async () => {
    const r = await tool("resources_patch", {
      kind: "secret",
      name: "db",
      namespace: ns,
      type: "json",
      patch: '[{"op":"copy","from":"/data/password","path":"/metadata/annotations/x"}]',
    });
    expect(r.isError).toBe(true);
    expect(outputs.flatMap(leaks)).toEqual([]);
  });
});

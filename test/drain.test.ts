// nodes_drain against a dedicated simulated node: evictions honour a PodDisruptionBudget, unmanaged
// pods need force, DaemonSet pods stay, and cordon state is what the answer says.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { inner } from "./helpers/fence.js";
import { call, type Session, stdioSession } from "./helpers/mcp.js";
import { run } from "./helpers/run.js";

const id = Date.now().toString(36);
const node = `drain-${id}`;
const ns = `drain-${id}`;
let s: Session;
let nd: Session;

const kubectl = (args: string[], input?: string) =>
  run(
    join(inject("testbedBin"), "kubectl"),
    ["--kubeconfig", inject("kubeconfig"), "--context", "alpha", ...args],
    input === undefined ? {} : { input },
  );
const onNode = async () =>
  (await kubectl(["get", "pods", "-n", ns, "--field-selector", `spec.nodeName=${node}`, "-o", "name"])).stdout
    .trim()
    .split("\n")
    .filter(Boolean);
const deployment = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  replicas: 2
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {nodeSelector: {kubernetes.io/hostname: ${node}}, containers: [{name: c, image: registry.example/${name}:1}]}
`;

beforeAll(async () => {
  const setup = `apiVersion: v1
kind: Node
metadata: {name: ${node}, labels: {kubernetes.io/hostname: ${node}, type: kwok}, annotations: {kwok.x-k8s.io/node: fake}}
status: {allocatable: {cpu: "8", memory: 32Gi, pods: "110"}, capacity: {cpu: "8", memory: 32Gi, pods: "110"}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ${ns}}
`;
  expect((await kubectl(["apply", "-f", "-"], setup)).code).toBe(0);
  expect((await kubectl(["wait", "--for=condition=Ready", `node/${node}`, "--timeout=60s"])).code).toBe(0);
  await kubectl(["wait", "--for=create", "serviceaccount/default", "-n", ns, "--timeout=60s"]);
  const workloads = `${deployment("free")}---\n${deployment("guarded")}---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: guarded, namespace: ${ns}}
spec: {minAvailable: 2, selector: {matchLabels: {app: guarded}}}
---
apiVersion: v1
kind: Pod
metadata: {name: loner, namespace: ${ns}}
spec: {nodeName: ${node}, containers: [{name: c, image: registry.example/loner:1}]}
`;
  const applied = await kubectl(["apply", "-f", "-"], workloads);
  expect(applied.code, applied.stderr).toBe(0);
  expect(
    (await kubectl(["rollout", "status", "-n", ns, "deploy/free", "deploy/guarded", "--timeout=90s"])).code,
  ).toBe(0);
  s = await stdioSession({ args: ["--mode", "full"], env: { KUBECONFIG: inject("kubeconfig") } });
  nd = await stdioSession({ env: { KUBECONFIG: inject("kubeconfig") } });
});
afterAll(async () => {
  await s?.close();
  await nd?.close();
  await kubectl(["delete", "namespace", ns, "--wait=false"]);
  await kubectl(["delete", "node", node, "--wait=false"]);
});

describe("nodes_drain", () => {
  it("refuses to drain a node with unmanaged pods unless forced, changing nothing", async () => {
    const r = await call(s.client, "nodes_drain", { name: node, action: "drain", cluster: "alpha" });
    expect(r.isError).toBe(true);
    expect(r.text).toContain(`runs pods no controller would recreate: ${ns}/loner. Nothing was changed.`);
    expect((await kubectl(["get", "node", node, "-o", "jsonpath={.spec.unschedulable}"])).stdout).toBe("");
  });

  it("evicts what the budget allows, reports what it blocks, and leaves DaemonSet pods", async () => {
    expect(await onNode()).toHaveLength(5);
    const r = await call(s.client, "nodes_drain", {
      name: node,
      action: "drain",
      force: true,
      timeoutSeconds: 4,
      cluster: "alpha",
    });
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toContain(`Node ${node} cordoned.`);
    expect(r.text).toMatch(new RegExp(`Evicted: .*${ns}/free-.*${ns}/free-.*${ns}/loner`));
    expect(r.text).toMatch(
      new RegExp(
        `Blocked by a PodDisruptionBudget until the deadline: ${ns}/guarded-\\S+, ${ns}/guarded-\\S+\\.`,
      ),
    );
    expect(r.text).toContain("Left in place (DaemonSet): ops/node-agent-");
    expect((await kubectl(["get", "node", node, "-o", "jsonpath={.spec.unschedulable}"])).stdout).toBe(
      "true",
    );
    await expect
      .poll(async () => (await onNode()).filter((p) => p.includes("guarded")).length, { timeout: 20_000 })
      .toBe(2);
    await expect
      .poll(async () => (await onNode()).filter((p) => !p.includes("guarded")).length, { timeout: 20_000 })
      .toBe(0);
  });

  it("uncordons", async () => {
    const r = await call(s.client, "nodes_drain", { name: node, action: "uncordon", cluster: "alpha" });
    expect(inner(r.text)).toBe(`Node ${node} uncordoned.`);
    expect((await kubectl(["get", "node", node, "-o", "jsonpath={.spec.unschedulable}"])).stdout).toBe("");
  });

  it("is not advertised outside full mode", async () => {
    expect((await nd.client.listTools()).tools.map((t) => t.name)).not.toContain("nodes_drain");
  });
});

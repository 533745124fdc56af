// rollout and resources_delete through MCP against the test bed, in full mode, in their own namespace.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { inner } from "./helpers/fence.js";
import { call, hints, type Session, stdioSession } from "./helpers/mcp.js";
import { run } from "./helpers/run.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const ns = `rollout-${Date.now().toString(36)}`;
let s: Session;
let nd: Session;

const kubectl = (...args: string[]) =>
  run(join(bin, "kubectl"), ["--kubeconfig", kubeconfig, "--context", "alpha", ...args]);
const image = async () =>
  (
    await kubectl(
      "get",
      "deploy",
      "demo",
      "-n",
      ns,
      "-o",
      "jsonpath={.spec.template.spec.containers[0].image}",
    )
  ).stdout;
const tool = (name: string, args: Record<string, unknown>) =>
  call(s.client, name, { cluster: "alpha", namespace: ns, ...args });

beforeAll(async () => {
  s = await stdioSession({ args: ["--mode", "full"], env: { KUBECONFIG: kubeconfig } });
  nd = await stdioSession({ env: { KUBECONFIG: kubeconfig } });
  const cms = Array.from(
    { length: 5 },
    (_, i) =>
      `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: batch-${i}, namespace: ${ns}, labels: {batch: "yes"}}`,
  ).join("\n");
  const r = await call(s.client, "resources_apply", {
    cluster: "alpha",
    manifest: `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: demo, namespace: ${ns}}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: demo}}\n  template:\n    metadata: {labels: {app: demo}}\n    spec: {containers: [{name: demo, image: "registry.example/demo:1"}]}\n${cms}`,
  });
  expect(r.isError, r.text).toBe(false);
});
afterAll(async () => {
  await s?.close();
  await nd?.close();
  await kubectl("delete", "namespace", ns, "--wait=false");
});

describe("rollout_status and rollout_change", () => {
  it("waits for a rollout to finish", async () => {
    const r = await tool("rollout_status", {
      action: "status",
      kind: "deployment",
      name: "demo",
      timeoutSeconds: 60,
    });
    expect(inner(r.text)).toBe("deployments.apps/demo: successfully rolled out (2 replicas).");
  });

  it("lists history and undoes to the previous revision", async () => {
    const p = await tool("resources_patch", {
      kind: "deploy",
      name: "demo",
      patch:
        '{"spec":{"template":{"spec":{"containers":[{"name":"demo","image":"registry.example/demo:2"}]}}}}',
    });
    expect(p.isError, p.text).toBe(false);
    expect(await image()).toBe("registry.example/demo:2");
    await tool("rollout_status", { action: "status", kind: "deployment", name: "demo" });
    const history = await tool("rollout_status", { action: "history", kind: "deployment", name: "demo" });
    expect(inner(history.text)).toMatch(
      /^REVISION\s+CHANGE-CAUSE\s+IMAGES\n2\s+<none>\s+registry.example\/demo:2\n1\s+<none>\s+registry.example\/demo:1$/,
    );
    const undo = await tool("rollout_change", { action: "undo", kind: "deployment", name: "demo" });
    expect(inner(undo.text)).toBe("deployments.apps/demo rolled back to revision 1.");
    expect(await image()).toBe("registry.example/demo:1");
    const bad = await tool("rollout_change", {
      action: "undo",
      kind: "deployment",
      name: "demo",
      toRevision: 99,
    });
    expect(bad.isError).toBe(true);
    expect(bad.text).toMatch(/Revision 99 does not exist \(revisions: /);
  });

  it("restarts, pauses and resumes", async () => {
    expect(
      (await tool("rollout_change", { action: "restart", kind: "deployment", name: "demo" })).isError,
    ).toBe(false);
    const restarted = await kubectl(
      "get",
      "deploy",
      "demo",
      "-n",
      ns,
      "-o",
      "jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}",
    );
    expect(restarted.stdout).toMatch(/^\d{4}-\d\d-\d\dT/);
    await tool("rollout_change", { action: "pause", kind: "deployment", name: "demo" });
    expect((await kubectl("get", "deploy", "demo", "-n", ns, "-o", "jsonpath={.spec.paused}")).stdout).toBe(
      "true",
    );
    const seen: { progress: number; total?: number; message?: string }[] = [];
    const waited = await call(
      s.client,
      "rollout_status",
      {
        cluster: "alpha",
        namespace: ns,
        action: "status",
        kind: "deployment",
        name: "demo",
        timeoutSeconds: 3,
      },
      (p) => seen.push(p),
    );
    expect(inner(waited.text)).toBe("deployments.apps/demo: the rollout is paused (stopped waiting).");
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen[0]).toMatchObject({ total: 3, message: "the rollout is paused" });
    expect(seen.map((p) => p.progress)).toEqual([...seen.map((p) => p.progress)].sort((a, b) => a - b));
    // The name it had before the rename still works for a release (not listed).
    await tool("rollout", { action: "resume", kind: "deployment", name: "demo" });
    expect((await kubectl("get", "deploy", "demo", "-n", ns, "-o", "jsonpath={.spec.paused}")).stdout).toBe(
      "",
    );
  });
});

describe("annotations in full mode", () => {
  it("mark destructive tools, and idempotent only those that are", async () => {
    const tools = new Map((await s.client.listTools()).tools.map((t) => [t.name, t.annotations]));
    const expected: [string, boolean][] = [
      ["resources_delete", true],
      ["nodes_drain", true],
      ["pods_exec", false],
      ["pods_debug", false],
      ["pods_port_forward", false],
      ["kubectl", false],
    ];
    for (const [name, idempotent] of expected)
      expect(hints(tools.get(name)), name).toMatchObject({
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: idempotent,
      });
    expect(hints(tools.get("rollout_change"))).toMatchObject({
      destructiveHint: false,
      idempotentHint: false,
    });
  });
});

describe("resources_delete", () => {
  it("is not advertised in non-destructive mode", async () => {
    expect((await nd.client.listTools()).tools.map((t) => t.name)).not.toContain("resources_delete");
    const called = await call(nd.client, "resources_delete", {
      cluster: "alpha",
      namespace: ns,
      kind: "cm",
      name: "batch-0",
    });
    expect(called.isError).toBe(true);
    expect(called.text).toContain(
      "resources_delete is not available: this server runs in non-destructive mode, which allows reads and changes, but nothing that deletes, evicts or runs code. It needs full mode",
    );
    expect((await kubectl("get", "cm", "batch-0", "-n", ns)).code).toBe(0);
  });

  it("needs the exact count to delete many by selector", async () => {
    const refused = await tool("resources_delete", { kind: "cm", labelSelector: "batch=yes" });
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(
      /^This would delete 5 configmaps in namespace .*: batch-0, batch-1, batch-2, batch-3, batch-4\. Nothing was deleted\.\nIf that is intended, call again with confirm: 5\.$/,
    );
    expect(
      (await kubectl("get", "cm", "-n", ns, "-l", "batch=yes", "-o", "name")).stdout.trim().split("\n"),
    ).toHaveLength(5);
    const dry = await tool("resources_delete", {
      kind: "cm",
      labelSelector: "batch=yes",
      confirm: 5,
      dryRun: true,
    });
    expect(inner(dry.text)).toMatch(/^Would delete \(dry run\) configmaps/);
    expect(
      (await kubectl("get", "cm", "-n", ns, "-l", "batch=yes", "-o", "name")).stdout.trim().split("\n"),
    ).toHaveLength(5);
    const done = await tool("resources_delete", { kind: "cm", labelSelector: "batch=yes", confirm: 5 });
    expect(inner(done.text)).toMatch(
      /^Deleted configmaps in .*: batch-0, batch-1, batch-2, batch-3, batch-4\.$/,
    );
    expect((await kubectl("get", "cm", "-n", ns, "-l", "batch=yes", "-o", "name")).stdout).toBe("");
  });

  it("deletes one object by name and says when it does not exist", async () => {
    expect(inner((await tool("resources_delete", { kind: "deploy", name: "demo" })).text)).toMatch(
      /^Deleted deployments.apps in .*: demo\.$/,
    );
    const again = await tool("resources_delete", { kind: "deploy", name: "demo" });
    expect(again.isError).toBe(true);
    expect(again.text).toContain("Deployment demo not found");
    const neither = await tool("resources_delete", { kind: "cm" });
    expect(neither.text).toBe("Give exactly one of name or labelSelector.");
  });
});

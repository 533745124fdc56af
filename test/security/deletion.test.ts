// Threat class 3, deletion without a destructive tool: owner references, finalizers, scaling to zero
// in any spelling, suspends and rollbacks are refused outside full mode, and the object is still
// there, unchanged, afterwards.
import { describe, expect, it } from "vitest";
import { leaks } from "../helpers/canary.js";
import { guardBed } from "./guard-bed.js";

const { ns, PASSWORD, SECRET, outputs, kubectl, get, tool, kc, app } = guardBed("deletion");

describe("deletion without a destructive tool", () => {
  it("refuses a made-up owner reference (the garbage collector would delete the object)", async () => {
    const r = await tool("non-destructive", "resources_patch", {
      kind: "configmap",
      name: "held",
      namespace: ns,
      patch: JSON.stringify({
        metadata: {
          ownerReferences: [
            {
              apiVersion: "v1",
              kind: "Namespace",
              name: "gone",
              uid: "00000000-0000-0000-0000-000000000001",
            },
          ],
        },
      }),
    });
    expect(r.isError).toBe(true);
    expect(r.text).toContain("(rule deletes)");
    expect(await get("configmap", "held", "-o", "jsonpath={.metadata.ownerReferences}")).toBe("");
  });

  it("refuses removing a finalizer", async () => {
    const r = await tool("non-destructive", "resources_patch", {
      kind: "configmap",
      name: "held",
      namespace: ns,
      type: "json",
      patch: '[{"op":"remove","path":"/metadata/finalizers"}]',
    });
    expect(r.isError).toBe(true);
    expect(r.text).toContain("removes finalizers");
    expect(await get("configmap", "held", "-o", "jsonpath={.metadata.finalizers}")).toContain(
      "kube-mcp.test/hold",
    );
  });

  it.each([
    [
      "kubectl scale --replicas=00",
      () => kc("non-destructive", "scale", "deployment/app", "-n", ns, "--replicas=00"),
    ],
    [
      "kubectl scale --replicas 0",
      () => kc("non-destructive", "scale", "deployment/app", "-n", ns, "--replicas", "0"),
    ],
    [
      "kubectl patch replicas 0",
      () =>
        kc(
          "non-destructive",
          "patch",
          "deployment",
          "app",
          "-n",
          ns,
          "--type=merge",
          "-p",
          '{"spec":{"replicas":0}}',
        ),
    ],
    [
      "a JSON patch to zero",
      () =>
        tool("non-destructive", "resources_patch", {
          kind: "deployment",
          name: "app",
          namespace: ns,
          type: "json",
          patch: '[{"op":"replace","path":"/spec/replicas","value":0}]',
        }),
    ],
    [
      "an apply with replicas 0",
      () =>
        tool("non-destructive", "resources_apply", {
          manifest: app.replace("replicas: 2", "replicas: 0"),
          force: true,
        }),
    ],
    [
      "resources_scale to 0",
      () =>
        tool("non-destructive", "resources_scale", {
          kind: "deployment",
          name: "app",
          namespace: ns,
          replicas: 0,
        }),
    ],
  ])("refuses %s, and the workload keeps running", async (_l, attack) => {
    const r = await attack();
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(
      /scales it to zero replicas \(rule deletes\)|scaling to zero is only allowed in full mode/,
    );
    expect(await get("deploy", "app", "-o", "jsonpath={.spec.replicas}")).toBe("2");
  });

  it("refuses suspending a CronJob", async () => {
    const r = await kc(
      "non-destructive",
      "patch",
      "cronjob",
      "nightly",
      "-n",
      ns,
      "-p",
      '{"spec":{"suspend":true}}',
    );
    expect(r.isError).toBe(true);
    expect(r.text).toContain("(rule deletes)");
    expect(await get("cronjob", "nightly", "-o", "jsonpath={.spec.suspend}")).toBe("false");
  });

  it("refuses a rollout undo to a template that imported a Secret, and undoes an ordinary one", async () => {
    const deploy = (...a: string[]) => kubectl(...a, "-n", ns);
    expect((await deploy("create", "deployment", "hist", "--image=registry.example/hist:1")).code).toBe(0);
    await deploy("set", "env", "deployment/hist", "--from=secret/db");
    await deploy("rollout", "status", "deployment/hist", "--timeout=60s");
    await deploy("set", "env", "deployment/hist", "PASSWORD-");
    await deploy("rollout", "status", "deployment/hist", "--timeout=60s");
    const generation = await get("deploy", "hist", "-o", "jsonpath={.metadata.generation}");
    const r = await kc("non-destructive", "rollout", "undo", "deployment/hist", "-n", ns);
    expect(r.isError, r.text).toBe(true);
    expect(r.text).toContain("(rule secretRefs)");
    expect(await get("deploy", "hist", "-o", "jsonpath={.metadata.generation}")).toBe(generation);
    await deploy("set", "image", "deployment/hist", "hist=registry.example/hist:2");
    await deploy("rollout", "status", "deployment/hist", "--timeout=60s");
    const ok = await kc("non-destructive", "rollout", "undo", "deployment/hist", "-n", ns);
    expect(ok.isError, ok.text).toBe(false);
    expect(await get("deploy", "hist", "-o", "jsonpath={.spec.template.spec.containers[0].image}")).toBe(
      "registry.example/hist:1",
    );
  });

  it("refuses every write in read-only mode, whatever the path", async () => {
    const r = await kc("read-only", "label", "deployment", "app", "-n", ns, "x=y");
    expect(r.isError).toBe(true);
    expect(await get("deploy", "app", "-o", "jsonpath={.metadata.labels.x}")).toBe("");
  });
});

describe("no planted value in any answer", () => {
  it("leaks nothing, raw or base64", () => {
    expect(outputs.flatMap(leaks)).toEqual([]);
    expect(outputs.join("\n")).not.toContain(PASSWORD);
    expect(outputs.join("\n")).not.toContain(Buffer.from(SECRET).toString("base64"));
  });
});

// pods_debug through MCP against the test bed: an ephemeral container is added to a running pod and can
// be reached with pods_exec; images outside the configured ones and bad targets change nothing.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { call, type Session, stdioSession } from "./helpers/mcp.js";
import { run } from "./helpers/run.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
let s: Session;
let pod = "";

const kubectl = (...args: string[]) =>
  run(join(bin, "kubectl"), ["--kubeconfig", kubeconfig, "--context", "beta", ...args]);
const ephemeral = async () =>
  (
    await kubectl("get", "pod", pod, "-n", "shop", "-o", "jsonpath={.spec.ephemeralContainers[*].name}")
  ).stdout
    .split(" ")
    .filter(Boolean);

beforeAll(async () => {
  s = await stdioSession({
    args: ["--mode", "full", "--debug-image", "registry.example/debug:1"],
    env: { KUBECONFIG: kubeconfig },
  });
  // A pod of its own (the fixture pods are shared with other test files).
  const r = await call(s.client, "resources_apply", {
    cluster: "beta",
    manifest:
      "apiVersion: v1\nkind: Pod\nmetadata: {name: debug-me, namespace: shop}\nspec: {containers: [{name: app, image: registry.example/app:1}]}",
  });
  expect(r.isError, r.text).toBe(false);
  pod = "debug-me";
  for (let i = 0; i < 30; i++) {
    if (
      (await kubectl("get", "pod", pod, "-n", "shop", "-o", "jsonpath={.status.phase}")).stdout === "Running"
    )
      break;
    await new Promise((res) => setTimeout(res, 500));
  }
});
afterAll(async () => {
  await s?.close();
  await kubectl("delete", "pod", "debug-me", "-n", "shop", "--wait=false");
});

describe("pods_debug", () => {
  it("adds an ephemeral container that pods_exec can reach", async () => {
    const r = await call(s.client, "pods_debug", {
      cluster: "beta",
      namespace: "shop",
      name: pod,
      target: "app",
    });
    expect(r.isError, r.text).toBe(false);
    const name = /debug container (debugger-[0-9a-f]{6})/.exec(r.text)?.[1] as string;
    expect(name).toBeDefined();
    expect(r.text).toContain(`(registry.example/debug:1) to pod shop/${pod}, sharing the processes of app`);
    expect(r.text).toContain(`container "${name}"`);
    expect(await ephemeral()).toEqual([name]);
    const spec = JSON.parse(
      (await kubectl("get", "pod", pod, "-n", "shop", "-o", "jsonpath={.spec.ephemeralContainers[0]}"))
        .stdout,
    );
    expect(spec).toMatchObject({
      image: "registry.example/debug:1",
      command: ["sleep", "3600"],
      targetContainerName: "app",
    });
    const exec = await call(s.client, "pods_exec", {
      cluster: "beta",
      namespace: "shop",
      name: pod,
      container: name,
      command: ["printenv", "KUBE_MCP_TESTBED"],
    });
    expect(exec.isError, exec.text).toBe(false);
    expect(exec.text).toContain("\n1\n");
  });

  it("refuses images the operator did not allow, and bad targets, changing nothing", async () => {
    const before = await ephemeral();
    const image = await call(s.client, "pods_debug", {
      cluster: "beta",
      namespace: "shop",
      name: pod,
      image: "evil.example/miner:latest",
    });
    expect(image.isError).toBe(true);
    expect(image.text).toBe(
      "The image evil.example/miner:latest is not allowed for debug containers.\nAllowed: registry.example/debug:1 (the operator sets debug.image and debug.allowedImages).",
    );
    const target = await call(s.client, "pods_debug", {
      cluster: "beta",
      namespace: "shop",
      name: pod,
      target: "nope",
    });
    expect(target.text).toBe(`Pod ${pod} has no container "nope".\nContainers: app.`);
    const missing = await call(s.client, "pods_debug", {
      cluster: "beta",
      namespace: "shop",
      name: "no-such-pod",
    });
    expect(missing.text).toContain("Pod no-such-pod not found in namespace shop on cluster beta.");
    expect(await ephemeral()).toEqual(before);
  });
});

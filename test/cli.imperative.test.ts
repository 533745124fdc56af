// kubectl's imperative verbs (create, run, expose, set, autoscale) through the passthrough, the way an
// assistant reaches for them first: planned by kubectl's server-side dry run, guarded like every write,
// created or changed by kube-mcp exactly as planned, in the modes that allow their effect.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type CallOutcome, call, type Session, stdioSession } from "./helpers/mcp.js";
import { run } from "./helpers/run.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const NS = `imperative-${Date.now().toString(36)}`;
let ro: Session;
let nd: Session;

const env = { KUBECONFIG: kubeconfig, PATH: `${bin}:${process.env.PATH}` };
const kc = (s: Session, command: string): Promise<CallOutcome> =>
  call(s.client, "kubectl", { command, cluster: "alpha" });
async function real(...args: string[]): Promise<string> {
  const r = await run(join(bin, "kubectl"), ["--kubeconfig", kubeconfig, "--context", "alpha", ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}
const exists = async (...args: string[]) =>
  (await run(join(bin, "kubectl"), ["--kubeconfig", kubeconfig, "--context", "alpha", "get", ...args]))
    .code === 0;

beforeAll(async () => {
  ro = await stdioSession({ args: ["--mode", "read-only"], env });
  nd = await stdioSession({ args: ["--mode", "non-destructive"], env });
});
afterAll(async () => {
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
  await ro?.close();
  await nd?.close();
});

describe("imperative kubectl in non-destructive mode", () => {
  it("creates a namespace and a Deployment as planned, by kube-mcp", async () => {
    const ns = await kc(nd, `create namespace ${NS}`);
    expect(ns.isError, ns.text).toBe(false);
    expect(ns.text).toContain(`namespaces/${NS} created`);
    const d = await kc(nd, `create deployment web --image=nginx:1.27 --replicas=2 --port=80 -n ${NS}`);
    expect(d.isError, d.text).toBe(false);
    expect(d.text).toContain("deployments.apps/web created");
    expect(
      await real(
        "get",
        "deploy",
        "web",
        "-n",
        NS,
        "-o",
        "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}",
      ),
    ).toBe("2 nginx:1.27");
    // Written by kube-mcp from the plan, not by kubectl afterwards.
    const managers = await real(
      "get",
      "deploy",
      "web",
      "-n",
      NS,
      "-o",
      "jsonpath={.metadata.managedFields[*].manager}",
    );
    expect(managers.split(" ")).toContain("kube-mcp");
    expect(managers).not.toContain("kubectl");
  });

  it("exposes it, sets its image, env and resources, and autoscales it", async () => {
    const svc = await kc(nd, `expose deployment/web --port=80 --target-port=8080 -n ${NS}`);
    expect(svc.isError, svc.text).toBe(false);
    expect(
      await real(
        "get",
        "svc",
        "web",
        "-n",
        NS,
        "-o",
        "jsonpath={.spec.ports[0].targetPort} {.spec.selector.app}",
      ),
    ).toBe("8080 web");
    const image = await kc(nd, `set image deployment/web nginx=nginx:1.28 -n ${NS}`);
    expect(image.isError, image.text).toBe(false);
    expect(image.text).toMatch(/deployments\.apps\/web image updated/);
    const envs = await kc(nd, `set env deployment/web LOG_LEVEL=debug -n ${NS}`);
    expect(envs.isError, envs.text).toBe(false);
    const res = await kc(nd, `set resources deployment/web -c nginx --limits=cpu=200m,memory=256Mi -n ${NS}`);
    expect(res.isError, res.text).toBe(false);
    expect(
      await real(
        "get",
        "deploy",
        "web",
        "-n",
        NS,
        "-o",
        "jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].env[0].value} {.spec.template.spec.containers[0].resources.limits.cpu}",
      ),
    ).toBe("nginx:1.28 debug 200m");
    const hpa = await kc(nd, `autoscale deployment/web --min=2 --max=4 -n ${NS}`);
    expect(hpa.isError, hpa.text).toBe(false);
    expect(
      await real("get", "hpa", "web", "-n", NS, "-o", "jsonpath={.spec.minReplicas}-{.spec.maxReplicas}"),
    ).toBe("2-4");
  });

  it("runs a pod with a command, and answers a dry run with the plan, creating nothing", async () => {
    const pod = await kc(nd, `run once --image=busybox:1.36 --restart=Never -n ${NS} -- echo hi`);
    expect(pod.isError, pod.text).toBe(false);
    expect(pod.text).toContain("pods/once created");
    // The plan's own flags went before "--": the container's arguments are the caller's alone.
    expect(await real("get", "pod", "once", "-n", NS, "-o", "jsonpath={.spec.containers[0].args}")).toBe(
      '["echo","hi"]',
    );
    const dry = await kc(nd, `create configmap settings --from-literal=color=blue --dry-run=server -n ${NS}`);
    expect(dry.isError, dry.text).toBe(false);
    expect(dry.text).toMatch(/ConfigMap\/settings: would be created \(dry run\)/);
    expect(await exists("configmap", "settings", "-n", NS)).toBe(false);
  });

  it("refuses what the guard refuses, naming the rule, and creates nothing", async () => {
    const priv = await kc(nd, `run root --image=busybox:1.36 --privileged -n ${NS}`);
    expect(priv.isError).toBe(true);
    expect(priv.text).toMatch(/podSecurity/);
    expect(await exists("pod", "root", "-n", NS)).toBe(false);
    const admin = await kc(
      nd,
      `create clusterrolebinding ${NS}-admin --clusterrole=cluster-admin --user=mallory`,
    );
    expect(admin.isError).toBe(true);
    expect(admin.text).toMatch(/rbac/);
    expect(await exists("clusterrolebinding", `${NS}-admin`)).toBe(false);
    const copy = await kc(nd, `set env deployment/web --from=secret/anything -n ${NS}`);
    expect(copy.isError).toBe(true);
    expect(copy.text).toMatch(/--from is never allowed/);
  });

  it("says so when the object exists already, and changes nothing", async () => {
    const again = await kc(nd, `create deployment web --image=busybox -n ${NS}`);
    expect(again.isError).toBe(true);
    expect(again.text).toMatch(/already exists/);
    expect(
      await real(
        "get",
        "deploy",
        "web",
        "-n",
        NS,
        "-o",
        "jsonpath={.spec.template.spec.containers[0].image}",
      ),
    ).toBe("nginx:1.28");
  });
});

describe("imperative kubectl in read-only mode", () => {
  it("is refused with the mode that would allow it", async () => {
    for (const command of [
      `create deployment other --image=nginx -n ${NS}`,
      `expose deployment/web --port=81 --name=other -n ${NS}`,
      `set image deployment/web nginx=nginx:1.29 -n ${NS}`,
    ]) {
      const r = await kc(ro, command);
      expect(r.isError, command).toBe(true);
      expect(r.text, command).toMatch(/not allowed in read-only mode/);
    }
    expect(await exists("deploy", "other", "-n", NS)).toBe(false);
  });
});

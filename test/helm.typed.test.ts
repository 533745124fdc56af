// The typed helm tools run the same planned and guarded path as the helm passthrough; what they add is
// values given as YAML text or an object (written by kube-mcp to a private file), and plans on dryRun.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { leaks } from "./helpers/canary.js";
import { type HelmBed, helmBed } from "./helpers/helm-bed.js";
import { call, type Session } from "./helpers/mcp.js";

const kubeconfig = inject("kubeconfig");
const id = Date.now().toString(36);
const ns = `helm-typed-${id}`;
const release = "typed";
const canary = `kmcp-canary-typed-${id}`;
let bed: HelmBed;
let nd: Session;
let full: Session;
const outputs: string[] = [];

beforeAll(async () => {
  bed = await helmBed({
    kubeconfig,
    bin: inject("testbedBin"),
    charts: ["lifecycle"],
    config: { clusters: { alpha: { allow: ["secrets"] } } },
  });
  nd = await bed.serve("non-destructive", ["--toolsets", "all"]);
  full = await bed.serve("full", ["--toolsets", "all"]);
}, 120_000);

afterAll(async () => {
  await bed?.close();
  await bed?.kubectl("delete", "namespace", ns, "--wait=false", "--ignore-not-found");
}, 120_000);

const tool = async (s: Session, name: string, args: Record<string, unknown>) => {
  const r = await call(s.client, name, { cluster: "alpha", namespace: ns, release, ...args });
  outputs.push(r.text, JSON.stringify(r.structured ?? null));
  return r;
};
const jsonpath = async (what: string, path: string) =>
  (await bed.kubectl("get", what, "-n", ns, "-o", `jsonpath=${path}`)).stdout;

describe("typed helm tools", () => {
  it("installs with values given as an object, into a new namespace", async () => {
    const r = await tool(nd, "helm_install", {
      chart: "local/lifecycle",
      createNamespace: true,
      values: { replicas: 2, auth: { password: canary } },
    });
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toContain("STATUS: deployed");
    expect(await jsonpath(`deployment/${release}`, "{.spec.replicas}")).toBe("2");
    const password = await jsonpath(`secret/${release}-auth`, "{.data.password}");
    expect(Buffer.from(password, "base64").toString()).toBe(canary);
  }, 120_000);

  it("plans an upgrade with values as YAML text, changing nothing", async () => {
    const r = await tool(nd, "helm_install", {
      chart: "local/lifecycle",
      values: "replicas: 3\nconfigMap:\n  enabled: false\n",
      reuseValues: true,
      dryRun: true,
    });
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toMatch(/^ *- +replicas: 2\n *\+ +replicas: 3$/m);
    expect(r.text).toMatch(/Removed \(deleted by helm\):\n {2}configmaps\/typed/);
    expect(r.text).toMatch(/Running it would be refused:[\s\S]*rule deletes/);
    expect(await jsonpath(`deployment/${release}`, "{.spec.replicas}")).toBe("2");
  }, 120_000);

  it("upgrades, then rolls back in non-destructive mode", async () => {
    const up = await tool(nd, "helm_install", {
      chart: "local/lifecycle",
      values: "replicas: 3",
      reuseValues: true,
    });
    expect(up.isError, up.text).toBe(false);
    expect(up.text).toContain("REVISION: 2");
    const back = await tool(nd, "helm_rollback", {});
    expect(back.isError, back.text).toBe(false);
    expect(await jsonpath(`deployment/${release}`, "{.spec.replicas}")).toBe("2");
  }, 120_000);

  it("refuses values that are not a mapping, and charts from anywhere else", async () => {
    const list = await tool(nd, "helm_install", { chart: "local/lifecycle", values: "- a\n- b" });
    expect(list.isError).toBe(true);
    expect(list.text).toContain("values must be a YAML mapping");
    for (const chart of ["./lifecycle", "https://example.com/x-1.0.0.tgz", "other/lifecycle"]) {
      const r = await tool(nd, "helm_install", { chart });
      expect(r.isError, chart).toBe(true);
      expect(r.text, chart).toMatch(/Refused/);
    }
  }, 120_000);

  it("offers uninstall in full mode only", async () => {
    const names = async (s: Session) => (await s.client.listTools()).tools.map((t) => t.name);
    expect(await names(nd)).toEqual(expect.arrayContaining(["helm_install", "helm_rollback"]));
    expect(await names(nd)).not.toContain("helm_uninstall");
    expect(await names(full)).toContain("helm_uninstall");
  });

  it("asks before a rollback in full mode, where it may delete, but not for its plan", async () => {
    bed.asked.length = 0;
    const plan = await tool(full, "helm_rollback", { revision: 2, dryRun: true });
    expect(plan.isError, plan.text).toBe(false);
    expect(plan.text).toContain("Plan for rollback typed from revision 3 to 2");
    expect(bed.asked).toEqual([]);
    const r = await tool(full, "helm_rollback", { revision: 2 });
    expect(r.isError, r.text).toBe(false);
    expect(bed.asked).toHaveLength(1);
    expect(bed.asked[0]).toContain("helm_rollback");
    expect(await jsonpath(`deployment/${release}`, "{.spec.replicas}")).toBe("3");
  }, 120_000);

  it("plans an uninstall without asking, and asks before the real one", async () => {
    bed.asked.length = 0;
    const plan = await tool(full, "helm_uninstall", { dryRun: true });
    expect(plan.isError, plan.text).toBe(false);
    expect(plan.text).toContain(`deployments.apps/${release} in ${ns}`);
    expect(bed.asked).toEqual([]);
    const r = await tool(full, "helm_uninstall", { wait: true });
    expect(r.isError, r.text).toBe(false);
    expect(bed.asked).toHaveLength(1);
    expect(bed.asked[0]).toContain("helm_uninstall");
    expect((await bed.kubectl("get", "deployment", release, "-n", ns)).code).not.toBe(0);
  }, 120_000);

  it("never shows the secret value", () => {
    expect(outputs.filter((o) => o.includes(canary))).toEqual([]);
    expect(outputs.flatMap(leaks)).toEqual([]);
  });
});

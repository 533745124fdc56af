// helm install and upgrade through the passthrough, planned and guarded: a chart repository served on
// loopback by this test, kube-mcp in non-destructive mode trusting only that repository, and a release
// whose Secret holds a --set value that must never come back.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { leaks } from "./helpers/canary.js";
import { type HelmBed, helmBed } from "./helpers/helm-bed.js";
import type { Session } from "./helpers/mcp.js";

const kubeconfig = inject("kubeconfig");
const id = Date.now().toString(36);
const ns = `helm-life-${id}`;
const release = "demo";
const canary = `kmcp-canary-lifecycle-${id}`;
let bed: HelmBed;

beforeAll(async () => {
  bed = await helmBed({
    kubeconfig,
    bin: inject("testbedBin"),
    charts: ["lifecycle"],
    // The chart writes a Secret, which the guard refuses in non-destructive mode unless the operator
    // lets this cluster write Secrets.
    config: { clusters: { alpha: { allow: ["secrets"] } } },
  });
}, 120_000);

afterAll(async () => {
  await bed?.close();
  await bed?.helm(
    "--kubeconfig",
    kubeconfig,
    "--kube-context",
    "alpha",
    "uninstall",
    release,
    "-n",
    ns,
    "--wait",
  );
  await bed?.kubectl("delete", "namespace", ns, "--wait=false", "--ignore-not-found");
}, 120_000);

const serve = (mode: string) => bed.serve(mode);
const h = (s: Session, args: string[]) => bed.h(s, args);
const helm = (...args: string[]) => bed.helm(...args);
const kubectl = (...args: string[]) => bed.kubectl(...args);

const names = async (kind: string) => {
  const r = await kubectl("get", kind, "-n", ns, "-o", "name");
  return r.stdout.trim().split("\n").filter(Boolean).sort();
};

describe("helm install and upgrade in non-destructive mode", () => {
  let s: Session;
  beforeAll(async () => {
    s = await serve("non-destructive");
  });

  it("installs a chart of the configured repository into a new namespace", async () => {
    const r = await h(s, [
      "install",
      release,
      "local/lifecycle",
      "-n",
      ns,
      "--create-namespace",
      "--set",
      `auth.password=${canary}`,
    ]);
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toContain("STATUS: deployed");
    expect(await names("deployments")).toEqual([`deployment.apps/${release}`]);
  }, 120_000);

  it("upgrades to revision 2", async () => {
    const r = await h(s, [
      "upgrade",
      release,
      "local/lifecycle",
      "-n",
      ns,
      "--reuse-values",
      "--set",
      "replicas=2",
    ]);
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toContain("REVISION: 2");
  }, 120_000);

  it("refuses an upgrade that removes an object, and changes nothing", async () => {
    const r = await h(s, [
      "upgrade",
      release,
      "local/lifecycle",
      "-n",
      ns,
      "--reuse-values",
      "--set",
      "configMap.enabled=false",
    ]);
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/ConfigMap\/demo/);
    expect(r.text).toContain("deletes");
    expect(await names("configmaps")).toContain(`configmap/${release}`);
    const hist = await helm(
      "--kubeconfig",
      kubeconfig,
      "--kube-context",
      "alpha",
      "history",
      release,
      "-n",
      ns,
    );
    expect(hist.stdout).not.toMatch(/^3\s/m);
  }, 120_000);

  it("refuses a chart that creates RBAC, naming the object and the rule", async () => {
    const r = await h(s, [
      "upgrade",
      release,
      "local/lifecycle",
      "-n",
      ns,
      "--reuse-values",
      "--set",
      "rbac.create=true",
    ]);
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/Role\/demo/);
    expect(r.text).toContain("rbac");
    expect(await names("roles")).toEqual([]);
  }, 120_000);

  it("refuses charts from anywhere but the configured repositories", async () => {
    for (const chart of [
      "other/lifecycle",
      "./lifecycle",
      "/tmp/lifecycle",
      "https://example.com/x-1.0.0.tgz",
    ]) {
      const r = await h(s, ["install", "x", chart, "-n", ns]);
      expect(r.isError, chart).toBe(true);
      expect(r.text, chart).toMatch(/Refused/);
    }
    for (const args of [
      ["install", "x", "lifecycle", "--repo", bed.url, "-n", ns],
      ["install", "x", "local/lifecycle", "-f", "values.yaml", "-n", ns],
      ["install", "x", "local/lifecycle", "--set-file", "a=/etc/passwd", "-n", ns],
      ["install", "x", "local/lifecycle", "--post-renderer", "/bin/sh", "-n", ns],
      ["repo", "add", "evil", "https://example.com"],
    ]) {
      const r = await h(s, args);
      expect(r.structured, args.join(" ")).toMatchObject({ refused: true });
    }
  });

  it("keeps helm uninstall full-only", async () => {
    const r = await h(s, ["uninstall", release, "-n", ns]);
    expect(r.structured).toMatchObject({ refused: true });
  });
});

describe("helm upgrade in full mode", () => {
  it("removes an object the new release lacks", async () => {
    const s = await serve("full");
    const r = await h(s, [
      "upgrade",
      release,
      "local/lifecycle",
      "-n",
      ns,
      "--reuse-values",
      "--set",
      "configMap.enabled=false",
    ]);
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toContain("REVISION: 3");
    expect(await names("configmaps")).not.toContain(`configmap/${release}`);
  }, 120_000);
});

describe("helm rollback", () => {
  let nd: Session;
  let full: Session;
  beforeAll(async () => {
    nd = await serve("non-destructive");
    full = await serve("full");
  });
  const revision = async () => {
    const r = await helm(
      "--kubeconfig",
      kubeconfig,
      "--kube-context",
      "alpha",
      "history",
      release,
      "-n",
      ns,
      "-o",
      "json",
    );
    return Math.max(...(JSON.parse(r.stdout) as { revision: number }[]).map((x) => x.revision));
  };

  it("rolls back in non-destructive mode when the restored revision removes nothing", async () => {
    bed.asked.length = 0;
    // Revision 3 dropped the ConfigMap; revision 2 (the previous one) has it back.
    const r = await h(nd, ["rollback", release, "-n", ns]);
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toMatch(/Objects: added configmaps\/demo/);
    expect(await revision()).toBe(4);
    expect(await names("configmaps")).toContain(`configmap/${release}`);
    expect(bed.asked).toEqual([]);
  }, 120_000);

  it("plans a rollback that removes an object without changing anything", async () => {
    const r = await h(nd, ["rollback", release, "3", "-n", ns, "--dry-run"]);
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toContain("Removed (deleted by helm)");
    expect(r.text).toMatch(/configmaps\/demo/);
    expect(r.text).toContain("Running it would be refused");
    expect(await revision()).toBe(4);
  }, 120_000);

  it("refuses a rollback that removes an object outside full mode", async () => {
    const r = await h(nd, ["rollback", release, "3", "-n", ns]);
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/ConfigMap\/demo/);
    expect(r.text).toContain("deletes");
    expect(await revision()).toBe(4);
    expect(await names("configmaps")).toContain(`configmap/${release}`);
  }, 120_000);

  it("says which revisions exist when the target does not", async () => {
    const r = await h(nd, ["rollback", release, "42", "-n", ns]);
    expect(r.isError).toBe(true);
    expect(r.text).toContain("no revision 42");
  }, 120_000);

  it("rolls back with removals in full mode, after asking", async () => {
    bed.asked.length = 0;
    const r = await h(full, ["rollback", release, "3", "-n", ns]);
    expect(r.isError, r.text).toBe(false);
    expect(bed.asked).toEqual([`Allow \`helm rollback ${release} 3 -n ${ns}\` on cluster "alpha"?`]);
    expect(await revision()).toBe(5);
    expect(await names("configmaps")).not.toContain(`configmap/${release}`);
  }, 120_000);
});

describe("helm install and upgrade plans", () => {
  let s: Session;
  beforeAll(async () => {
    s = await serve("non-destructive");
  });

  it("shows an upgrade's changes as a diff and changes nothing", async () => {
    const r = await h(s, [
      "upgrade",
      release,
      "local/lifecycle",
      "-n",
      ns,
      "--reuse-values",
      "--set",
      "replicas=3",
      "--set",
      "configMap.enabled=true",
      "--set",
      `auth.password=${canary}-2`,
      "--dry-run",
    ]);
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toMatch(/Changed:[\s\S]*deployments.apps\/demo/);
    expect(r.text).toMatch(/^ *- +replicas: 2\n *\+ +replicas: 3$/m);
    expect(r.text).toMatch(/Added:\n {2}configmaps\/demo/);
    expect(r.text).toContain("The guard allows it");
    expect(await names("configmaps")).not.toContain(`configmap/${release}`);
  }, 120_000);

  it("shows an install's objects and the guard's verdict", async () => {
    const r = await h(s, [
      "install",
      "other",
      "local/lifecycle",
      "-n",
      ns,
      "--set",
      "rbac.create=true",
      "--dry-run",
    ]);
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toMatch(/Added:[\s\S]*roles.rbac.authorization.k8s.io\/other/);
    expect(r.text).toMatch(/Running it would be refused:[\s\S]*rule rbac/);
    expect(await names("roles")).toEqual([]);
  }, 120_000);
});

describe("helm uninstall", () => {
  let full: Session;
  beforeAll(async () => {
    full = await serve("full");
  });

  it("plans an uninstall without asking or changing anything", async () => {
    bed.asked.length = 0;
    const r = await h(full, ["uninstall", release, "-n", ns, "--dry-run"]);
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toMatch(/Removed \(deleted by helm\):\n( {2}\S+ in \S+\n){2}\S/);
    expect(r.text).toContain(`deployments.apps/demo in ${ns}`);
    expect(r.text).toContain(`secrets/demo-auth in ${ns}`);
    expect(bed.asked).toEqual([]);
    expect(await names("deployments")).toEqual([`deployment.apps/${release}`]);
  }, 120_000);

  it("asks first, and changes nothing when the person says no", async () => {
    bed.asked.length = 0;
    bed.answer.value = "decline";
    const r = await h(full, ["uninstall", release, "-n", ns]);
    bed.answer.value = "accept";
    expect(r.isError).toBe(true);
    expect(r.text).toContain("did not allow");
    expect(bed.asked).toEqual([`Allow \`helm uninstall ${release} -n ${ns}\` on cluster "alpha"?`]);
    expect(await names("deployments")).toEqual([`deployment.apps/${release}`]);
  }, 120_000);

  it("uninstalls after a yes", async () => {
    const r = await h(full, ["uninstall", release, "-n", ns, "--wait"]);
    expect(r.isError, r.text).toBe(false);
    expect(await names("deployments")).toEqual([]);
    expect(await names("secrets")).not.toContain(`secret/${release}-auth`);
  }, 120_000);
});

describe("answers", () => {
  it("never contain the --set secret value", () => {
    expect(bed.outputs.filter((o) => o.includes(canary))).toEqual([]);
    expect(bed.outputs.flatMap(leaks)).toEqual([]);
  });
});

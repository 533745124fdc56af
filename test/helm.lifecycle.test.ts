// helm install and upgrade through the passthrough, planned and guarded: a chart repository served on
// loopback by this test, kube-mcp in non-destructive mode trusting only that repository, and a release
// whose Secret holds a --set value that must never come back.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { leaks } from "./helpers/canary.js";
import { call, type Elicit, type Session, stdioSession } from "./helpers/mcp.js";
import { run } from "./helpers/run.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const id = Date.now().toString(36);
const ns = `helm-life-${id}`;
const release = "demo";
const canary = `kmcp-canary-lifecycle-${id}`;
const home = mkdtempSync(join(tmpdir(), "kube-mcp-helm-life-"));
const repoDir = join(home, "repo");
const helmEnv = {
  ...process.env,
  HELM_CACHE_HOME: join(home, "c"),
  HELM_CONFIG_HOME: join(home, "f"),
  HELM_DATA_HOME: join(home, "d"),
};
const helm = (...args: string[]) => run(join(bin, "helm"), args, { env: helmEnv, timeoutMs: 120_000 });
const kubectl = (...args: string[]) =>
  run(join(bin, "kubectl"), ["--kubeconfig", kubeconfig, "--context", "alpha", ...args], {
    timeoutMs: 60_000,
  });
const outputs: string[] = [];
let server: Server;
let port = 0;
const sessions: Session[] = [];

// The chart writes a Secret, which the guard refuses in non-destructive mode unless the operator lets
// this cluster write Secrets.
const config = join(home, "config.json");
writeFileSync(config, JSON.stringify({ clusters: { alpha: { allow: ["secrets"] } } }));

// A person who answers confirmations (yes unless told otherwise); what they were asked is kept.
const asked: string[] = [];
let answer: "accept" | "decline" = "accept";
const elicit: Elicit = (message) => {
  asked.push(message);
  return answer === "accept" ? { action: "accept", content: { confirm: true } } : { action: "decline" };
};

const serve = async (mode: string) => {
  const s = await stdioSession({
    args: ["--config", config, "--mode", mode, "--helm-repo", `local=http://127.0.0.1:${port}`],
    env: { KUBECONFIG: kubeconfig, PATH: `${bin}:${process.env.PATH}` },
    elicit,
  });
  sessions.push(s);
  return s;
};

beforeAll(async () => {
  // A chart repository is a directory with index.yaml and the packaged charts, served over HTTP.
  server = createServer((req, res) => {
    try {
      res.end(readFileSync(join(repoDir, basename(req.url ?? "/"))));
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  port = (server.address() as AddressInfo).port;
  const chart = join(import.meta.dirname, "fixtures", "charts", "lifecycle");
  const pkg = await helm("package", chart, "-d", repoDir);
  expect(pkg.code, pkg.stderr).toBe(0);
  const idx = await helm("repo", "index", repoDir, "--url", `http://127.0.0.1:${port}`);
  expect(idx.code, idx.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  for (const s of sessions) await s.close();
  await helm("--kubeconfig", kubeconfig, "--kube-context", "alpha", "uninstall", release, "-n", ns, "--wait");
  await kubectl("delete", "namespace", ns, "--wait=false", "--ignore-not-found");
  server?.close();
}, 120_000);

const h = async (s: Session, args: string[]) => {
  const r = await call(s.client, "helm", { args, cluster: "alpha" });
  outputs.push(r.text, JSON.stringify(r.structured ?? null));
  return r;
};

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
      ["install", "x", "lifecycle", "--repo", `http://127.0.0.1:${port}`, "-n", ns],
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
    asked.length = 0;
    // Revision 3 dropped the ConfigMap; revision 2 (the previous one) has it back.
    const r = await h(nd, ["rollback", release, "-n", ns]);
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toMatch(/Objects: added configmaps\/demo/);
    expect(await revision()).toBe(4);
    expect(await names("configmaps")).toContain(`configmap/${release}`);
    expect(asked).toEqual([]);
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
    asked.length = 0;
    const r = await h(full, ["rollback", release, "3", "-n", ns]);
    expect(r.isError, r.text).toBe(false);
    expect(asked).toEqual([`Allow \`helm rollback ${release} 3 -n ${ns}\` on cluster "alpha"?`]);
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
    asked.length = 0;
    const r = await h(full, ["uninstall", release, "-n", ns, "--dry-run"]);
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toMatch(/Removed \(deleted by helm\):\n( {2}\S+ in \S+\n){2}\S/);
    expect(r.text).toContain(`deployments.apps/demo in ${ns}`);
    expect(r.text).toContain(`secrets/demo-auth in ${ns}`);
    expect(asked).toEqual([]);
    expect(await names("deployments")).toEqual([`deployment.apps/${release}`]);
  }, 120_000);

  it("asks first, and changes nothing when the person says no", async () => {
    asked.length = 0;
    answer = "decline";
    const r = await h(full, ["uninstall", release, "-n", ns]);
    answer = "accept";
    expect(r.isError).toBe(true);
    expect(r.text).toContain("did not allow");
    expect(asked).toEqual([`Allow \`helm uninstall ${release} -n ${ns}\` on cluster "alpha"?`]);
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
    expect(outputs.filter((o) => o.includes(canary))).toEqual([]);
    expect(outputs.flatMap(leaks)).toEqual([]);
  });
});

// The helm passthrough through MCP against a real release whose values and manifest hold a Secret:
// reads work, refusals are refused, and the canary value never comes back.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { leaks } from "./helpers/canary.js";
import { call, type Session, stdioSession } from "./helpers/mcp.js";
import { run } from "./helpers/run.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const chart = join(import.meta.dirname, "fixtures", "charts", "hello");
const release = `canary-${Date.now().toString(36)}`;
const home = mkdtempSync(join(tmpdir(), "kube-mcp-helm-"));
const helmEnv = {
  ...process.env,
  HELM_CACHE_HOME: join(home, "c"),
  HELM_CONFIG_HOME: join(home, "f"),
  HELM_DATA_HOME: join(home, "d"),
};
const helm = (...args: string[]) =>
  run(join(bin, "helm"), ["--kubeconfig", kubeconfig, "--kube-context", "alpha", ...args], {
    env: helmEnv,
    timeoutMs: 120_000,
  });
const outputs: string[] = [];
let s: Session;

beforeAll(async () => {
  const r = await helm(
    "install",
    release,
    chart,
    "-n",
    "helm-test",
    "--create-namespace",
    "--wait",
    "--timeout",
    "90s",
    "--set",
    "auth.password=kmcp-canary-helm-set-value-2b7e",
  );
  expect(r.code, r.stderr).toBe(0);
  s = await stdioSession({
    args: ["--mode", "full"],
    env: { KUBECONFIG: kubeconfig, PATH: `${bin}:${process.env.PATH}` },
  });
});
afterAll(async () => {
  await s?.close();
  await helm("uninstall", release, "-n", "helm-test", "--wait");
});

const h = async (args: string[]) => {
  const r = await call(s.client, "helm", { args, cluster: "alpha" });
  outputs.push(r.text, JSON.stringify(r.structured ?? null));
  return r;
};

describe("helm passthrough", () => {
  it("lists, shows status and history of the release", async () => {
    const list = await h(["list", "-n", "helm-test", "-o", "json"]);
    expect(list.isError, list.text).toBe(false);
    expect(list.text).toMatch(new RegExp(`"name": ?"${release}"`));
    expect((await h(["status", release, "-n", "helm-test"])).text).toContain("STATUS: deployed");
    expect((await h(["history", release, "-n", "helm-test"])).text).toMatch(/1\s+.*deployed/);
  });

  it("redacts the Secret in the manifest and credential-like values", async () => {
    const manifest = await h(["get", "manifest", release, "-n", "helm-test"]);
    expect(manifest.isError, manifest.text).toBe(false);
    expect(manifest.text).toContain("kind: Secret");
    expect(manifest.text).toMatch(/password: "?<redacted/);
    const values = await h(["get", "values", release, "-n", "helm-test"]);
    expect(values.isError, values.text).toBe(false);
    expect(values.text).toContain("USER-SUPPLIED VALUES:\nauth:\n  password: <redacted>");
    const all = await call(s.client, "helm", {
      args: ["get", "values", release, "-n", "helm-test", "--all"],
    });
    expect(all.structured).toMatchObject({ refused: true });
  });

  it("refuses what reads files, reaches out, or switches clusters", async () => {
    for (const args of [
      ["template", "x", "./chart"],
      ["install", "x", "oci://example/x"],
      ["list", "--kube-context=prod"],
      ["get", "all", release],
    ]) {
      const r = await call(s.client, "helm", { args });
      // Refused by the grammar (marked refused), or on the cluster once the chart source is checked
      // against the operator's registries; either way nothing ran.
      expect(r.isError, args.join(" ")).toBe(true);
      expect(r.text, args.join(" ")).toMatch(/^Refused/);
    }
  });

  it("the release's own Secret is redacted when read with kubectl", async () => {
    const r = await call(s.client, "kubectl", {
      args: ["get", "secrets", "-n", "helm-test", "-o", "yaml"],
      cluster: "alpha",
    });
    outputs.push(r.text);
    expect(r.text).toContain("sh.helm.release.v1");
  });

  it("never returns the canary value", () => {
    expect(outputs.flatMap(leaks)).toEqual([]);
  });
});

// Charts from an OCI registry the operator names (helm.registries): a registry run on loopback by this
// test, the fixture chart pushed to it, installed and shown through kube-mcp; a chart anywhere else in
// that registry or on another host is refused.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type OciRegistry, startRegistry } from "../testbed/lib/oci-registry.js";
import { leaks } from "./helpers/canary.js";
import { type HelmBed, helmBed } from "./helpers/helm-bed.js";
import { call, type Session } from "./helpers/mcp.js";

const kubeconfig = inject("kubeconfig");
const id = Date.now().toString(36);
const ns = `helm-oci-${id}`;
const canary = `kmcp-canary-oci-${id}`;
let registry: OciRegistry;
let bed: HelmBed;
let s: Session;
let chart = "";

beforeAll(async () => {
  registry = await startRegistry();
  chart = `oci://${registry.host}/charts/lifecycle`;
  bed = await helmBed({
    kubeconfig,
    bin: inject("testbedBin"),
    charts: [],
    config: {
      clusters: { alpha: { allow: ["secrets"] } },
      helm: { registries: [{ url: `oci://${registry.host}/charts`, plainHttp: true }] },
    },
  });
  const out = mkdtempSync(join(tmpdir(), "kube-mcp-oci-"));
  const pkg = await bed.helm(
    "package",
    join(import.meta.dirname, "fixtures", "charts", "lifecycle"),
    "-d",
    out,
  );
  expect(pkg.code, pkg.stderr).toBe(0);
  const push = await bed.helm(
    "push",
    join(out, "lifecycle-0.1.0.tgz"),
    `oci://${registry.host}/charts`,
    "--plain-http",
  );
  expect(push.code, push.stderr).toBe(0);
  s = await bed.serve("non-destructive", ["--toolsets", "all"]);
}, 600_000);

afterAll(async () => {
  await bed?.close();
  await bed?.helm(
    "--kubeconfig",
    kubeconfig,
    "--kube-context",
    "alpha",
    "uninstall",
    "ocidemo",
    "-n",
    ns,
    "--wait",
  );
  await bed?.kubectl("delete", "namespace", ns, "--wait=false", "--ignore-not-found");
  await registry?.stop();
}, 120_000);

describe("helm charts from an OCI registry", () => {
  it("installs a chart of the configured registry", async () => {
    const r = await bed.h(s, [
      "install",
      "ocidemo",
      chart,
      "--version",
      "0.1.0",
      "-n",
      ns,
      "--create-namespace",
      "--set",
      `auth.password=${canary}`,
    ]);
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toContain("STATUS: deployed");
    expect((await bed.kubectl("get", "deployment", "ocidemo", "-n", ns)).code).toBe(0);
  }, 120_000);

  it("plans an upgrade through the typed tool", async () => {
    const r = await call(s.client, "helm_install", {
      cluster: "alpha",
      release: "ocidemo",
      chart,
      namespace: ns,
      reuseValues: true,
      values: { replicas: 2 },
      dryRun: true,
    });
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toMatch(/^ *\+ +replicas: 2$/m);
    bed.outputs.push(r.text);
  }, 120_000);

  it("shows the chart", async () => {
    const r = await bed.h(s, ["show", "chart", chart, "--version", "0.1.0"]);
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toContain("name: lifecycle");
  }, 60_000);

  it("says when the registry lacks the version", async () => {
    const r = await bed.h(s, ["install", "other", chart, "--version", "9.9.9", "-n", ns]);
    expect(r.isError).toBe(true);
    expect(r.text).toContain(`Chart ${chart} version 9.9.9 is not in registry oci://${registry.host}/charts`);
  }, 60_000);

  it("refuses charts outside the configured registry paths, and the model's own --plain-http", async () => {
    for (const ref of [
      `oci://${registry.host}/elsewhere/lifecycle`,
      "oci://registry.example/charts/lifecycle",
    ]) {
      const r = await bed.h(s, ["install", "x", ref, "-n", ns]);
      expect(r.isError, ref).toBe(true);
      expect(r.text, ref).toContain("is not under a configured registry");
    }
    const flag = await bed.h(s, ["install", "x", chart, "-n", ns, "--plain-http"]);
    expect(flag.structured).toMatchObject({ refused: true });
    const tag = await bed.h(s, ["install", "x", `${chart}:0.1.0`, "-n", ns]);
    expect(tag.structured).toMatchObject({ refused: true });
  }, 60_000);

  it("never shows the --set secret value", () => {
    expect(bed.outputs.filter((o) => o.includes(canary))).toEqual([]);
    expect(bed.outputs.flatMap(leaks)).toEqual([]);
  });
});

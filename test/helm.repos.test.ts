// Reading chart repositories: helm repo list, search repo and show read only the trusted ones (the
// operator's, and on serve the person's own public ones unless helm.userRepositories is false), from a
// Helm home kube-mcp writes for the call; none can be added, and an unreachable one is named.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type HelmBed, helmBed } from "./helpers/helm-bed.js";
import type { Session } from "./helpers/mcp.js";

const kubeconfig = inject("kubeconfig");
const ns = `helm-repos-${Date.now().toString(36)}`;
let bed: HelmBed;
let s: Session;
let own: Session;
let down: Session;

beforeAll(async () => {
  bed = await helmBed({ kubeconfig, bin: inject("testbedBin"), charts: ["lifecycle"], config: {} });
  const user = [
    { name: "mine", url: bed.url },
    { name: "private", url: bed.url, username: "me" },
  ];
  s = await bed.serve("non-destructive", [], user);
  own = await bed.serve("non-destructive", ["--helm-user-repos", "false"], user);
  down = await bed.serve("read-only", ["--helm-repo", "down=http://127.0.0.1:1"]);
}, 120_000);

afterAll(async () => {
  await bed?.close();
});

describe("helm chart repositories", () => {
  it("lists the operator's and the person's public repositories", async () => {
    const r = await bed.h(s, ["repo", "list"]);
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toMatch(/^local\s+http:\/\/127\.0\.0\.1/m);
    expect(r.text).toMatch(/^mine\s+http:\/\/127\.0\.0\.1/m);
    expect(r.text).not.toContain("private");
  });

  it("leaves out the person's repositories when helm.userRepositories is false", async () => {
    const r = await bed.h(own, ["repo", "list"]);
    expect(r.text).not.toContain("mine");
    const install = await bed.h(own, ["install", "x", "mine/lifecycle", "-n", ns, "--dry-run"]);
    expect(install.isError).toBe(true);
    expect(install.text).toContain('chart repository "mine" is not configured');
  });

  it("installs from the person's repository (a plan here)", async () => {
    const r = await bed.h(s, ["install", "x", "mine/lifecycle", "-n", ns, "--dry-run"]);
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toContain("Plan for install x (chart mine/lifecycle 0.1.0)");
  }, 60_000);

  it("searches the trusted repositories", async () => {
    const r = await bed.h(s, ["search", "repo", "lifecycle", "--versions"]);
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toMatch(/^local\/lifecycle\s+0\.1\.0/m);
    expect(r.text).toMatch(/^mine\/lifecycle\s+0\.1\.0/m);
  }, 60_000);

  it("shows a chart's metadata and its default values, masked by key name", async () => {
    const chart = await bed.h(s, ["show", "chart", "local/lifecycle"]);
    expect(chart.isError, chart.text).toBe(false);
    expect(chart.text).toContain("name: lifecycle");
    const values = await bed.h(s, ["show", "values", "local/lifecycle"]);
    expect(values.isError, values.text).toBe(false);
    expect(values.text).toContain("greeting: hello from helm");
    expect(values.text).toMatch(/password: <redacted/);
  }, 60_000);

  it("refuses adding repositories and searching the internet", async () => {
    for (const args of [
      ["repo", "add", "evil", "https://example.com"],
      ["repo", "update"],
      ["search", "hub", "nginx"],
      ["show", "values", "local/lifecycle", "--repo", "https://example.com"],
      ["show", "chart", "other/lifecycle"],
    ]) {
      const r = await bed.h(s, args);
      expect(r.isError, args.join(" ")).toBe(true);
    }
  });

  it("names a repository it cannot reach", async () => {
    const search = await bed.h(down, ["search", "repo", "lifecycle"]);
    expect(search.isError, search.text).toBe(false);
    expect(search.text).toContain("Not searched (cannot be reached from kube-mcp): down.");
    expect(search.text).toMatch(/^local\/lifecycle/m);
    const show = await bed.h(down, ["show", "chart", "down/lifecycle"]);
    expect(show.isError).toBe(true);
    expect(show.text).toContain("Chart repository down cannot be reached");
  }, 60_000);
});

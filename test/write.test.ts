// Write tools through MCP against the test bed: apply plans then applies, patch and scale change what
// they say, the mode decides per cluster, and bad input changes nothing.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { leaks } from "./helpers/canary.js";
import { inner } from "./helpers/fence.js";
import { call, hints, type Session, stdioSession } from "./helpers/mcp.js";
import { run } from "./helpers/run.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const ns = `writes-${Date.now().toString(36)}`;
const dir = mkdtempSync(join(tmpdir(), "kube-mcp-writes-"));
const outputs: string[] = [];
let s: Session;
let ro: Session;

const kubectl = (...args: string[]) =>
  run(join(bin, "kubectl"), ["--kubeconfig", kubeconfig, "--context", "alpha", ...args]);
async function tool(name: string, args: Record<string, unknown>, session = s) {
  const r = await call(session.client, name, args);
  outputs.push(r.text);
  return r;
}

const manifest = (value: string, replicas = 1) => `
apiVersion: v1
kind: Namespace
metadata: {name: ${ns}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: ${ns}}
data: {mode: ${value}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: demo, namespace: ${ns}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: demo}}
  template:
    metadata: {labels: {app: demo}}
    spec: {containers: [{name: demo, image: registry.example/demo:1}]}
`;

beforeAll(async () => {
  const cfg = join(dir, "modes.yaml");
  // alpha opts into Secret writes, so a plan of a Secret can be shown (redacted); see test/security.
  writeFileSync(
    cfg,
    "mode: non-destructive\nclusters:\n  beta: {mode: read-only}\n  alpha: {allow: [secrets]}\n",
  );
  s = await stdioSession({ args: ["--config", cfg], env: { KUBECONFIG: kubeconfig } });
  ro = await stdioSession({ args: ["--mode", "read-only"], env: { KUBECONFIG: kubeconfig } });
});
afterAll(async () => {
  await s?.close();
  await ro?.close();
  await kubectl("delete", "namespace", ns, "--wait=false");
});

describe("write tools", () => {
  it("are not advertised in read-only mode", async () => {
    const names = (await ro.client.listTools()).tools.map((t) => t.name);
    for (const w of ["resources_apply", "resources_patch", "resources_scale"]) expect(names).not.toContain(w);
    const called = await tool("resources_apply", { manifest: manifest("red"), cluster: "alpha" }, ro);
    expect(called.isError).toBe(true);
    expect(called.text).toBe(
      "resources_apply is not available: this server runs in read-only mode, which allows only tools that read. It needs non-destructive or full mode, which the operator sets (--mode); use the read tools, or tell the user what you would run.",
    );
    expect((await kubectl("get", "namespace", ns)).code).not.toBe(0);
    const tools = (await s.client.listTools()).tools;
    expect(hints(tools.find((t) => t.name === "resources_apply")?.annotations)).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
    });
  });

  it("plans with a dry run, creating nothing", async () => {
    const r = await tool("resources_apply", { manifest: manifest("blue"), dryRun: true, cluster: "alpha" });
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toContain(`namespaces/${ns}: would be created (dry run)`);
    expect(r.text).toContain(`configmaps/settings in ${ns}: would be created with its new namespace`);
    expect((await kubectl("get", "namespace", ns)).code).not.toBe(0);
  });

  it("applies, then plans a change as a diff without making it", async () => {
    const applied = await tool("resources_apply", { manifest: manifest("blue"), cluster: "alpha" });
    expect(applied.text).toContain(`configmaps/settings in ${ns}: created`);
    expect((await kubectl("get", "cm", "settings", "-n", ns, "-o", "jsonpath={.data.mode}")).stdout).toBe(
      "blue",
    );
    const plan = await tool("resources_apply", {
      manifest: manifest("green"),
      dryRun: true,
      cluster: "alpha",
    });
    expect(plan.text).toContain(`configmaps/settings in ${ns}: would change (dry run)`);
    expect(plan.text).toContain("-   mode: blue\n+   mode: green");
    expect((await kubectl("get", "cm", "settings", "-n", ns, "-o", "jsonpath={.data.mode}")).stdout).toBe(
      "blue",
    );
    const again = await tool("resources_apply", { manifest: manifest("blue"), cluster: "alpha" });
    expect(again.text).toContain(`configmaps/settings in ${ns}: unchanged`);
  });

  it("reports a conflict with another field manager and takes over only with force", async () => {
    const other = await run(
      join(bin, "kubectl"),
      [
        "--kubeconfig",
        kubeconfig,
        "--context",
        "alpha",
        "apply",
        "--server-side",
        "--force-conflicts",
        "--field-manager=someone-else",
        "-f",
        "-",
      ],
      {
        input: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: ${ns}}\ndata: {mode: red}\n`,
      },
    );
    expect(other.code, other.stderr).toBe(0);
    const r = await tool("resources_apply", { manifest: manifest("blue"), cluster: "alpha" });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(
      /Apply conflict on configmaps\/settings in .*: other field managers own \.data\.mode \(owned by someone-else\)\. Nothing was changed\.\nChange only fields kube-mcp owns, or pass force: true to take these fields over \(someone-else may set them back when it next writes\)\. To take some and leave the rest/,
    );
    const forced = await tool("resources_apply", {
      manifest: manifest("blue"),
      force: true,
      cluster: "alpha",
    });
    expect(forced.isError, forced.text).toBe(false);
    expect((await kubectl("get", "cm", "settings", "-n", ns, "-o", "jsonpath={.data.mode}")).stdout).toBe(
      "blue",
    );
  });

  it("patches, and refuses a patch that does not apply without changing anything", async () => {
    const r = await tool("resources_patch", {
      kind: "deploy",
      name: "demo",
      namespace: ns,
      patch: '{"metadata":{"annotations":{"team":"blue"}}}',
      cluster: "alpha",
    });
    expect(inner(r.text)).toBe("deployments.apps/demo patched (strategic patch).");
    expect(
      (await kubectl("get", "deploy", "demo", "-n", ns, "-o", "jsonpath={.metadata.annotations.team}"))
        .stdout,
    ).toBe("blue");
    const bad = await tool("resources_patch", {
      kind: "deploy",
      name: "demo",
      namespace: ns,
      type: "json",
      patch: '[{"op":"replace","path":"/spec/nope/x","value":1}]',
      cluster: "alpha",
    });
    expect(bad.isError).toBe(true);
    expect(bad.text).toMatch(
      /The json patch does not apply to deployments.apps\/demo: .*Nothing was changed\./,
    );
    const notJson = await tool("resources_patch", {
      kind: "deploy",
      name: "demo",
      namespace: ns,
      patch: "{oops",
      cluster: "alpha",
    });
    expect(notJson.text).toMatch(/^The patch is not valid JSON/);
  });

  it("scales up, and refuses scale to zero outside full mode", async () => {
    const up = await tool("resources_scale", {
      kind: "deployment",
      name: "demo",
      namespace: ns,
      replicas: 3,
      cluster: "alpha",
    });
    expect(inner(up.text)).toBe("deployments.apps/demo scaled from 1 to 3.");
    expect((await kubectl("get", "deploy", "demo", "-n", ns, "-o", "jsonpath={.spec.replicas}")).stdout).toBe(
      "3",
    );
    const zero = await tool("resources_scale", {
      kind: "deployment",
      name: "demo",
      namespace: ns,
      replicas: 0,
      cluster: "alpha",
    });
    expect(zero.isError).toBe(true);
    expect(zero.text).toContain("Refused on cluster alpha (non-destructive mode); nothing was changed");
    expect(zero.text).toContain("scales it to zero replicas (rule deletes)");
    expect((await kubectl("get", "deploy", "demo", "-n", ns, "-o", "jsonpath={.spec.replicas}")).stdout).toBe(
      "3",
    );
  });

  it("is refused on a cluster whose own mode is read-only", async () => {
    const r = await tool("resources_apply", { manifest: manifest("blue"), cluster: "beta" });
    expect(r.isError).toBe(true);
    expect(r.text).toContain("resources_apply is not allowed on cluster beta: it runs in read-only mode.");
  });

  it.each([
    ["invalid YAML", { manifest: "kind: [" }, /not valid YAML or JSON/],
    [
      "an unknown kind",
      { manifest: `apiVersion: v1\nkind: Wdget\nmetadata: {name: x}` },
      /Unknown kind "Wdget"/,
    ],
    [
      "a missing name",
      { manifest: "apiVersion: v1\nkind: ConfigMap\nmetadata: {}" },
      /Document 1 \(ConfigMap\) has no metadata.name/,
    ],
    [
      "one bad document among good ones",
      {
        manifest: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: ${ns}}\ndata: {mode: purple}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: "Bad_Name", namespace: ${ns}}`,
        force: true,
      },
      // Refused before any request: the name breaks the rule for ConfigMaps.
      /Refused name "Bad_Name" for ConfigMap because a name of this kind must be a DNS-1123 subdomain/,
    ],
  ])("refuses %s and changes nothing", async (_label, args, message) => {
    const r = await tool("resources_apply", { ...args, cluster: "alpha" });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(message);
    expect((await kubectl("get", "cm", "settings", "-n", ns, "-o", "jsonpath={.data.mode}")).stdout).toBe(
      "blue",
    );
  });

  it("never echoes secret values in plans", async () => {
    const plan = await tool("resources_apply", {
      manifest: `apiVersion: v1\nkind: Secret\nmetadata: {name: planned, namespace: ${ns}}\nstringData: {password: kmcp-canary-plan-value-11aa}`,
      dryRun: true,
      cluster: "alpha",
    });
    expect(plan.isError, plan.text).toBe(false);
    expect(outputs.flatMap(leaks)).toEqual([]);
  });
});

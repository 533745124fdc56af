// Identity and policy through the protocol: a real ServiceAccount with only the `view` role (403s name
// the verb and resource), Secret values only when revealSecrets is on, prompts, and empty results.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parse, stringify } from "yaml";
import { inner } from "./helpers/fence.js";
import { call, type Session, stdioSession } from "./helpers/mcp.js";
import { run } from "./helpers/run.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const dir = mkdtempSync(join(tmpdir(), "kube-mcp-identity-"));

async function kubectl(...args: string[]): Promise<string> {
  const r = await run(join(bin, "kubectl"), ["--kubeconfig", kubeconfig, "--context", "alpha", ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

describe("a view-only identity", () => {
  let s: Session;
  let token = "";
  beforeAll(async () => {
    await run(join(bin, "kubectl"), [
      "--kubeconfig",
      kubeconfig,
      "--context",
      "alpha",
      "create",
      "serviceaccount",
      "kube-mcp-viewer",
      "-n",
      "default",
    ]);
    await run(join(bin, "kubectl"), [
      "--kubeconfig",
      kubeconfig,
      "--context",
      "alpha",
      "create",
      "clusterrolebinding",
      "kube-mcp-viewer",
      "--clusterrole=view",
      "--serviceaccount=default:kube-mcp-viewer",
    ]);
    token = await kubectl("create", "token", "kube-mcp-viewer", "-n", "default", "--duration=1h");
    const base = parse(readFileSync(kubeconfig, "utf8")) as { clusters: { name: string }[] };
    const file = join(dir, "viewer.yaml");
    writeFileSync(
      file,
      stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: base.clusters.filter((c) => c.name === "alpha"),
        users: [{ name: "viewer", user: { token } }],
        contexts: [
          { name: "alpha-viewer", context: { cluster: "alpha", user: "viewer", namespace: "shop" } },
        ],
        "current-context": "alpha-viewer",
      }),
    );
    s = await stdioSession({ env: { KUBECONFIG: file } });
  });
  afterAll(async () => {
    await s?.close();
  });

  it("lists what the role allows", async () => {
    const r = await call(s.client, "resources_list", { kind: "deploy", namespace: "shop" });
    expect(r.isError).toBe(false);
    expect((r.structured as { rows: string[][] }).rows.map((row) => row[0])).toEqual(["api", "web"]);
  });

  it("works from K8S_SERVER + K8S_TOKEN + K8S_CA_DATA without any kubeconfig", async () => {
    const base = parse(readFileSync(kubeconfig, "utf8")) as {
      clusters: { name: string; cluster: Record<string, string> }[];
    };
    const alpha = base.clusters.find((c) => c.name === "alpha")?.cluster ?? {};
    const env = {
      KUBECONFIG: join(dir, "does-not-exist"),
      HOME: dir,
      K8S_SERVER: alpha.server ?? "",
      K8S_TOKEN: token,
      K8S_CA_DATA: alpha["certificate-authority-data"] ?? "",
      K8S_NAMESPACE: "shop",
    };
    const e = await stdioSession({ env });
    try {
      const list = await call(e.client, "clusters_list");
      expect((list.structured as { rows: string[][] }).rows).toEqual([
        [
          "env (default)",
          "env",
          alpha.server,
          expect.stringMatching(/^v1\./),
          "yes",
          "shop",
          "non-destructive",
          "service",
          "-",
        ],
      ]);
      const pods = await call(e.client, "pods_logs", { kind: "Deployment", name: "web", tail: 1 });
      expect(pods.text).toContain('level=info msg="request served"');
    } finally {
      await e.close();
    }
  });

  it("names the verb and resource it may not use", async () => {
    const r = await call(s.client, "resources_list", { kind: "secrets", namespace: "shop" });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(
      /^Forbidden: kube-mcp's identity on cluster alpha-viewer may not list secrets in namespace shop\./,
    );
    expect(r.text).toContain("Ask for a Role/ClusterRole granting this verb");
  });
});

describe("secret values", () => {
  it("are shown only when revealSecrets is enabled, and only for opaque secrets", async () => {
    const cfg = join(dir, "reveal.yaml");
    writeFileSync(cfg, stringify({ clusters: { beta: { revealSecrets: true } } }));
    const s = await stdioSession({ args: ["--config", cfg], env: { KUBECONFIG: kubeconfig } });
    try {
      const beta = await call(s.client, "resources_get", {
        kind: "secret",
        name: "db-admin",
        namespace: "data",
        cluster: "beta",
        output: "json",
      });
      const data = (JSON.parse(inner(beta.text)) as { data: Record<string, string> }).data;
      expect(Buffer.from(data.password ?? "", "base64").toString()).toBe(
        "kmcp-canary-db-admin-password-41f7",
      );
      const alpha = await call(s.client, "resources_get", {
        kind: "secret",
        name: "db-admin",
        namespace: "data",
        cluster: "alpha",
      });
      expect(alpha.text).toContain("<redacted:");
      const docker = await call(s.client, "resources_get", {
        kind: "secret",
        name: "registry-pull",
        namespace: "shop",
        cluster: "beta",
      });
      expect(docker.text).toContain("<redacted:");
    } finally {
      await s.close();
    }
  });
});

describe("prompts and empty answers", () => {
  let s: Session;
  beforeAll(async () => {
    s = await stdioSession({ env: { KUBECONFIG: kubeconfig } });
  });
  afterAll(async () => {
    await s?.close();
  });

  it("offers the investigation prompts", async () => {
    const { prompts } = await s.client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(["troubleshoot_workload", "cluster_overview"]);
    const p = await s.client.getPrompt({
      name: "troubleshoot_workload",
      arguments: { name: "web", namespace: "shop" },
    });
    const text = (p.messages[0]?.content as { text?: string } | undefined)?.text;
    expect(text).toContain("resources_describe kind=Deployment name=web namespace=shop");
  });

  it("says so in a sentence when nothing matches", async () => {
    const r = await call(s.client, "resources_list", { kind: "widgets", namespace: "ops" });
    expect(r.isError).toBe(false);
    expect(r.text).toBe("No widgets.demo.kube-mcp.io found in namespace ops.");
    const multi = await call(s.client, "resources_list", {
      kind: "pods",
      labelSelector: "app=nothing",
      cluster: "*",
    });
    expect(multi.text).toBe(
      "alpha: No pods found in any namespace matching the selectors.\nbeta: No pods found in any namespace matching the selectors.",
    );
  });
});

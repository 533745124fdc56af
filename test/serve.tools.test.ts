// Every read tool, called through a real MCP client over stdio against both test bed clusters, checked
// against what kubectl reports for the same objects. Every answer is also searched for secret leaks.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { LOG_LINES } from "../testbed/lib/sim.js";
import { leaks } from "./helpers/canary.js";
import { inner } from "./helpers/fence.js";
import { type CallOutcome, call, type Session, stdioSession } from "./helpers/mcp.js";
import { run } from "./helpers/run.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
let s: Session;
const outputs: string[] = [];

async function tool(
  name: string,
  args: Record<string, unknown> = {},
  onprogress?: () => void,
): Promise<CallOutcome> {
  const out = await call(s.client, name, args, onprogress);
  outputs.push(out.text, JSON.stringify(out.structured ?? null));
  return out;
}

async function kubectl(cluster: string, ...args: string[]): Promise<string> {
  const r = await run(join(bin, "kubectl"), ["--kubeconfig", kubeconfig, "--context", cluster, ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

type Table = {
  columns: string[];
  rows: string[][];
  clusters: { cluster: string; ok: boolean; continue?: string }[];
};

beforeAll(async () => {
  s = await stdioSession({ env: { KUBECONFIG: kubeconfig } });
});
afterAll(async () => {
  await s?.close();
});

describe("read tools over stdio", () => {
  it("lists both clusters with their versions", async () => {
    const r = await tool("clusters_list");
    expect(r.isError).toBe(false);
    const t = r.structured as Table;
    expect(t.rows.map((row) => row[0])).toEqual(["alpha (default)", "beta"]);
    const version = JSON.parse(await kubectl("alpha", "version", "-o", "json")).serverVersion.gitVersion;
    for (const row of t.rows) expect(row).toContain(version);
    expect(t.rows.every((row) => row.includes("yes"))).toBe(true);
  });

  it.each(["alpha", "beta"])("resources_list matches kubectl get pods on %s", async (cluster) => {
    const r = await tool("resources_list", { kind: "po", namespace: "shop", cluster });
    const names = (r.structured as Table).rows.map((row) => row[0]).sort();
    const expected = (await kubectl(cluster, "get", "pods", "-n", "shop", "-o", "name"))
      .split("\n")
      .map((n) => n.replace("pod/", ""))
      .sort();
    expect(names).toEqual(expected);
    expect(inner(r.text)).toMatch(/^NAME\s+READY\s+STATUS/);
  });

  it('fans out with cluster "*" and labels rows by cluster', async () => {
    let progress = 0;
    // The fixture namespace: other test files create deployments elsewhere while this one runs.
    const r = await tool(
      "resources_list",
      { kind: "deployments", namespace: "shop", cluster: "*" },
      () => progress++,
    );
    const t = r.structured as Table;
    expect(t.columns.slice(0, 2)).toEqual(["cluster", "name"]);
    expect(new Set(t.rows.map((row) => row[0]))).toEqual(new Set(["alpha", "beta"]));
    expect(t.clusters.map((c) => [c.cluster, c.ok])).toEqual([
      ["alpha", true],
      ["beta", true],
    ]);
    const perCluster = (await kubectl("alpha", "get", "deployments", "-n", "shop", "-o", "name")).split(
      "\n",
    ).length;
    expect(t.rows.filter((row) => row[0] === "alpha")).toHaveLength(perCluster);
    expect(progress).toBeGreaterThanOrEqual(1);
  });

  it("pages with limit and continue until every pod is seen", async () => {
    // The fixture namespace: other test files create and delete pods elsewhere while this one runs.
    const seen: string[] = [];
    let cont: string | undefined;
    for (let i = 0; i < 20; i++) {
      const r = await tool("resources_list", {
        kind: "pods",
        namespace: "shop",
        limit: 2,
        cluster: "alpha",
        ...(cont ? { continue: cont } : {}),
      });
      const t = r.structured as Table;
      expect(t.rows.length).toBeLessThanOrEqual(2);
      seen.push(...t.rows.map((row) => row[0] as string));
      cont = t.clusters[0]?.continue;
      if (!cont) break;
      expect(r.text).toContain(`continue "${cont}"`);
    }
    const all = (
      await kubectl(
        "alpha",
        "get",
        "pods",
        "-n",
        "shop",
        "-o",
        'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}',
      )
    ).split("\n");
    expect(all.length).toBeGreaterThan(2);
    expect(seen.sort()).toEqual(all.sort());
  });

  it("counts pods per namespace", async () => {
    const r = await tool("resources_list", { kind: "pods", countOnly: true });
    const counts = Object.fromEntries((r.structured as Table).rows.map((row) => [row[0], Number(row[1])]));
    const shop = (await kubectl("alpha", "get", "pods", "-n", "shop", "-o", "name")).split("\n").length;
    expect(counts.shop).toBe(shop);
  });

  it("lists custom resources by short name with their printer columns", async () => {
    const r = await tool("resources_list", { kind: "wdg", namespace: "shop" });
    expect((r.structured as Table).columns).toEqual(["name", "color", "size", "age"]);
    expect((r.structured as Table).rows.map((row) => row.slice(0, 3))).toEqual([
      ["gizmo", "blue", "7"],
      ["sprocket", "red", "3"],
    ]);
  });

  it("gets a Deployment as trimmed YAML", async () => {
    const r = await tool("resources_get", {
      kind: "Deployment",
      name: "web",
      namespace: "shop",
      cluster: "beta",
    });
    expect(inner(r.text)).toMatch(/^apiVersion: apps\/v1\nkind: Deployment\n/);
    expect(r.text).toContain(
      `uid: ${await kubectl("beta", "get", "deploy", "web", "-n", "shop", "-o", "jsonpath={.metadata.uid}")}`,
    );
    expect(r.text).not.toContain("managedFields");
    expect(r.text).toContain("DB_PASSWORD");
  });

  it("describes a Deployment with its pods and conditions", async () => {
    const r = await tool("resources_describe", { kind: "deploy", name: "web", namespace: "shop" });
    expect(r.text).toContain("Replicas:    3 desired | 3 updated | 3 ready | 3 available");
    const pods = (await kubectl("alpha", "get", "pods", "-n", "shop", "-l", "app=web", "-o", "name")).split(
      "\n",
    );
    for (const p of pods) expect(r.text).toContain(p.replace("pod/", ""));
    expect(r.text).toContain("Available    True");
  });

  it("describes the pending pod with its scheduling warning", async () => {
    const r = await tool("resources_describe", { kind: "pod", name: "stuck-pending", namespace: "ops" });
    expect(r.text).toContain("Phase:       Pending");
    expect(r.text).toContain("FailedScheduling");
    expect(r.text).toMatch(/^<untrusted-data source="describe Pod ops\/stuck-pending \(cluster alpha\)">\n/);
  });

  it("reads a workload's logs, fenced as untrusted", async () => {
    const r = await tool("pods_logs", {
      kind: "Deployment",
      name: "api",
      namespace: "shop",
      container: "api",
      tail: 2,
    });
    expect(r.text.split("\n")[0]).toMatch(/^<untrusted-data source="logs shop\/api/);
    const lines = r.text.split("\n").slice(1, -1);
    expect(lines).toHaveLength(4);
    for (const l of lines)
      expect(l).toMatch(
        new RegExp(
          `^\\[api-[a-z0-9-]+/api\\] (${LOG_LINES.slice(-2)
            .map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
            .join("|")})$`,
        ),
      );
  });

  it("filters log lines with a regex", async () => {
    const pod = (await kubectl("alpha", "get", "pods", "-n", "data", "-o", "name"))
      .split("\n")[0]
      ?.replace("pod/", "");
    const r = await tool("pods_logs", { name: pod, namespace: "data", filter: "LEVEL=ERROR" });
    expect(r.text).toContain('level=error msg="upstream unavailable"');
    expect(r.text).not.toContain("level=info");
  });

  it("lists Warning events newest first with collapsed counts", async () => {
    const r = await tool("events_list", { type: "Warning", namespace: "shop", cluster: "beta" });
    const t = r.structured as Table;
    expect(t.rows.map((row) => row[2]).sort()).toEqual(["BackOff", "Unhealthy"]);
    expect(t.rows.every((row) => row[4] === "4")).toBe(true);
  });

  it("lists API resources including the CRD", async () => {
    const r = await tool("api_resources", { contains: "widget" });
    expect((r.structured as Table).rows).toEqual([
      ["widgets", "wdg", "demo.kube-mcp.io/v1", "true", "Widget", expect.stringContaining("list")],
    ]);
  });

  it("explains a field from the cluster's OpenAPI schema", async () => {
    const r = await tool("resources_explain", { kind: "widgets", field: "spec" });
    expect(r.text).toContain("FIELD:   spec <object>");
    expect(r.text).toMatch(/color\t<string>\n {4}Paint colour\./);
  });

  it("reports cluster health", async () => {
    const r = await tool("cluster_health", { cluster: ["alpha", "beta"] });
    expect(r.text).toContain("== cluster alpha ==");
    expect(r.text).toContain("Nodes:    3/3 Ready");
    expect(r.text).toContain("ops/stuck-pending");
  });
});

describe("bad input gets a clear tool error and the server keeps serving", () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      "unknown kind",
      { kind: "deploymnets" },
      /Unknown kind "deploymnets".*\n.*Did you mean: deployments\.apps/,
    ],
    [
      "malformed selector",
      { kind: "pods", labelSelector: "app in ((" },
      /labelSelector: unbalanced parentheses: a label selector is requirements joined by ','/,
    ],
    [
      "missing namespace",
      { kind: "pods", namespace: "nope" },
      /Namespace "nope" does not exist on cluster alpha\. Namespaces: .*shop/,
    ],
    [
      "huge limit",
      { kind: "pods", limit: 100000 },
      /Invalid arguments for tool resources_list: limit: Too big: expected number to be <=500/,
    ],
    [
      "unknown cluster",
      { kind: "pods", cluster: "gamma" },
      /Unknown cluster: gamma\.\nKnown clusters: alpha, beta/,
    ],
    [
      "an empty cluster list (not the default cluster)",
      { kind: "pods", cluster: [] },
      /cluster is an empty list: it names no cluster\.\nOmit cluster for the default \(alpha\)/,
    ],
  ];
  it.each(cases)("%s", async (_label, args, message) => {
    const r = await tool("resources_list", args);
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(message);
    expect((await tool("clusters_list")).isError).toBe(false);
  });

  it("names what does exist when an object is not found", async () => {
    const r = await tool("resources_get", { kind: "deploy", name: "webb", namespace: "shop" });
    expect(r.isError).toBe(true);
    expect(r.text).toBe(
      "Deployment webb not found in namespace shop on cluster alpha.\ndeployments.apps in namespace shop: api, web.",
    );
  });

  it("says clearly that the metrics API is missing, by resources_top's name and by top, its old one", async () => {
    for (const name of ["resources_top", "top"]) {
      const r = await tool(name, { kind: "pods" });
      expect(r.isError, name).toBe(true);
      expect(r.text).toContain("metrics API (metrics.k8s.io) is not available on cluster alpha");
    }
  });
});

describe("secrets never leak", () => {
  const secrets: [string, string, string][] = [
    ["shop", "db-credentials", "applied with last-applied annotation"],
    ["data", "db-admin", "opaque"],
    ["shop", "registry-pull", "dockerconfigjson"],
    ["ops", "api-token", "opaque"],
  ];
  it.each(secrets)("secret %s/%s (%s) through get, describe and list", async (namespace, name) => {
    for (const output of ["yaml", "json"]) {
      const r = await tool("resources_get", { kind: "secrets", name, namespace, output, cluster: "*" });
      expect(r.isError).toBe(false);
      expect(r.text).toMatch(/<redacted: \d+ bytes>/);
    }
    await tool("resources_describe", { kind: "secret", name, namespace });
    await tool("resources_list", { kind: "secrets", namespace, wide: true });
  });

  it("the Deployment with a literal password env value, its pods and its ReplicaSets", async () => {
    await tool("resources_get", { kind: "deploy", name: "web", namespace: "shop" });
    await tool("resources_describe", { kind: "deploy", name: "web", namespace: "shop" });
    const pod = (await kubectl("alpha", "get", "pods", "-n", "shop", "-l", "app=web", "-o", "name"))
      .split("\n")[0]
      ?.replace("pod/", "");
    await tool("resources_get", { kind: "pod", name: pod, namespace: "shop", output: "json" });
    await tool("resources_describe", { kind: "pod", name: pod, namespace: "shop" });
    const rs = (await kubectl("alpha", "get", "rs", "-n", "shop", "-l", "app=web", "-o", "name"))
      .split("\n")[0]
      ?.replace("replicaset.apps/", "");
    await tool("resources_get", { kind: "rs", name: rs, namespace: "shop" });
  });

  it("appear in no answer given during this suite", () => {
    expect(outputs.length).toBeGreaterThan(60);
    const found = outputs.flatMap(leaks);
    expect(found).toEqual([]);
  });
});

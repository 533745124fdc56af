// Cluster objects as MCP resources: listed per cluster, read through two URI templates with the same
// pipeline as the tools (redacted, fenced), refused where the operator left the tools out.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { leaks } from "./helpers/canary.js";
import { type Session, stdioSession } from "./helpers/mcp.js";

const kubeconfig = inject("kubeconfig");
let s: Session;
beforeAll(async () => {
  s = await stdioSession({ env: { KUBECONFIG: kubeconfig } });
});
afterAll(async () => {
  await s?.close();
});

const text = (r: { contents: object[] }) =>
  r.contents.map((c) => ("text" in c ? String(c.text) : "")).join("\n");

describe("resources", () => {
  it("lists one resource per cluster and the object templates", async () => {
    const { resources } = await s.client.listResources();
    expect(resources.map((r) => r.uri).sort()).toEqual(["k8s://alpha", "k8s://beta"]);
    const { resourceTemplates } = await s.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual([
      "k8s://{cluster}",
      "k8s://{cluster}/namespaces/{namespace}/{kind}/{name}",
      "k8s://{cluster}/{kind}/{name}",
    ]);
  });

  it("reads a cluster's namespaces and a namespaced object, fenced as untrusted", async () => {
    expect(text(await s.client.readResource({ uri: "k8s://beta" }))).toMatch(/\bshop\b/);
    const deploy = text(await s.client.readResource({ uri: "k8s://alpha/namespaces/shop/deployments/web" }));
    expect(deploy).toMatch(/<untrusted-data/);
    expect(deploy).toMatch(/kind: Deployment/);
    expect(deploy).toMatch(/name: web/);
  });

  it("reads a Secret with its values redacted", async () => {
    const secret = text(
      await s.client.readResource({ uri: "k8s://alpha/namespaces/shop/secrets/db-credentials" }),
    );
    expect(secret).toMatch(/kind: Secret/);
    expect(leaks(secret)).toEqual([]);
  });

  it("reads a cluster-scoped object", async () => {
    expect(text(await s.client.readResource({ uri: "k8s://beta/namespaces/shop" }))).toMatch(
      /kind: Namespace/,
    );
  });

  it("answers a missing object or cluster with an error that says so", async () => {
    await expect(
      s.client.readResource({ uri: "k8s://alpha/namespaces/shop/deployments/nope" }),
    ).rejects.toThrow(/nope/);
    await expect(
      s.client.readResource({ uri: "k8s://gamma/namespaces/shop/deployments/web" }),
    ).rejects.toThrow(/Unknown cluster: gamma/);
  });

  it("is not offered where the operator's allow-list leaves resources_get out", async () => {
    const narrow = await stdioSession({ env: { KUBECONFIG: kubeconfig, KUBE_MCP_TOOLS: "resources_list" } });
    try {
      expect(narrow.client.getServerCapabilities()?.resources).toBeUndefined();
    } finally {
      await narrow.close();
    }
  });
});

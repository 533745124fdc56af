// Cluster objects as MCP resources: listed per cluster, read through two URI templates with the same
// pipeline as the tools (redacted, fenced), refused where the operator left the tools out.

import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { leaks } from "./helpers/canary.js";
import { type Session, stdioSession } from "./helpers/mcp.js";
import { run } from "./helpers/run.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
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

  it("links an answer about one object to its resource, which reads back the same object", async () => {
    const r = await s.client.callTool({
      name: "resources_get",
      arguments: { cluster: "alpha", kind: "deployments", name: "web", namespace: "shop" },
    });
    const links = (r.content as { type: string; uri?: string }[]).filter((c) => c.type === "resource_link");
    expect(links.map((l) => l.uri)).toEqual(["k8s://alpha/namespaces/shop/deployments/web"]);
    const read = text(await s.client.readResource({ uri: links[0]?.uri ?? "" }));
    expect(read).toMatch(/name: web/);
    const list = await s.client.callTool({ name: "resources_list", arguments: { kind: "pods" } });
    expect((list.content as { type: string }[]).map((c) => c.type)).toEqual(["text"]);
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

  it("tells a subscriber when its object changes, and stops when it unsubscribes", async () => {
    const ns = `res-${Date.now().toString(36)}`;
    const kc = (...a: string[]) =>
      run(join(bin, "kubectl"), ["--kubeconfig", kubeconfig, "--context", "alpha", ...a]);
    expect((await kc("create", "namespace", ns)).code).toBe(0);
    expect((await kc("create", "configmap", "watched", "-n", ns, "--from-literal=a=1")).code).toBe(0);
    const uri = `k8s://alpha/namespaces/${ns}/configmaps/watched`;
    const updates: string[] = [];
    s.client.setNotificationHandler("notifications/resources/updated", (n) => {
      updates.push(String((n.params as { uri: string }).uri));
    });
    try {
      expect(s.client.getServerCapabilities()?.resources?.subscribe).toBe(true);
      await s.client.subscribeResource({ uri });
      await new Promise((r) => setTimeout(r, 500));
      expect(updates).toEqual([]);
      expect((await kc("patch", "configmap", "watched", "-n", ns, "-p", '{"data":{"a":"2"}}')).code).toBe(0);
      const until = Date.now() + 15_000;
      while (!updates.includes(uri) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      expect(updates).toContain(uri);
      // The notification carries the URI only; the object is read again through the redacting read.
      expect(text(await s.client.readResource({ uri }))).toMatch(/a: "2"|a: '2'|a: 2/);
      await s.client.unsubscribeResource({ uri });
      const seen = updates.length;
      await kc("patch", "configmap", "watched", "-n", ns, "-p", '{"data":{"a":"3"}}');
      await new Promise((r) => setTimeout(r, 1500));
      expect(updates.length).toBe(seen);
    } finally {
      await kc("delete", "namespace", ns, "--wait=false");
    }
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

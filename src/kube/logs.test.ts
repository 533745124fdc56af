import { describe, expect, it } from "vitest";
import type { ToolError } from "../errors.js";
import { MAX_PODS, readLogs } from "./logs.js";
import { answer, fakeApi } from "./testdata/fake-api.js";

const signal = new AbortController().signal;
const pod = (name: string, containers = ["app"]) => ({
  metadata: { name, namespace: "shop" },
  spec: { containers: containers.map((c) => ({ name: c })) },
});
const DEPLOY = {
  metadata: { name: "web", namespace: "shop" },
  spec: { selector: { matchLabels: { app: "web" } } },
};

function cluster(pods: ReturnType<typeof pod>[], log: (pod: string, container: string) => unknown) {
  return fakeApi((req) => {
    if (req.path === "/apis/apps/v1/namespaces/shop/deployments/web") return DEPLOY;
    if (req.path === "/api/v1/namespaces/shop/pods") return { items: pods };
    const m = /^\/api\/v1\/namespaces\/shop\/pods\/([^/]+)(\/log)?$/.exec(req.path);
    const p = pods.find((x) => x.metadata.name === m?.[1]);
    if (!p) return undefined;
    return m?.[2] ? log(p.metadata.name, String(req.query?.container)) : p;
  });
}

describe("readLogs", () => {
  it("reads one pod's container with the bounds asked for, lines as they are", async () => {
    const { api, seen } = cluster([pod("web-0")], () => "one\ntwo\n");
    const logs = await readLogs(api, "Pod", "web-0", "shop", {
      tail: 5,
      since: "10m",
      previous: true,
      signal,
    });
    expect(logs).toEqual({ lines: ["one", "two"], containers: 1, notes: [] });
    expect(seen.at(-1)?.query).toMatchObject({
      container: "app",
      tailLines: 5,
      sinceSeconds: 600,
      previous: true,
    });
  });

  it("reads every pod of a workload, each line prefixed with its pod and container", async () => {
    const { api, seen } = cluster([pod("web-0", ["app", "proxy"]), pod("web-1")], (p, c) => `${p} ${c}\n`);
    const logs = await readLogs(api, "deploy", "web", "shop", { tail: 100, signal });
    expect(logs.lines).toEqual([
      "[web-0/app] web-0 app",
      "[web-0/proxy] web-0 proxy",
      "[web-1/app] web-1 app",
    ]);
    expect(seen.find((r) => r.path === "/api/v1/namespaces/shop/pods")?.query?.labelSelector).toBe("app=web");
  });

  it("filters redacted lines, so a filter cannot probe a masked value", async () => {
    const { api } = cluster([pod("web-0")], () => "GET /health\npassword=hunter2secret\nGET /cart\n");
    const logs = await readLogs(api, "Pod", "web-0", "shop", {
      tail: 100,
      filter: (l) => /hunter2/.test(l),
      signal,
    });
    expect(logs.lines).toEqual([]);
    const all = await readLogs(api, "Pod", "web-0", "shop", { tail: 100, signal });
    expect(all.lines.join("\n")).not.toContain("hunter2");
  });

  it("says why one container failed while the others still answer", async () => {
    const forbidden = answer(403, {
      kind: "Status",
      reason: "Forbidden",
      message: "no logs for you",
      code: 403,
    });
    const { api } = cluster([pod("web-0", ["app", "proxy"])], (_p, c) =>
      c === "proxy" ? forbidden : "ok\n",
    );
    const logs = await readLogs(api, "deploy", "web", "shop", { tail: 100, signal });
    expect(logs.lines[0]).toBe("[web-0/app] ok");
    expect(logs.lines[1]).toBe(
      "[web-0/proxy] Forbidden: kube-mcp's identity on cluster test may not get pods/log web-0 in namespace shop. no logs for you",
    );
  });

  it(`reads at most ${MAX_PODS} pods and says so`, async () => {
    const pods = Array.from({ length: MAX_PODS + 2 }, (_, i) => pod(`web-${i}`));
    const { api } = cluster(pods, () => "x\n");
    const logs = await readLogs(api, "deploy", "web", "shop", { tail: 1, signal });
    expect(logs.containers).toBe(MAX_PODS);
    expect(logs.notes).toEqual([
      `Showing logs of ${MAX_PODS} of ${MAX_PODS + 2} pods; name a pod to see another.`,
    ]);
  });

  it("refuses a bad duration, an unknown container and a workload without pods with what to do", async () => {
    const { api } = cluster([pod("web-0", ["app", "proxy"])], () => "");
    await expect(readLogs(api, "Pod", "web-0", "shop", { tail: 1, since: "ten", signal })).rejects.toThrow(
      '"since" must be a duration like "30s", "10m" or "2h", got "ten".',
    );
    const err = (await readLogs(api, "Pod", "web-0", "shop", { tail: 1, container: "db", signal }).catch(
      (e: unknown) => e,
    )) as ToolError;
    expect([err.message, err.hint]).toEqual(['No container named "db" in web-0.', "Containers: app, proxy."]);
    const { api: empty } = cluster([], () => "");
    await expect(readLogs(empty, "deploy", "web", "shop", { tail: 1, signal })).rejects.toThrow(
      "Deployment web in namespace shop has no pods right now.",
    );
  });
});

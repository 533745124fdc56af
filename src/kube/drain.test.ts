import { describe, expect, it } from "vitest";
import { drainNode } from "./drain.js";
import { answer, fakeApi } from "./testdata/fake-api.js";

const pod = (name: string, owner?: string) => ({
  metadata: {
    name,
    namespace: "shop",
    ...(owner ? { ownerReferences: [{ kind: owner, controller: true, uid: owner }] } : {}),
  },
});
const PODS = [
  pod("web-1", "ReplicaSet"),
  pod("db-0", "StatefulSet"),
  pod("agent-x", "DaemonSet"),
  pod("loner"),
];
const tooMany = answer(429, { kind: "Status", reason: "TooManyRequests", message: "budget", code: 429 });

/** An API server whose db-0 eviction a budget blocks `blocked` times (Infinity: always). */
function node(blocked: number) {
  let tries = 0;
  const { api, seen } = fakeApi((req) => {
    if (req.path === "/api/v1/pods") return { items: PODS };
    if (req.path === "/api/v1/nodes/n1") return {};
    if (req.path.endsWith("/db-0/eviction")) return tries++ < blocked ? tooMany : {};
    if (req.path.endsWith("/eviction")) return {};
    return undefined;
  });
  return { api, seen, evictions: () => seen.filter((r) => r.path.endsWith("/eviction")).map((r) => r.path) };
}

const opts = (o: Partial<Parameters<typeof drainNode>[2]> = {}) => ({
  force: false,
  dryRun: false,
  forMs: 10_000,
  signal: new AbortController().signal,
  progress: () => {},
  ...o,
});

describe("drainNode", () => {
  it("refuses, changing nothing, when an unmanaged pod would be lost", async () => {
    const { api, seen } = node(0);
    await expect(drainNode(api, "n1", opts())).rejects.toThrow(
      "Node n1 runs pods no controller would recreate: shop/loner. Nothing was changed.",
    );
    expect(seen.filter((r) => r.method === "PATCH" || r.method === "POST")).toEqual([]);
  });

  it("cordons, leaves DaemonSet pods, and retries an eviction a budget blocks until it goes through", async () => {
    const { api, seen, evictions } = node(2);
    const progress: string[] = [];
    const text = await drainNode(api, "n1", opts({ force: true, progress: (_d, _t, m) => progress.push(m) }));
    expect(text).toBe(
      [
        "Node n1 cordoned.",
        "Evicted: shop/web-1, shop/loner, shop/db-0.",
        "Left in place (DaemonSet): shop/agent-x.",
      ].join("\n"),
    );
    expect(seen.find((r) => r.method === "PATCH")?.body).toBe('{"spec":{"unschedulable":true}}');
    expect(evictions().filter((p) => p.includes("db-0"))).toHaveLength(3);
    expect(progress).toEqual(["2 evicted, 1 waiting", "2 evicted, 1 waiting", "3 evicted, 0 waiting"]);
  }, 15_000);

  it("reports pods still blocked at the deadline, and a dry run evicts once with dryRun set", async () => {
    const blocked = node(Number.POSITIVE_INFINITY);
    const text = await drainNode(blocked.api, "n1", opts({ force: true, forMs: 0 }));
    expect(text).toContain(
      "Blocked by a PodDisruptionBudget until the deadline: shop/db-0. The node stays cordoned; retry later or relax the budget.",
    );
    const dry = node(Number.POSITIVE_INFINITY);
    const said = await drainNode(dry.api, "n1", opts({ force: true, dryRun: true }));
    expect(said.split("\n")[0]).toBe("Node n1 would be cordoned and drained (dry run: nothing changed).");
    expect(dry.seen.some((r) => r.method === "PATCH")).toBe(false);
    expect(dry.evictions()).toHaveLength(3);
    expect(
      dry.seen
        .filter((r) => r.path.endsWith("/eviction"))
        .every((r) => String(r.body).includes('"dryRun":["All"]')),
    ).toBe(true);
  });

  it("stops retrying at once when the call is cancelled", async () => {
    const { api } = node(Number.POSITIVE_INFINITY);
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(new Error("cancelled")), 50);
    await expect(
      drainNode(api, "n1", opts({ force: true, forMs: 60_000, signal: ac.signal })),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

import { describe, expect, it } from "vitest";
import { quantity, readUsage } from "./metrics.js";
import { answer, fakeApi } from "./testdata/fake-api.js";

const signal = new AbortController().signal;

describe("quantity", () => {
  it("reads CPU as millicores and memory as bytes, in every suffix metrics-server uses", () => {
    expect(quantity("250m", "cpu")).toBe(250);
    expect(quantity("2", "cpu")).toBe(2000);
    expect(quantity("1500000n", "cpu")).toBeCloseTo(1.5);
    expect(quantity("300u", "cpu")).toBeCloseTo(0.3);
    expect(quantity("64Mi", "bytes")).toBe(64 * 1024 ** 2);
    expect(quantity("1Gi", "bytes")).toBe(1024 ** 3);
    expect(quantity("2k", "bytes")).toBe(2000);
    expect(quantity("1.5G", "bytes")).toBe(1.5e9);
  });

  it("counts what is missing or unreadable as 0", () => {
    expect(quantity(undefined, "cpu")).toBe(0);
    expect(quantity("", "bytes")).toBe(0);
    expect(quantity("lots", "bytes")).toBe(0);
  });
});

describe("readUsage", () => {
  const PODS = {
    items: [
      { metadata: { name: "a", namespace: "x" }, containers: [{ usage: { cpu: "100m", memory: "10Mi" } }] },
      {
        metadata: { name: "b", namespace: "y" },
        containers: [{ usage: { cpu: "20m", memory: "100Mi" } }, { usage: { cpu: "30m", memory: "1Mi" } }],
      },
    ],
  };

  it("sums each pod's containers and sorts the heaviest first", async () => {
    const { api, seen } = fakeApi((req) =>
      req.path === "/apis/metrics.k8s.io/v1beta1/pods" ? PODS : undefined,
    );
    const byCpu = await readUsage(api, "pods", { sortBy: "cpu", labelSelector: "app=web", signal });
    expect(byCpu.map((u) => [u.name, u.cpu])).toEqual([
      ["a", 100],
      ["b", 50],
    ]);
    const byMem = await readUsage(api, "pods", { sortBy: "memory", signal });
    expect(byMem.map((u) => [u.namespace, u.name, u.mem / 1024 ** 2])).toEqual([
      ["y", "b", 101],
      ["x", "a", 10],
    ]);
    expect(seen[0]?.query?.labelSelector).toBe("app=web");
  });

  it("reads one namespace's pods, and nodes whatever the namespace", async () => {
    const { api, seen } = fakeApi(() => ({ items: [] }));
    await readUsage(api, "pods", { namespace: "shop", sortBy: "cpu", signal });
    await readUsage(api, "nodes", { namespace: "shop", sortBy: "cpu", signal });
    expect(seen.map((r) => r.path)).toEqual([
      "/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods",
      "/apis/metrics.k8s.io/v1beta1/nodes",
    ]);
  });

  it("says to install metrics-server when the metrics API is missing", async () => {
    const { api } = fakeApi(() => answer(404, "404 page not found"));
    const err = await readUsage(api, "nodes", { sortBy: "cpu", signal }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      message: "The metrics API (metrics.k8s.io) is not available on cluster test, so usage cannot be shown.",
      hint: expect.stringContaining("Install metrics-server"),
    });
  });
});

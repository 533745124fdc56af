import { describe, expect, it } from "vitest";
import { listResources } from "./list.js";
import { fakeApi } from "./testdata/fake-api.js";

const signal = new AbortController().signal;
const table = (rows: [string, string][]) => ({
  kind: "Table",
  columnDefinitions: [{ name: "Name", type: "string" }],
  rows: rows.map(([ns, n]) => ({ cells: [n], object: { metadata: { name: n, namespace: ns } } })),
});

describe("listResources", () => {
  it("lists across namespaces with a namespace column, labelled for the fence", async () => {
    const { api } = fakeApi((req) =>
      req.path === "/api/v1/pods"
        ? table([
            ["shop", "web-0"],
            ["db", "db-0"],
          ])
        : undefined,
    );
    const t = await listResources(api, { kind: "po", limit: 10, signal });
    expect(t.columns).toEqual(["namespace", "name"]);
    expect(t.rows).toEqual([
      ["shop", "web-0"],
      ["db", "db-0"],
    ]);
    expect(t.untrusted).toBe("pods in any namespace");
  });

  it("says an empty list is empty, mentioning the selectors, or that the namespace does not exist", async () => {
    const { api } = fakeApi((req) =>
      req.path === "/api/v1/namespaces/shop/pods"
        ? table([])
        : req.path === "/api/v1/namespaces/shop"
          ? {}
          : undefined,
    );
    const t = await listResources(api, {
      kind: "pods",
      namespace: "shop",
      labelSelector: "app=x",
      limit: 10,
      signal,
    });
    expect(t.rows).toEqual([]);
    expect(t.empty).toBe("No pods found in namespace shop matching the selectors.");
    const { api: gone } = fakeApi((req) =>
      req.path === "/api/v1/namespaces/nope/pods"
        ? table([])
        : req.path === "/api/v1/namespaces"
          ? { items: [{ metadata: { name: "shop" } }] }
          : undefined,
    );
    await expect(listResources(gone, { kind: "pods", namespace: "nope", limit: 10, signal })).rejects.toThrow(
      'Namespace "nope" does not exist on cluster test. Namespaces: shop.',
    );
  });

  it("counts per namespace, most first, with the total in a note", async () => {
    const { api } = fakeApi((req) =>
      req.path === "/api/v1/pods"
        ? {
            metadata: {},
            items: [
              { metadata: { namespace: "a" } },
              { metadata: { namespace: "b" } },
              { metadata: { namespace: "b" } },
            ],
          }
        : undefined,
    );
    const t = await listResources(api, { kind: "pods", countOnly: true, limit: 10, signal });
    expect(t.rows).toEqual([
      ["b", "2"],
      ["a", "1"],
    ]);
    expect(t.notes).toEqual(["3 pods in any namespace."]);
  });
});

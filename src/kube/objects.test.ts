import { describe, expect, it } from "vitest";
import { ToolError } from "../errors.js";
import { getObject } from "./objects.js";
import { fakeApi } from "./testdata/fake-api.js";

const signal = new AbortController().signal;
const pod = (name: string) => ({ metadata: { name, namespace: "shop" } });
const table = (names: string[]) => ({
  kind: "Table",
  columnDefinitions: [{ name: "Name", type: "string" }],
  rows: names.map((n) => ({ cells: [n], object: { metadata: { name: n, namespace: "shop" } } })),
});

describe("getObject", () => {
  it("reads a namespaced object from the namespace given, and a cluster-scoped one from none", async () => {
    const { api, seen } = fakeApi((req) =>
      req.path === "/api/v1/namespaces/shop/pods/web-0"
        ? pod("web-0")
        : req.path === "/api/v1/nodes/n1"
          ? { metadata: { name: "n1" } }
          : undefined,
    );
    const found = await getObject(api, "po", "web-0", "shop", signal);
    expect(found.r.kind).toBe("Pod");
    expect(found.ns).toBe("shop");
    expect(found.obj.metadata.name).toBe("web-0");
    const node = await getObject(api, "nodes", "n1", "shop", signal);
    expect(node.ns).toBeUndefined();
    expect(seen.map((r) => r.path)).toEqual(["/api/v1/namespaces/shop/pods/web-0", "/api/v1/nodes/n1"]);
  });

  it("names the objects that do exist when the one asked for is missing", async () => {
    const { api } = fakeApi((req) =>
      req.path === "/api/v1/namespaces/shop/pods" ? table(["web-0", "web-2"]) : undefined,
    );
    const err = await getObject(api, "pods", "web-1", "shop", signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolError);
    expect((err as ToolError).message).toBe("Pod web-1 not found in namespace shop on cluster test.");
    expect((err as ToolError).hint).toBe("pods in namespace shop: web-0, web-2.");
  });

  it("says when the namespace itself does not exist, listing the ones that do", async () => {
    const { api } = fakeApi((req) =>
      req.path === "/api/v1/namespaces/shop/pods"
        ? table([])
        : req.path === "/api/v1/namespaces"
          ? { items: [{ metadata: { name: "default" } }, { metadata: { name: "shop-prod" } }] }
          : undefined,
    );
    const err = (await getObject(api, "pods", "web-1", "shop", signal).catch((e: unknown) => e)) as ToolError;
    expect(err.hint).toBe('Namespace "shop" does not exist on cluster test. Namespaces: default, shop-prod.');
    const { api: empty } = fakeApi((req) =>
      req.path === "/api/v1/namespaces/shop/pods"
        ? table([])
        : req.path === "/api/v1/namespaces/shop"
          ? { metadata: { name: "shop" } }
          : undefined,
    );
    const none = (await getObject(empty, "pods", "web-1", "shop", signal).catch(
      (e: unknown) => e,
    )) as ToolError;
    expect(none.hint).toBe("There are no pods in namespace shop.");
  });
});

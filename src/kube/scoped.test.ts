import { describe, expect, it } from "vitest";
import { Scope } from "../policy/scope.js";
import { filterResponse, parseApiPath, refusalOf } from "./scoped.js";

const scope = Scope.of("prod", { namespaces: { deny: ["kube-*"] }, kinds: { deny: ["secrets"] } });
const json = (body: unknown) => ({
  status: 200,
  headers: { "content-type": "application/json" },
  body: Buffer.from(JSON.stringify(body)),
});

describe("parseApiPath", () => {
  it("reads namespaced, cluster-scoped, watch and Namespace paths", () => {
    expect(parseApiPath("/api/v1/namespaces/shop/pods/web/log?tail=1")).toEqual({
      group: "",
      namespace: "shop",
      resource: "pods",
      name: "web",
      subresource: "log",
      watch: false,
    });
    expect(parseApiPath("/apis/apps/v1/deployments")).toMatchObject({
      group: "apps",
      resource: "deployments",
    });
    expect(parseApiPath("/api/v1/watch/namespaces/a/pods")).toMatchObject({ namespace: "a", watch: true });
    expect(parseApiPath("/api/v1/namespaces/kube-system")).toMatchObject({ namespace: "kube-system" });
    expect(parseApiPath("/apis/apps/v1")).toBeUndefined();
    expect(parseApiPath("/version")).toBeUndefined();
  });
});

describe("refusalOf", () => {
  it("refuses hidden namespaces and kinds, a hidden Namespace's creation and watches across namespaces", () => {
    expect(refusalOf(scope, { path: "/api/v1/namespaces/kube-system/pods" })).toMatch(
      /kube-system is hidden/,
    );
    expect(refusalOf(scope, { path: "/api/v1/namespaces/shop/secrets/x" })).toMatch(/secrets is hidden/);
    expect(refusalOf(scope, { path: "/api/v1/secrets" })).toMatch(/secrets is hidden/);
    const create = {
      method: "POST" as const,
      path: "/api/v1/namespaces",
      body: '{"metadata":{"name":"kube-x"}}',
    };
    expect(refusalOf(scope, create)).toMatch(/kube-x is hidden/);
    expect(refusalOf(scope, { path: "/api/v1/pods?watch=true" })).toMatch(/watching pods across namespaces/);
    expect(refusalOf(scope, { path: "/api/v1/namespaces/shop/pods?watch=1" })).toBeUndefined();
    expect(refusalOf(scope, { path: "/api/v1/pods" })).toBeUndefined();
  });

  it("judges access and rules reviews by the namespace and kind they ask about", () => {
    const review = (spec: unknown) => ({
      method: "POST" as const,
      path: "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
      body: JSON.stringify({ spec }),
    });
    expect(refusalOf(scope, review({ namespace: "kube-system" }))).toMatch(/kube-system is hidden/);
    expect(refusalOf(scope, review({ resourceAttributes: { verb: "get", resource: "secrets" } }))).toMatch(
      /secrets is hidden/,
    );
    expect(
      refusalOf(scope, review({ resourceAttributes: { verb: "get", resource: "pods", namespace: "shop" } })),
    ).toBeUndefined();
  });

  it("never judges a path the HTTP client would rewrite into another one", () => {
    for (const path of [
      "/api/v1/namespaces/shop/../kube-system/pods",
      "/api/v1/namespaces/shop/%2e%2e/kube-system/pods",
      "/api/v1/namespaces/shop\\..\\kube-system/pods",
      "/api/v1/namespaces/shop%2F..%2Fkube-system/pods",
      "/api/v1/namespaces/shop/pods#x",
    ])
      expect(refusalOf(scope, { path }), path).toMatch(/is not a plain API path/);
  });
});

describe("filterResponse", () => {
  it("drops rows of hidden namespaces from lists and Tables, and events about hidden kinds", () => {
    const list = json({
      kind: "PodList",
      items: [
        { metadata: { name: "a", namespace: "shop" } },
        { metadata: { name: "b", namespace: "kube-system" } },
      ],
    });
    const out = JSON.parse(filterResponse(scope, { path: "/api/v1/pods" }, list).body.toString());
    expect(out.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(["a"]);
    const table = json({
      kind: "Table",
      rows: [
        { cells: ["kube-public"], object: { metadata: { name: "kube-public" } } },
        { cells: ["shop"], object: { metadata: { name: "shop" } } },
      ],
    });
    const ns = JSON.parse(filterResponse(scope, { path: "/api/v1/namespaces" }, table).body.toString());
    expect(ns.rows.map((r: { cells: string[] }) => r.cells[0])).toEqual(["shop"]);
    const events = json({
      kind: "EventList",
      items: [
        { metadata: { namespace: "shop" }, involvedObject: { kind: "Secret", apiVersion: "v1" } },
        { metadata: { namespace: "shop" }, involvedObject: { kind: "Pod", apiVersion: "v1" } },
      ],
    });
    const ev = JSON.parse(
      filterResponse(scope, { path: "/api/v1/namespaces/shop/events" }, events).body.toString(),
    );
    expect(ev.items.map((i: { involvedObject: { kind: string } }) => i.involvedObject.kind)).toEqual(["Pod"]);
  });

  it("refuses a list across namespaces it cannot read, where namespaces are limited", () => {
    const yaml = {
      status: 200,
      headers: { "content-type": "application/yaml" },
      body: Buffer.from("items: []"),
    };
    expect(() => filterResponse(scope, { path: "/api/v1/pods" }, yaml)).toThrow(/cannot filter/);
    expect(filterResponse(scope, { path: "/api/v1/namespaces/shop/pods" }, yaml)).toBe(yaml);
  });

  it("leaves single objects and unchanged lists as they came", () => {
    const one = json({ kind: "Pod", metadata: { name: "a", namespace: "shop" } });
    expect(filterResponse(scope, { path: "/api/v1/namespaces/shop/pods/a" }, one)).toBe(one);
    const fine = json({ kind: "PodList", items: [{ metadata: { namespace: "shop" } }] });
    expect(filterResponse(scope, { path: "/api/v1/pods" }, fine)).toBe(fine);
  });
});

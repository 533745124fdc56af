import { describe, expect, it } from "vitest";
import { objectLink } from "./resources.js";

describe("objectLink", () => {
  it("links an answer about one object to its resource, on the named or the default cluster", () => {
    expect(objectLink("resources_get", { kind: "deploy", name: "web", namespace: "shop" }, "alpha")).toEqual({
      type: "resource_link",
      uri: "k8s://alpha/namespaces/shop/deploy/web",
      name: "deploy/web",
      mimeType: "text/plain",
    });
    expect(
      objectLink("resources_describe", { kind: "nodes", name: "n1", cluster: ["beta"] }, "alpha")?.uri,
    ).toBe("k8s://beta/nodes/n1");
  });

  it("links nothing for lists, several clusters, or values that would not make a URI segment", () => {
    expect(objectLink("resources_list", { kind: "pods" }, "alpha")).toBeUndefined();
    expect(objectLink("resources_get", { kind: "pods", name: "a", cluster: "*" }, "alpha")).toBeUndefined();
    expect(
      objectLink("resources_get", { kind: "pods", name: "a", cluster: ["a", "b"] }, "alpha"),
    ).toBeUndefined();
    expect(objectLink("resources_get", { kind: "apps/v1/Deployment", name: "a" }, "alpha")).toBeUndefined();
    expect(objectLink("resources_get", { kind: "pods", name: "a" }, undefined)).toBeUndefined();
    expect(objectLink("resources_get", { kind: "pods", name: "a", namespace: "" }, "alpha")).toBeUndefined();
  });
});

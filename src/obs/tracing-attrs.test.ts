import { describe, expect, it } from "vitest";
import { apiRoute } from "./tracing-attrs.js";

describe("apiRoute", () => {
  it("replaces object names and keeps the namespace apart", () => {
    expect(apiRoute("/api/v1/namespaces/shop/pods/web-1/log?container=app")).toEqual({
      template: "/api/v1/namespaces/{namespace}/pods/{name}/log",
      resource: "pods",
      namespace: "shop",
    });
    expect(apiRoute("/apis/apps/v1/namespaces/shop/deployments")).toEqual({
      template: "/apis/apps/v1/namespaces/{namespace}/deployments",
      resource: "deployments.apps",
      namespace: "shop",
    });
  });
  it("reads a Namespace object as a name, not a namespace", () => {
    expect(apiRoute("/api/v1/namespaces/secret-project")).toEqual({
      template: "/api/v1/namespaces/{name}",
      resource: "namespaces",
    });
  });
  it("cuts proxy paths after the subresource", () => {
    expect(apiRoute("/api/v1/namespaces/a/services/b/proxy/admin/token").template).toBe(
      "/api/v1/namespaces/{namespace}/services/{name}/proxy/…",
    );
  });
  it("keeps discovery and other paths short", () => {
    expect(apiRoute("/apis").template).toBe("/apis");
    expect(apiRoute("/version").template).toBe("/version");
    expect(apiRoute("/openapi/v3/apis/apps/v1").template).toBe("/openapi/v3");
  });
});

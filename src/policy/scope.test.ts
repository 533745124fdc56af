import { describe, expect, it } from "vitest";
import { Scope } from "./scope.js";

describe("Scope", () => {
  const scope = Scope.of(
    "prod",
    { namespaces: { deny: ["kube-*"] }, kinds: { deny: ["secrets", "rbac.authorization.k8s.io/*"] } },
    { namespaces: { allow: ["shop", "data-*", "kube-system"] } },
  );

  it("hides a namespace any layer denies or a layer's allow list leaves out", () => {
    expect(scope.namespaceHidden("shop")).toBeUndefined();
    expect(scope.namespaceHidden("data-eu")).toBeUndefined();
    expect(scope.namespaceHidden("kube-system")).toBe(
      "namespace kube-system is hidden on cluster prod (namespaces.deny kube-*)",
    );
    expect(scope.namespaceHidden("ops")).toMatch(/not in namespaces.allow shop, data-\*, kube-system/);
  });

  it("hides kinds by resource, Kind, group glob or resource.group", () => {
    expect(scope.kindHidden({ group: "", resource: "secrets" })).toMatch(
      /secrets is hidden .*kinds.deny secrets/,
    );
    expect(scope.kindHidden({ group: "", kind: "Secret" })).toBeDefined();
    expect(scope.kindHidden({ group: "rbac.authorization.k8s.io", resource: "roles" })).toBeDefined();
    expect(scope.kindHidden({ group: "", resource: "pods" })).toBeUndefined();
    expect(scope.kindHidden({ group: "apps", resource: "deployments" })).toBeUndefined();
    const dotted = Scope.of("x", { kinds: { deny: ["deployments.apps"] } });
    expect(dotted.kindHidden({ group: "apps", resource: "deployments" })).toBeDefined();
    expect(dotted.kindHidden({ group: "extensions.example", resource: "deployments" })).toBeUndefined();
  });

  it("keeps only the policy fields of a whole configuration, and says nothing when nothing is set", () => {
    const s = Scope.of("x", { kinds: { deny: ["secrets"] }, http: { apiKey: "k" } } as never, {}, undefined);
    expect(s.layers).toEqual([{ kinds: { deny: ["secrets"] } }]);
    expect(Scope.of("x", {}).active).toBe(false);
    expect(s.summary()).toBe("kinds deny secrets");
    expect(scope.summary()).toBe(
      "namespaces deny kube-*; kinds deny secrets,rbac.authorization.k8s.io/*; namespaces allow shop,data-*,kube-system",
    );
  });
});

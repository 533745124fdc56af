import { describe, expect, it } from "vitest";
import { ToolError } from "../errors.js";
import {
  apiVersionProblem,
  checkLabelSelector,
  checkName,
  checkNamespace,
  kindProblem,
  nameProblem,
  namespaceProblem,
  RULES,
} from "./names.js";
import { corePath, resourcePath } from "./resolve.js";
import { fieldSelectorProblem, fieldValue, labelSelectorProblem } from "./selectors.js";

const POD = { group: "", resource: "pods" };
const ROLE = { group: "rbac.authorization.k8s.io", resource: "clusterroles" };
const WIDGET = { group: "demo.kube-mcp.io", resource: "widgets" };
const NODE = { group: "", resource: "nodes" };
const EVENT = { group: "", resource: "events" };

const HOSTILE = [
  ".",
  "..",
  "%2e",
  "%2e%2e",
  "../secrets",
  "a/b",
  "/",
  "a%2fb",
  "a\x00b",
  "a\nb",
  "",
  "x".repeat(254),
];

describe("namespaces are DNS-1123 labels", () => {
  it.each(["default", "kube-system", "a", "0", "shop-2", "x".repeat(63)])("accepts %j", (ns) => {
    expect(namespaceProblem(ns)).toBeUndefined();
  });
  it.each([...HOSTILE, "-a", "a-", "Shop", "a.b", "a_b", "x".repeat(64), "ünï", " a", "a "])(
    "refuses %j",
    (ns) => {
      expect(namespaceProblem(ns)).toBe(RULES.namespace);
    },
  );
});

describe("object names", () => {
  it.each([
    ["web-1", POD],
    ["web.1.example", POD],
    ["system:controller:job-controller", ROLE],
    ["system:kube-scheduler", ROLE],
    ["ip-10-0-0-1.ec2.internal", NODE],
    ["kwok-node-0", NODE],
    ["web-1.17a2b3c4d5e6f", EVENT],
    ["Mixed_Case:ok", EVENT],
    ["my-widget", WIDGET],
    ["x".repeat(253), POD],
  ])("accepts %j (%o)", (name, r) => {
    expect(nameProblem(name, r)).toBeUndefined();
  });

  it.each(HOSTILE)("refuses %j for every kind, by the path-segment rule", (name) => {
    for (const r of [POD, ROLE, WIDGET, NODE, EVENT, undefined])
      expect(nameProblem(name, r)).toBe(RULES.segment);
  });

  it.each(["-a", "a-", "Web", "a_b", "a:b", "ünï", "a..b", ".a"])(
    "refuses %j for a pod, by the DNS-1123 subdomain rule",
    (name) => {
      expect(nameProblem(name, POD)).toBe(RULES.subdomain);
    },
  );

  it("judges a Namespace object's name as a namespace", () => {
    expect(nameProblem("a.b", { group: "", resource: "namespaces" })).toBe(RULES.namespace);
  });
});

describe("refusals", () => {
  it("say what was refused and the rule, as a ToolError", () => {
    const err = (() => {
      try {
        checkNamespace("..");
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ToolError);
    expect((err as Error).message).toBe(
      `Refused namespace ".." because ${RULES.namespace}. Nothing was requested.`,
    );
    expect(() => checkName("a/b", { ...POD, kind: "Pod" })).toThrow(
      /^Refused name "a\/b" for Pod because a name must be a valid path segment/,
    );
  });

  it("are raised where every path is built, before any request", () => {
    const pods = { group: "", version: "v1", resource: "pods", namespaced: true };
    expect(resourcePath(pods, "shop", "web-1", "log")).toBe("/api/v1/namespaces/shop/pods/web-1/log");
    expect(resourcePath(pods)).toBe("/api/v1/pods");
    expect(() => resourcePath(pods, "..", "x")).toThrow(ToolError);
    expect(() => resourcePath(pods, "shop", ".")).toThrow(ToolError);
    expect(() => resourcePath(pods, "", "x")).toThrow(ToolError);
    expect(() => corePath("pods", "shop", "..", "exec")).toThrow(ToolError);
    expect(() => corePath("nodes", undefined, "a/b")).toThrow(ToolError);
    expect(corePath("namespaces", undefined, "shop")).toBe("/api/v1/namespaces/shop");
    const roles = { ...ROLE, version: "v1", namespaced: false };
    expect(resourcePath(roles, undefined, "system:auth-delegator")).toBe(
      "/apis/rbac.authorization.k8s.io/v1/clusterroles/system%3Aauth-delegator",
    );
  });
});

describe("kinds and API versions", () => {
  it.each([
    "pods",
    "Pod",
    "deploy",
    "deployments.apps",
    "Deployment.v1.apps",
    "apps/v1",
    "widgets.demo.kube-mcp.io",
    " pods ",
  ])("accepts the kind %j", (k) => {
    expect(kindProblem(k)).toBeUndefined();
  });
  it.each([
    "",
    "..",
    "pods/../secrets",
    "a b",
    "pods?x=1",
    "pods%2f",
    "-pods",
    "pods.",
    "a..b",
    "pöds",
    "a\x00",
  ])("refuses the kind %j", (k) => {
    expect(kindProblem(k)).toBe(RULES.kind);
  });
  it.each(["v1", "apps/v1", "demo.kube-mcp.io/v1alpha1"])("accepts the apiVersion %j", (v) => {
    expect(apiVersionProblem(v)).toBeUndefined();
  });
  it.each(["", "../v1", "apps/", "Apps/v1", "apps/v1/x", "apps//v1"])("refuses the apiVersion %j", (v) => {
    expect(apiVersionProblem(v)).toBe(RULES.apiVersion);
  });
});

describe("label selectors", () => {
  it.each([
    "",
    "app=web",
    "app = web , tier!=cache",
    "app==web",
    "app",
    "!app",
    "app.kubernetes.io/name=web",
    "env in (prod, staging)",
    "env notin (dev)",
    "app=",
    "replicas>2",
    "k in (a,b),x=y",
  ])("accepts %j", (s) => {
    expect(labelSelectorProblem(s)).toBeUndefined();
  });
  it.each([
    ["app=web,", /"" is not a requirement/],
    ["app=we b", /is not a requirement/],
    ["app=-web", /a label value is empty or/],
    ["-app=web", /a label key is/],
    ["Exam_ple.COM/app=web", /a label key is/],
    ["env in (prod", /unbalanced parentheses/],
    ["env in ((a))", /unbalanced parentheses/],
    ["app=%2e%2e", /a label value/],
    [`app=${"x".repeat(64)}`, /a label value/],
    ["app=web;drop", /a label value/],
  ])("refuses %j, naming the rule", (s, rule) => {
    expect(labelSelectorProblem(s)).toMatch(rule);
  });
  it("refuses with a ToolError that quotes the selector", () => {
    expect(() => checkLabelSelector("app=web,")).toThrow(
      /^Refused label selector "app=web,", at "" is not a requirement: /,
    );
  });
});

describe("field selectors", () => {
  it.each([
    "",
    "status.phase=Running",
    "status.phase!=Running,status.phase!=Succeeded",
    "spec.nodeName==node-1",
    "involvedObject.fieldPath=spec.containers{web}",
    "metadata.name=a\\,b",
    "metadata.name=a\\=b\\\\",
  ])("accepts %j", (s) => {
    expect(fieldSelectorProblem(s)).toBeUndefined();
  });
  it.each(["status.phase", "=Running", "status phase=Running", "a=b=c", "a=b\\x", "a=b,", "a=\x00"])(
    "refuses %j",
    (s) => {
      expect(fieldSelectorProblem(s)).toMatch(/a field selector is terms joined by ','/);
    },
  );
  it("escapes the values kube-mcp places into one, so a name stays one value", () => {
    const sel = `involvedObject.name=${fieldValue("x,involvedObject.kind=Secret")}`;
    expect(sel).toBe("involvedObject.name=x\\,involvedObject.kind\\=Secret");
    expect(fieldSelectorProblem(sel)).toBeUndefined();
  });
});

// Threat class 9, names are not validated: a name or namespace such as "." or ".." would walk the API
// path (a namespaced get turned into a cluster-wide list). Every name and namespace a tool takes is
// refused with the rule it breaks before anything is requested, in every tool and the passthrough, and
// a destructive call with such a name changes nothing.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { call, type Session, stdioSession } from "../helpers/mcp.js";
import { run } from "../helpers/run.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const ns = `names-${Date.now().toString(36)}`;
let full: Session;

const kubectl = (...args: string[]) =>
  run(join(bin, "kubectl"), ["--kubeconfig", kubeconfig, "--context", "alpha", ...args]);

const BAD = [
  ".",
  "..",
  "%2e%2e",
  "../secrets",
  "a/b",
  `x${"y".repeat(300)}`,
  "a\u0000b",
  "../../api/v1/secrets",
];
const NAME_RULE = /a name must be a valid path segment|DNS-1123 subdomain/;
const NS_RULE = /a namespace must be a DNS-1123 label/;
// resources_patch and resources_scale still declare their own lengths: an overlong value is refused by
// the schema's generic bound before the rule is reached.
const rule = (tool: string, r: RegExp) =>
  tool === "resources_patch" || tool === "resources_scale" ? new RegExp(`${r.source}|Too big`) : r;
// Objects that exist only outside this suite's namespace: naming one would mean a wider list leaked.
const ELSEWHERE = /api-config|db-tuning|keeper-config|stuck-pending|sprocket/;

beforeAll(async () => {
  for (const args of [
    ["create", "namespace", ns],
    ["create", "configmap", "keep", "-n", ns, "--from-literal=a=1"],
    ["create", "deployment", "app", "-n", ns, "--image=registry.example/app:1", "--replicas=1"],
  ]) {
    const r = await kubectl(...args);
    expect(r.code, r.stderr).toBe(0);
  }
  full = await stdioSession({ args: ["--mode", "full", "--no-confirm"], env: { KUBECONFIG: kubeconfig } });
});

afterAll(async () => {
  await full?.close();
  await kubectl("delete", "namespace", ns, "--wait=false");
});

type Case = [tool: string, args: Record<string, unknown>];

function cases(bad: string): { name: Case[]; namespace: Case[] } {
  return {
    name: [
      ["resources_get", { kind: "configmap", name: bad, namespace: ns }],
      ["resources_describe", { kind: "configmap", name: bad, namespace: ns }],
      ["pods_logs", { name: bad, namespace: ns }],
      ["events_list", { kind: "pod", name: bad, namespace: ns }],
      ["resources_patch", { kind: "configmap", name: bad, namespace: ns, patch: '{"data":{"b":"2"}}' }],
      ["resources_scale", { kind: "deployment", name: bad, namespace: ns, replicas: 2 }],
      ["resources_delete", { kind: "configmap", name: bad, namespace: ns }],
    ],
    namespace: [
      ["resources_get", { kind: "configmap", name: "keep", namespace: bad }],
      ["resources_list", { kind: "configmaps", namespace: bad }],
      ["resources_describe", { kind: "configmap", name: "keep", namespace: bad }],
      ["pods_logs", { name: "keep", namespace: bad }],
      ["events_list", { namespace: bad }],
      ["resources_patch", { kind: "configmap", name: "keep", namespace: bad, patch: '{"data":{"b":"2"}}' }],
      ["resources_scale", { kind: "deployment", name: "app", namespace: bad, replicas: 2 }],
      ["resources_delete", { kind: "configmap", name: "keep", namespace: bad }],
      ["resources_delete", { kind: "configmap", labelSelector: "a", namespace: bad }],
    ],
  };
}

describe("names and namespaces are checked before any request", () => {
  it.each(BAD)("refuses %j as a name in every tool, with the rule", async (bad) => {
    for (const [tool, args] of cases(bad).name) {
      const r = await call(full.client, tool, { cluster: "alpha", ...args });
      expect(r.isError, `${tool} ${r.text}`).toBe(true);
      expect(r.text, tool).toMatch(rule(tool, NAME_RULE));
      expect(r.text, tool).not.toMatch(ELSEWHERE);
    }
  });

  it.each(BAD)("refuses %j as a namespace in every tool, with the rule", async (bad) => {
    for (const [tool, args] of cases(bad).namespace) {
      const r = await call(full.client, tool, { cluster: "alpha", ...args });
      expect(r.isError, `${tool} ${r.text}`).toBe(true);
      expect(r.text, tool).toMatch(rule(tool, NS_RULE));
      expect(r.text, tool).not.toMatch(ELSEWHERE);
    }
  });

  it("refuses a name Kubernetes would refuse for the kind (uppercase pod name), but not an RBAC name with ':'", async () => {
    const pod = await call(full.client, "resources_get", { kind: "pod", name: "Web", namespace: ns });
    expect(pod.isError).toBe(true);
    expect(pod.text).toMatch(
      /Refused name "Web" for Pod because a name of this kind must be a DNS-1123 subdomain/,
    );
    const role = await call(full.client, "resources_get", {
      kind: "clusterrole",
      name: "system:auth-delegator",
    });
    expect(role.isError, role.text).toBe(false);
  });

  it("refuses malformed selectors by their grammar", async () => {
    const label = await call(full.client, "resources_list", { kind: "pods", labelSelector: "app=web,,x" });
    expect(label.isError).toBe(true);
    expect(label.text).toMatch(/a label selector is requirements joined by ','/);
    const field = await call(full.client, "resources_list", { kind: "pods", fieldSelector: "spec.nodeName" });
    expect(field.isError).toBe(true);
    expect(field.text).toMatch(/a field selector is terms joined by ','/);
    const kind = await call(full.client, "resources_list", { kind: "pods/../secrets" });
    expect(kind.isError).toBe(true);
    expect(kind.text).toMatch(/a kind is letters, digits and "-"/);
  });

  it("deletes nothing when a destructive call names ../ or .", async () => {
    for (const name of ["..", ".", "../keep", "keep/.."]) {
      const r = await call(full.client, "resources_delete", {
        cluster: "alpha",
        kind: "configmap",
        name,
        namespace: ns,
      });
      expect(r.isError).toBe(true);
    }
    const r = await call(full.client, "resources_delete", {
      cluster: "alpha",
      kind: "configmap",
      name: "keep",
      namespace: "..",
    });
    expect(r.isError).toBe(true);
    expect((await kubectl("get", "configmap", "keep", "-n", ns, "-o", "name")).stdout.trim()).toBe(
      "configmap/keep",
    );
    expect(
      (await kubectl("get", "deployment", "app", "-n", ns, "-o", "jsonpath={.spec.replicas}")).stdout,
    ).toBe("1");
  });

  it.each([
    ["get", "configmap", "..", "-n", ns],
    ["get", "configmap", ".", "-n", ns],
    ["get", "configmaps", "-n", ".."],
    ["get", "configmap", "keep", "-n", "../kube-system"],
    ["describe", "configmap", "..", "-n", ns],
    ["delete", "configmap", "..", "-n", ns],
  ])("kubectl passthrough refuses %j and lists nothing cluster-wide", async (...args) => {
    const r = await call(full.client, "kubectl", { cluster: "alpha", args });
    expect(r.isError, r.text).toBe(true);
    expect(r.text).not.toMatch(ELSEWHERE);
    expect((await kubectl("get", "configmap", "keep", "-n", ns, "-o", "name")).stdout.trim()).toBe(
      "configmap/keep",
    );
  });
});

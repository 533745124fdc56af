// Threat class 1, privilege gain: in non-destructive mode no write path — typed tools or the kubectl
// passthrough — may grant RBAC, mint tokens, run pods outside the baseline Pod Security Standard,
// import Secrets into pods or run them as another ServiceAccount; a cluster may opt into one rule.
// Each attack checks the answer (refused, naming the rule) and the cluster afterwards.
import { describe, expect, it } from "vitest";
import { leaks } from "../helpers/canary.js";
import { guardBed } from "./guard-bed.js";

const { ns, PASSWORD, SECRET, outputs, kubectl, get, tool, kc } = guardBed("privilege");

describe("privilege gain in non-destructive mode", () => {
  it("refuses a ServiceAccount with a token Secret and a cluster-admin binding, creating none of them", async () => {
    const r = await tool("non-destructive", "resources_apply", {
      manifest: `apiVersion: v1
kind: ServiceAccount
metadata: {name: pwn, namespace: ${ns}}
---
apiVersion: v1
kind: Secret
metadata: {name: pwn-token, namespace: ${ns}, annotations: {kubernetes.io/service-account.name: pwn}}
type: kubernetes.io/service-account-token
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ${ns}-pwn}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: pwn, namespace: ${ns}}]`,
    });
    expect(r.isError).toBe(true);
    expect(r.text).toContain("(rule rbac)");
    expect(r.text).toMatch(
      /What would allow it: full mode, or on this cluster only clusters\.alpha\.allow: \[.*rbac/,
    );
    expect(await get("serviceaccount", "pwn", "--ignore-not-found", "-o", "name")).toBe("");
    expect((await kubectl("get", "clusterrolebinding", `${ns}-pwn`, "--ignore-not-found")).stdout).toBe("");
  });

  it("refuses a privileged pod with host namespaces, the node's root and a Secret in its env", async () => {
    const r = await tool("non-destructive", "resources_apply", {
      manifest: `apiVersion: v1
kind: Pod
metadata: {name: root, namespace: ${ns}}
spec:
  hostPID: true
  hostNetwork: true
  volumes: [{name: host, hostPath: {path: /}}]
  containers:
  - name: sh
    image: busybox
    securityContext: {privileged: true}
    envFrom: [{secretRef: {name: db}}]
    volumeMounts: [{name: host, mountPath: /host}]`,
    });
    expect(r.isError).toBe(true);
    for (const rule of ["podSecurity", "secretRefs"]) expect(r.text).toContain(`(rule ${rule})`);
    expect(await get("pod", "root", "--ignore-not-found", "-o", "name")).toBe("");
  });

  it.each([
    [
      "a Secret imported by a patch",
      {
        spec: {
          template: { spec: { containers: [{ name: "app", envFrom: [{ secretRef: { name: "db" } }] }] } },
        },
      },
      "secretRefs",
    ],
    [
      "another ServiceAccount",
      { spec: { template: { spec: { serviceAccountName: "builder" } } } },
      "serviceAccounts",
    ],
    [
      "a hostPath volume",
      { spec: { template: { spec: { volumes: [{ name: "h", hostPath: { path: "/etc" } }] } } } },
      "podSecurity",
    ],
  ])("refuses %s through resources_patch, and the Deployment keeps its spec", async (_l, patch, rule) => {
    const before = await get("deploy", "app", "-o", "jsonpath={.metadata.generation}");
    const r = await tool("non-destructive", "resources_patch", {
      kind: "deployment",
      name: "app",
      namespace: ns,
      patch: JSON.stringify(patch),
    });
    expect(r.isError).toBe(true);
    expect(r.text).toContain(`(rule ${rule})`);
    expect(await get("deploy", "app", "-o", "jsonpath={.metadata.generation}")).toBe(before);
  });

  it("refuses the same through the kubectl passthrough (planned with its server dry run)", async () => {
    const r = await kc(
      "non-destructive",
      "patch",
      "deployment",
      "app",
      "-n",
      ns,
      "-p",
      '{"spec":{"template":{"spec":{"hostIPC":true}}}}',
    );
    expect(r.isError).toBe(true);
    expect(r.text).toContain("(rule podSecurity)");
    expect(await get("deploy", "app", "-o", "jsonpath={.spec.template.spec.hostIPC}")).toBe("");
  });

  it("refuses loosening the namespace's Pod Security admission", async () => {
    const r = await kc(
      "non-destructive",
      "label",
      "namespace",
      ns,
      "pod-security.kubernetes.io/enforce=privileged",
    );
    expect(r.isError).toBe(true);
    expect(r.text).toContain("(rule podSecurity)");
    expect(await kubectl("get", "ns", ns, "-o", "jsonpath={.metadata.labels}")).not.toMatchObject({
      stdout: expect.stringContaining("privileged"),
    });
  });

  it("refuses an ephemeral container added through a subresource patch", async () => {
    const pod = (await get("pods", "-l", "app=app", "-o", "jsonpath={.items[0].metadata.name}")).trim();
    expect(pod).not.toBe("");
    const r = await kc(
      "non-destructive",
      "patch",
      "pod",
      pod,
      "-n",
      ns,
      "--subresource=ephemeralcontainers",
      "-p",
      '{"spec":{"ephemeralContainers":[{"name":"dbg","image":"busybox","command":["env"]}]}}',
    );
    expect(r.isError).toBe(true);
    expect(r.text).toContain("(rule exec)");
  });

  it("lets a cluster opt into one rule, and only that one", async () => {
    const ok = await tool("lab", "resources_patch", {
      kind: "deployment",
      name: "app",
      namespace: ns,
      patch: JSON.stringify({
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: "app",
                  env: [{ name: "DB", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }],
                },
              ],
            },
          },
        },
      }),
    });
    expect(ok.isError, ok.text).toBe(false);
    const still = await tool("lab", "resources_patch", {
      kind: "deployment",
      name: "app",
      namespace: ns,
      patch: JSON.stringify({ spec: { template: { spec: { serviceAccountName: "builder" } } } }),
    });
    expect(still.isError).toBe(true);
    expect(still.text).toContain("(rule serviceAccounts)");
  });
});

describe("no planted value in any answer", () => {
  it("leaks nothing, raw or base64", () => {
    expect(outputs.flatMap(leaks)).toEqual([]);
    expect(outputs.join("\n")).not.toContain(PASSWORD);
    expect(outputs.join("\n")).not.toContain(Buffer.from(SECRET).toString("base64"));
  });
});

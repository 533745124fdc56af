// The guard as a table: one planned change per rule, the verdict per mode, and the ordinary changes
// that must stay allowed.
import { describe, expect, it } from "vitest";
import { type Change, classify, type GuardPolicy, guard, jsonPatchReadsSecret, type Obj } from "./guard.js";
import type { GuardRule } from "./rules.js";
import { cpuMs } from "./testdata/cpu.js";

const meta = (name: string, ns = "shop", extra: Obj = {}) => ({
  name,
  namespace: ns,
  uid: `uid-${name}`,
  ...extra,
});
const deploy = (spec: Obj = {}, metadata: Obj = {}): Obj => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { ...meta("web"), ...metadata },
  spec: {
    replicas: 2,
    template: {
      spec: { containers: [{ name: "web", image: "nginx", ...(spec.container ?? {}) }], ...(spec.pod ?? {}) },
    },
    ...(spec.top ?? {}),
  },
});
const apps = (before: Obj | undefined, after: Obj | undefined): Change => ({
  before,
  after,
  group: "apps",
  kind: (after ?? before)?.kind ?? "Deployment",
});
const core = (kind: string, before: Obj | undefined, after: Obj | undefined): Change => ({
  before,
  after,
  group: "",
  kind,
});
const rules = (c: Change) => [...new Set(classify(c).map((f) => f.rule))].sort();

const policy = (mode: GuardPolicy["mode"], allow: GuardRule[] = [], revealSecrets = false): GuardPolicy => ({
  cluster: "alpha",
  mode,
  allow: new Set(allow),
  revealSecrets,
});

describe("classify: each rule by what the planned change does", () => {
  const cases: [string, Change, string[]][] = [
    ["an ordinary new Deployment", apps(undefined, deploy()), []],
    ["scaling up", apps(deploy(), deploy({ top: { replicas: 5 } })), []],
    ["a restart annotation", apps(deploy(), deploy({ pod: {} }, { annotations: { a: "b" } })), []],
    [
      "a ConfigMap",
      core("ConfigMap", undefined, { kind: "ConfigMap", metadata: meta("c"), data: { a: "1" } }),
      [],
    ],
    ["scale to zero", apps(deploy(), deploy({ top: { replicas: 0 } })), ["deletes"]],
    [
      "a Scale that omits zero replicas",
      {
        before: { kind: "Scale", metadata: meta("web"), spec: { replicas: 3 } },
        after: { kind: "Scale", metadata: meta("web"), spec: {} },
        group: "apps",
        kind: "Deployment",
        subresource: "scale",
      },
      ["deletes"],
    ],
    ["creating with zero replicas stops nothing", apps(undefined, deploy({ top: { replicas: 0 } })), []],
    ["a deletion", apps(deploy(), undefined), ["deletes"]],
    [
      "an owner reference with a made-up uid",
      apps(
        deploy(),
        deploy({}, { ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "x", uid: "made-up" }] }),
      ),
      ["deletes"],
    ],
    [
      "removing a finalizer",
      core(
        "Namespace",
        { kind: "Namespace", metadata: { name: "n", finalizers: ["f"] } },
        { kind: "Namespace", metadata: { name: "n" } },
      ),
      ["deletes"],
    ],
    [
      "suspending a CronJob",
      {
        before: { kind: "CronJob", metadata: meta("c"), spec: {} },
        after: { kind: "CronJob", metadata: meta("c"), spec: { suspend: true } },
        group: "batch",
        kind: "CronJob",
      },
      ["deletes"],
    ],
    [
      "a NoExecute taint",
      core(
        "Node",
        { kind: "Node", metadata: { name: "n" }, spec: {} },
        { kind: "Node", metadata: { name: "n" }, spec: { taints: [{ key: "k", effect: "NoExecute" }] } },
      ),
      ["clusterConfig", "deletes"],
    ],
    [
      "cordoning a node",
      core(
        "Node",
        { kind: "Node", metadata: { name: "n" }, spec: {} },
        { kind: "Node", metadata: { name: "n" }, spec: { unschedulable: true } },
      ),
      [],
    ],
    [
      "a ClusterRoleBinding",
      {
        after: { kind: "ClusterRoleBinding", metadata: { name: "x" } },
        group: "rbac.authorization.k8s.io",
        kind: "ClusterRoleBinding",
      },
      ["rbac"],
    ],
    [
      "a ServiceAccount token Secret",
      core("Secret", undefined, {
        kind: "Secret",
        metadata: meta("t"),
        type: "kubernetes.io/service-account-token",
      }),
      ["rbac", "secrets"],
    ],
    [
      "a webhook",
      {
        after: { kind: "MutatingWebhookConfiguration", metadata: { name: "x" } },
        group: "admissionregistration.k8s.io",
        kind: "MutatingWebhookConfiguration",
      },
      ["clusterConfig"],
    ],
    [
      "a privileged container",
      apps(undefined, deploy({ container: { securityContext: { privileged: true } } })),
      ["podSecurity"],
    ],
    ["host PID", apps(undefined, deploy({ pod: { hostPID: true } })), ["podSecurity"]],
    [
      "a hostPath volume",
      apps(undefined, deploy({ pod: { volumes: [{ name: "root", hostPath: { path: "/" } }] } })),
      ["podSecurity"],
    ],
    [
      "SYS_ADMIN",
      apps(undefined, deploy({ container: { securityContext: { capabilities: { add: ["SYS_ADMIN"] } } } })),
      ["podSecurity"],
    ],
    [
      "NET_BIND_SERVICE stays baseline",
      apps(
        undefined,
        deploy({ container: { securityContext: { capabilities: { add: ["NET_BIND_SERVICE"] } } } }),
      ),
      [],
    ],
    [
      "envFrom a Secret",
      apps(undefined, deploy({ container: { envFrom: [{ secretRef: { name: "db" } }] } })),
      ["secretRefs"],
    ],
    [
      "a secretKeyRef",
      apps(
        undefined,
        deploy({
          container: { env: [{ name: "P", valueFrom: { secretKeyRef: { name: "db", key: "p" } } }] },
        }),
      ),
      ["secretRefs"],
    ],
    [
      "a Secret volume",
      apps(undefined, deploy({ pod: { volumes: [{ name: "s", secret: { secretName: "db" } }] } })),
      ["secretRefs"],
    ],
    [
      "another ServiceAccount",
      apps(undefined, deploy({ pod: { serviceAccountName: "admin" } })),
      ["serviceAccounts"],
    ],
    ["the default ServiceAccount", apps(undefined, deploy({ pod: { serviceAccountName: "default" } })), []],
    [
      "a pod spec inside a custom resource",
      {
        after: {
          kind: "Rollout",
          metadata: meta("r"),
          spec: { template: { spec: { hostNetwork: true, containers: [{ name: "a", image: "b" }] } } },
        },
        group: "argoproj.io",
        kind: "Rollout",
      },
      ["podSecurity"],
    ],
    [
      "a privileged workload that only gets a label keeps going",
      apps(deploy({ pod: { hostPID: true } }), deploy({ pod: { hostPID: true } }, { labels: { a: "b" } })),
      [],
    ],
    [
      "relabelling a pod",
      core(
        "Pod",
        {
          kind: "Pod",
          metadata: meta("p", "shop", { labels: { app: "a" } }),
          spec: { containers: [{ name: "c", image: "i" }] },
        },
        {
          kind: "Pod",
          metadata: meta("p", "shop", { labels: { app: "web" } }),
          spec: { containers: [{ name: "c", image: "i" }] },
        },
      ),
      ["deletes"],
    ],
    [
      "a write in kube-system",
      core("ConfigMap", undefined, { kind: "ConfigMap", metadata: meta("c", "kube-system") }),
      ["systemNamespaces"],
    ],
    [
      "a new ephemeral container",
      {
        before: { kind: "Pod", metadata: meta("p"), spec: { containers: [{ name: "a", image: "b" }] } },
        after: {
          kind: "Pod",
          metadata: meta("p"),
          spec: {
            containers: [{ name: "a", image: "b" }],
            ephemeralContainers: [{ name: "dbg", image: "busybox" }],
          },
        },
        group: "",
        kind: "Pod",
        subresource: "ephemeralcontainers",
      },
      ["exec"],
    ],
    [
      "a credential copied into an annotation",
      apps(
        deploy({ container: { env: [{ name: "DB_PASSWORD", value: "s3cret-value-1" }] } }),
        deploy(
          { container: { env: [{ name: "DB_PASSWORD", value: "s3cret-value-1" }] } },
          { annotations: { note: "s3cret-value-1" } },
        ),
      ),
      ["secretEcho"],
    ],
    [
      "a Secret value moved into a label (base64 decoded)",
      core(
        "Secret",
        {
          kind: "Secret",
          metadata: meta("s"),
          type: "Opaque",
          data: { p: Buffer.from("hunter2-canary").toString("base64") },
        },
        {
          kind: "Secret",
          metadata: meta("s", "shop", { annotations: { x: "hunter2-canary" } }),
          type: "Opaque",
          data: {},
        },
      ),
      ["secretEcho", "secrets"],
    ],
  ];
  it.each(cases)("%s", (_name, change, expected) => {
    expect(rules(change)).toEqual(expected.sort());
  });
});

describe("classify: spellings an attacker tries", () => {
  const rs = (ref: Obj, spec: Obj = {}) => ({
    kind: "ReplicaSet",
    metadata: meta("web-1", "shop", { ownerReferences: [ref] }),
    spec: { replicas: 2, ...spec },
  });
  const owner = { apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: "u1" };
  const custom = (before: Obj | undefined, after: Obj): Change => ({
    before,
    after,
    group: "demo.example.com",
    kind: "Gizmo",
  });
  const gizmo = (spec: Obj) => ({ kind: "Gizmo", metadata: meta("g"), spec });
  it("a pod spec hidden past the walk's bounds (a padded list, deep nesting) is refused, not skipped", () => {
    const template = {
      spec: { containers: [{ name: "x", image: "i", securityContext: { privileged: true } }] },
    };
    let deep: Obj = { template };
    for (let i = 0; i < 40; i++) deep = { n: deep };
    for (const spec of [{ pad: new Array(60_000).fill(0), template }, deep])
      expect(rules(custom(undefined, gizmo(spec)))).toContain("podSecurity");
  });
  it("a claim's volumeName hidden past the walk's bounds is refused, not skipped", () => {
    const claim = { volumeClaimTemplates: [{ spec: { volumeName: "node-disk" } }] };
    expect(rules(custom(undefined, gizmo({ pad: new Array(30_000).fill({}), ...claim })))).toContain(
      "clusterConfig",
    );
  });
  const pod = (spec: Obj, metadata: Obj = {}) => ({
    kind: "Pod",
    metadata: { ...meta("p"), ...metadata },
    spec: { containers: [{ name: "c", image: "x" }], ...spec },
  });
  const cap = (c: string) =>
    pod({ containers: [{ name: "c", image: "x", securityContext: { capabilities: { add: [c] } } }] });
  const cases: [string, Change, string[]][] = [
    ["an owner reference renamed, same uid", apps(rs(owner), rs({ ...owner, name: "gone" })), ["deletes"]],
    [
      "an owner reference re-kinded, same uid",
      apps(rs(owner), rs({ ...owner, kind: "StatefulSet" })),
      ["deletes"],
    ],
    ["an unchanged owner reference", apps(rs(owner), rs(owner, { replicas: 3 })), []],
    ["a status write", { ...core("Pod", pod({}), pod({})), subresource: "status" }, ["deletes"]],
    [
      "lowering a CronJob's history limits",
      {
        before: { kind: "CronJob", metadata: meta("c"), spec: { successfulJobsHistoryLimit: 3 } },
        after: { kind: "CronJob", metadata: meta("c"), spec: { successfulJobsHistoryLimit: 0 } },
        group: "batch",
        kind: "CronJob",
      },
      ["deletes"],
    ],
    [
      "lowering revisionHistoryLimit",
      apps(deploy(), deploy({ top: { revisionHistoryLimit: 1 } })),
      ["deletes"],
    ],
    ["raising revisionHistoryLimit", apps(deploy(), deploy({ top: { revisionHistoryLimit: 20 } })), []],
    [
      "a StatefulSet whose scale-down deletes claims",
      apps(undefined, {
        kind: "StatefulSet",
        metadata: meta("s"),
        spec: { persistentVolumeClaimRetentionPolicy: { whenScaled: "Delete" } },
      }),
      ["deletes"],
    ],
    ["a custom resource's size to zero", custom(gizmo({ size: 3 }), gizmo({ size: 0 })), ["deletes"]],
    [
      "a nested custom count to zero",
      custom(gizmo({ workers: { count: 2 } }), gizmo({ workers: { count: 0 } })),
      ["deletes"],
    ],
    ["a custom resource's size changed", custom(gizmo({ size: 3 }), gizmo({ size: 1 })), []],
    ["a new custom resource of size zero", custom(undefined, gizmo({ size: 0 })), []],
    [
      "a cluster-scoped custom resource",
      custom(undefined, { kind: "ClusterIssuer", metadata: { name: "x" } }),
      ["clusterConfig"],
    ],
    [
      "a claim bound to a named volume",
      core("PersistentVolumeClaim", undefined, {
        kind: "PersistentVolumeClaim",
        metadata: meta("c"),
        spec: { volumeName: "pv-1" },
      }),
      ["clusterConfig"],
    ],
    [
      "a claim the binder bound earlier",
      core(
        "PersistentVolumeClaim",
        { kind: "PersistentVolumeClaim", metadata: meta("c"), spec: { volumeName: "pvc-1" } },
        {
          kind: "PersistentVolumeClaim",
          metadata: meta("c", "shop", { labels: { a: "b" } }),
          spec: { volumeName: "pvc-1" },
        },
      ),
      [],
    ],
    [
      "a Service claiming external IPs",
      core("Service", undefined, {
        kind: "Service",
        metadata: meta("s"),
        spec: { externalIPs: ["10.0.0.1"] },
      }),
      ["clusterConfig"],
    ],
    [
      "a StatefulSet claim template bound to a named volume",
      apps(undefined, {
        kind: "StatefulSet",
        metadata: meta("s"),
        spec: { volumeClaimTemplates: [{ metadata: { name: "d" }, spec: { volumeName: "host" } }] },
      }),
      ["clusterConfig"],
    ],
    [
      "a StatefulSet's ordinals moved",
      apps(
        { kind: "StatefulSet", metadata: meta("s"), spec: {} },
        { kind: "StatefulSet", metadata: meta("s"), spec: { ordinals: { start: 5 } } },
      ),
      ["deletes"],
    ],
    [
      "a DaemonSet losing a toleration",
      apps(
        {
          kind: "DaemonSet",
          metadata: meta("d"),
          spec: { template: { spec: { containers: [], tolerations: [{ operator: "Exists" }] } } },
        },
        { kind: "DaemonSet", metadata: meta("d"), spec: { template: { spec: { containers: [] } } } },
      ),
      ["deletes"],
    ],
    [
      "an autoscaler allowed to reach zero",
      {
        after: { kind: "HorizontalPodAutoscaler", metadata: meta("h"), spec: { minReplicas: 0 } },
        group: "autoscaling",
        kind: "HorizontalPodAutoscaler",
      },
      ["deletes"],
    ],
    [
      "an Argo CD tracking annotation",
      apps(
        deploy(),
        deploy({}, { annotations: { "argocd.argoproj.io/tracking-id": "app:apps/Deployment:shop/web" } }),
      ),
      ["deletes"],
    ],
    ["capability sys_admin in lower case", core("Pod", undefined, cap("sys_admin")), ["podSecurity"]],
    ["capability cap_sys_admin", core("Pod", undefined, cap(" cap_sys_admin")), ["podSecurity"]],
    ["capability net_bind_service in lower case", core("Pod", undefined, cap("net_bind_service")), []],
    [
      "an AppArmor unconfined annotation on a template",
      apps(undefined, {
        kind: "Deployment",
        metadata: meta("d"),
        spec: {
          template: {
            metadata: { annotations: { "container.apparmor.security.beta.kubernetes.io/c": "unconfined" } },
            spec: { containers: [{ name: "c", image: "x" }] },
          },
        },
      }),
      ["podSecurity"],
    ],
    [
      "a seccomp unconfined annotation on a Pod",
      core(
        "Pod",
        undefined,
        pod({}, { annotations: { "seccomp.security.alpha.kubernetes.io/pod": "Unconfined" } }),
      ),
      ["podSecurity"],
    ],
    [
      "a gitRepo volume",
      core("Pod", undefined, pod({ volumes: [{ name: "g", gitRepo: { repository: "r" } }] })),
      ["podSecurity"],
    ],
    [
      "a custom resource's pod spec without containers yet",
      custom(undefined, gizmo({ template: { spec: { hostNetwork: true, containers: [] } } })),
      ["podSecurity"],
    ],
    [
      "a credential key of a ConfigMap into env",
      core(
        "Pod",
        undefined,
        pod({
          containers: [
            {
              name: "c",
              image: "x",
              env: [{ name: "A", valueFrom: { configMapKeyRef: { name: "m", key: "DB_PASSWORD" } } }],
            },
          ],
        }),
      ),
      ["secretRefs"],
    ],
    [
      "an ordinary key of a ConfigMap into env",
      core(
        "Pod",
        undefined,
        pod({
          containers: [
            {
              name: "c",
              image: "x",
              env: [{ name: "A", valueFrom: { configMapKeyRef: { name: "m", key: "mode" } } }],
            },
          ],
        }),
      ),
      [],
    ],
    [
      "an empty serviceAccountName beside serviceAccount",
      core("Pod", undefined, pod({ serviceAccountName: "", serviceAccount: "admin" })),
      ["serviceAccounts"],
    ],
  ];
  it.each(cases)("%s", (_name, change, expected) => {
    expect(rules(change)).toEqual(expected.sort());
  });
});

describe("guard: the verdict per mode and per-cluster policy", () => {
  const crb: Change = {
    after: { kind: "ClusterRoleBinding", metadata: { name: "pwn" } },
    group: "rbac.authorization.k8s.io",
    kind: "ClusterRoleBinding",
  };
  it("refuses privilege in non-destructive mode, naming the rule and what would allow it", () => {
    const r = guard([crb], policy("non-destructive"));
    expect(r).toContain("ClusterRoleBinding/pwn: changes RBAC permissions (ClusterRoleBinding) (rule rbac)");
    expect(r).toContain("full mode, or on this cluster only clusters.alpha.allow: [rbac]");
    expect(r).toContain("nothing was changed");
  });
  it("lets it through where the cluster opted in, and in full mode", () => {
    expect(guard([crb], policy("non-destructive", ["rbac"]))).toBeUndefined();
    expect(guard([crb], policy("full"))).toBeUndefined();
  });
  it("refuses every write in read-only mode", () => {
    expect(guard([apps(undefined, deploy())], policy("read-only"))).toContain("read-only mode");
  });
  it("refuses a secret echo even in full mode, unless the cluster reveals secrets", () => {
    const echo = apps(
      deploy({ container: { env: [{ name: "API_TOKEN", value: "tok-1234567890" }] } }),
      deploy(
        { container: { env: [{ name: "API_TOKEN", value: "tok-1234567890" }] } },
        { labels: { t: "tok-1234567890" } },
      ),
    );
    expect(guard([echo], policy("full"))).toContain("rule secretEcho");
    expect(guard([echo], policy("full", [], true))).toBeUndefined();
  });
  it("one refused change refuses the whole set", () => {
    const r = guard([apps(undefined, deploy()), crb], policy("non-destructive"));
    expect(r).toContain("ClusterRoleBinding");
    expect(r).not.toContain("Deployment/web");
  });
});

describe("jsonPatchReadsSecret", () => {
  const secret = { kind: "Secret", type: "Opaque", metadata: meta("db"), data: { password: "aHVudGVy" } };
  const pod = deploy({
    container: {
      env: [
        { name: "DB_PASSWORD", value: "x-secret-1" },
        { name: "MODE", value: "prod" },
      ],
    },
  });
  it("refuses copy, move and test of redacted values", () => {
    expect(
      jsonPatchReadsSecret([{ op: "copy", from: "/data/password", path: "/metadata/annotations/x" }], secret),
    ).toMatch(/"copy" reads \/data\/password/);
    expect(
      jsonPatchReadsSecret([{ op: "move", from: "/data", path: "/metadata/labels" }], secret),
    ).toBeDefined();
    expect(
      jsonPatchReadsSecret([{ op: "test", path: "/data/password", value: "aHVudGVy" }], secret),
    ).toBeDefined();
    expect(
      jsonPatchReadsSecret(
        [
          {
            op: "copy",
            from: "/spec/template/spec/containers/0/env/0/value",
            path: "/metadata/annotations/a",
          },
        ],
        pod,
      ),
    ).toBeDefined();
  });
  it("follows earlier ops: a re-indexed list, a value moved first", () => {
    const env = (i: number) => `/spec/template/spec/containers/0/env/${i}`;
    const shifted = deploy({
      container: {
        env: [
          { name: "MODE", value: "prod" },
          { name: "DB_PASSWORD", value: "x-secret-1" },
        ],
      },
    });
    expect(
      jsonPatchReadsSecret(
        [
          { op: "remove", path: env(0) },
          { op: "copy", from: `${env(0)}/value`, path: "/metadata/annotations/a" },
        ],
        shifted,
      ),
    ).toBeDefined();
    expect(
      jsonPatchReadsSecret(
        [
          { op: "remove", path: env(0) },
          { op: "test", path: `${env(0)}/value`, value: "guess" },
        ],
        shifted,
      ),
    ).toBeDefined();
    expect(
      jsonPatchReadsSecret(
        [
          { op: "replace", path: `${env(1)}/name`, value: "MODE2" },
          { op: "copy", from: `${env(1)}/value`, path: "/metadata/annotations/a" },
        ],
        shifted,
      ),
    ).toBeDefined();
  });
  it("refuses, quickly, a patch whose copies would grow the object past what it can judge", () => {
    const started = cpuMs();
    const doubling = Array.from({ length: 40 }, (_, i) => ({ op: "copy", from: "", path: `/spec/x${i}` }));
    expect(jsonPatchReadsSecret(doubling, deploy())).toMatch(/more than kube-mcp can judge/);
    expect(
      jsonPatchReadsSecret(
        Array.from({ length: 1001 }, () => ({ op: "test", path: "/a" })),
        pod,
      ),
    ).toMatch(/1001 ops/);
    expect(cpuMs() - started).toBeLessThan(2000);
  });
  it("lets ordinary ops through", () => {
    expect(jsonPatchReadsSecret([{ op: "replace", path: "/spec/replicas", value: 3 }], pod)).toBeUndefined();
    expect(
      jsonPatchReadsSecret(
        [
          {
            op: "copy",
            from: "/spec/template/spec/containers/0/env/1/value",
            path: "/metadata/annotations/a",
          },
        ],
        pod,
      ),
    ).toBeUndefined();
    expect(jsonPatchReadsSecret([{ op: "test", path: "/spec/replicas", value: 2 }], pod)).toBeUndefined();
  });
});

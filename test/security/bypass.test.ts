// The write side as an attacker sees it (classes 1 privilege, 2 echo through writes, 3 deletion, 9
// names): every spelling found of each attack, mostly in non-destructive mode, through typed tools and
// the kubectl passthrough. Each attack must be refused, and the namespace's objects (specs, labels,
// annotations, owners, finalizers) must be exactly as they were; attacks that could hurt the shared
// bed if they got through ask for a dry run, which the guard judges exactly like the real write.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leaks } from "../helpers/canary.js";
import { guardBed } from "./guard-bed.js";

const { ns, PASSWORD, SECRET, outputs, kubectl, get, tool, kc, app } = guardBed("bypass");
const CM_PW = "kmcp-canary-bypass-cm-5e1d";
const GROUP = `${ns}.kube-mcp.io`;
const ND = "non-destructive";

type Answer = Awaited<ReturnType<typeof tool>>;
type Attack = [label: string, run: () => Promise<Answer>];

const podManifest = (name: string, spec: string, meta = "") =>
  `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}${meta}}
spec:
${spec}`;
const container = (extra = "") =>
  `  containers:\n  - name: c\n    image: registry.example/c:1\n${extra ? `${extra}\n` : ""}`;
const deployment = (name: string, podSpec: string, templateMeta = "") =>
  `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}${templateMeta}}
    spec:
${podSpec.trimEnd().replace(/^/gm, "    ")}
`;

const apply =
  (manifest: string, mode = ND) =>
  () =>
    tool(mode, "resources_apply", { manifest });
const patch =
  (kind: string, name: string, p: unknown, type: string, extra: Record<string, unknown> = {}) =>
  () =>
    tool(ND, "resources_patch", {
      kind,
      name,
      namespace: ns,
      type,
      patch: typeof p === "string" ? p : JSON.stringify(p),
      ...extra,
    });
const k =
  (...args: string[]) =>
  () =>
    kc(ND, ...args);

/** What a refused attack must leave as it was: every object's spec, labels, annotations, owners and finalizers. */
async function snapshot(): Promise<string> {
  const kinds = `deploy,sts,rs,job,cronjob,cm,pod,secret,sa,role,rolebinding,pvc,svc,hpa,gizmos.${GROUP}`;
  const r = await kubectl("get", kinds, "-n", ns, "-o", "json");
  expect(r.code, r.stderr).toBe(0);
  // biome-ignore lint/suspicious/noExplicitAny: kubectl's JSON.
  const items = (JSON.parse(r.stdout).items as any[]).map((o) => {
    const { labels, annotations, ownerReferences, finalizers, name, deletionTimestamp } = o.metadata;
    const { "deployment.kubernetes.io/revision": _r, ...notes } = annotations ?? {};
    return [o.kind, name, labels, notes, ownerReferences, finalizers, deletionTimestamp, o.spec, o.data];
  });
  const nsObj = await kubectl("get", "ns", `${ns}-victim`, "-o", "jsonpath={.metadata}{.spec}");
  const node = await kubectl("get", "node", "kwok-node-0", "-o", "jsonpath={.metadata.labels}{.spec}");
  const view = await kubectl("get", "clusterrole", "view", "-o", "jsonpath={.metadata.labels}");
  return JSON.stringify([items, nsObj.stdout, node.stdout, view.stdout]);
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "kube-mcp-bypass-"));
  const file = join(dir, "more.yaml");
  writeFileSync(
    file,
    `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gizmos.${GROUP}}
spec:
  group: ${GROUP}
  scope: Namespaced
  names: {kind: Gizmo, plural: gizmos, singular: gizmo, listKind: GizmoList}
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      scale: {specReplicasPath: .spec.size, statusReplicasPath: .status.size}
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
---
apiVersion: v1
kind: Namespace
metadata: {name: ${ns}-victim}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: creds, namespace: ${ns}}
data: {DB_PASSWORD: ${CM_PW}, mode: prod}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: ${ns}}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: registry.example/db:1}]}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs, namespace: ${ns}}
spec:
  replicas: 2
  selector: {matchLabels: {app: rs}}
  template:
    metadata: {labels: {app: rs}}
    spec: {containers: [{name: rs, image: registry.example/rs:1}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once, namespace: ${ns}}
spec:
  suspend: true
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: registry.example/job:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: solo, namespace: ${ns}, labels: {app: solo}}
spec: {containers: [{name: c, image: registry.example/solo:1}]}
`,
  );
  const r = await kubectl("apply", "-f", file);
  expect(r.code, r.stderr).toBe(0);
  await kubectl("wait", "--for=condition=Established", `crd/gizmos.${GROUP}`, "--timeout=30s");
  writeFileSync(
    join(dir, "gizmo.yaml"),
    `apiVersion: ${GROUP}/v1\nkind: Gizmo\nmetadata: {name: g1, namespace: ${ns}}\nspec: {size: 3}\n`,
  );
  const gz = await kubectl("apply", "-f", join(dir, "gizmo.yaml"));
  expect(gz.code, gz.stderr).toBe(0);
  await kubectl("rollout", "status", "deployment/app", "-n", ns, "--timeout=60s");
}, 120_000);

afterAll(async () => {
  await kubectl("delete", "crd", `gizmos.${GROUP}`, "--wait=false", "--ignore-not-found");
  await kubectl("delete", "ns", `${ns}-victim`, "--wait=false", "--ignore-not-found");
});

async function ownedReplicaSet(): Promise<string> {
  return (await get("rs", "-l", "app=app", "-o", "jsonpath={.items[0].metadata.name}")).trim();
}

async function envIndex(name: string): Promise<number> {
  const names = await get("deploy", "app", "-o", "jsonpath={.spec.template.spec.containers[0].env[*].name}");
  return names.split(" ").indexOf(name);
}

const scaleToZero: Attack[] = [
  ...["0", "00", "-0", "+0", "0x0", "0.0", " 0", "0e0"].map(
    (n): Attack => [
      `kubectl scale --replicas=${JSON.stringify(n)}`,
      k("scale", "deploy/app", "-n", ns, `--replicas=${n}`),
    ],
  ),
  ["kubectl scale --replicas 0", k("scale", "deploy/app", "-n", ns, "--replicas", "0")],
  [
    "kubectl scale --replicas=3 --replicas=0",
    k("scale", "deploy/app", "-n", ns, "--replicas=3", "--replicas=0"),
  ],
  [
    "kubectl scale --current-replicas=2 --replicas=0",
    k("scale", "deploy/app", "-n", ns, "--current-replicas=2", "--replicas=0"),
  ],
  [
    "kubectl scale -l app=app deploy --replicas=0",
    k("scale", "deploy", "-l", "app=app", "-n", ns, "--replicas=0"),
  ],
  ["kubectl scale sts/db --replicas=0", k("scale", "sts/db", "-n", ns, "--replicas=0")],
  [
    "kubectl scale gizmo --replicas=0 (scale path spec.size)",
    k("scale", `gizmos.${GROUP}/g1`, "-n", ns, "--replicas=0"),
  ],
  [
    "resources_scale gizmo 0",
    () => tool(ND, "resources_scale", { kind: `gizmos.${GROUP}`, name: "g1", namespace: ns, replicas: 0 }),
  ],
  [
    "resources_scale statefulset 0",
    () => tool(ND, "resources_scale", { kind: "statefulset", name: "db", namespace: ns, replicas: 0 }),
  ],
  [
    "resources_scale replicaset 0",
    () => tool(ND, "resources_scale", { kind: "replicaset", name: "rs", namespace: ns, replicas: 0 }),
  ],
  ["patch merge gizmo spec.size 0", patch(`gizmos.${GROUP}`, "g1", { spec: { size: 0 } }, "merge")],
  [
    "patch json gizmo replace /spec/size 0",
    patch(`gizmos.${GROUP}`, "g1", [{ op: "replace", path: "/spec/size", value: 0 }], "json"),
  ],
  [
    "apply gizmo size 0",
    apply(`apiVersion: ${GROUP}/v1\nkind: Gizmo\nmetadata: {name: g1, namespace: ${ns}}\nspec: {size: 0}`),
  ],
  ["patch strategic deploy replicas 0", patch("deployment", "app", { spec: { replicas: 0 } }, "strategic")],
  [
    "patch json add /spec/replicas 0",
    patch("deployment", "app", [{ op: "add", path: "/spec/replicas", value: 0 }], "json"),
  ],
  [
    "patch json copy a zero into /spec/replicas",
    patch(
      "deployment",
      "app",
      [{ op: "copy", from: "/spec/template/spec/containers/0/env/9999", path: "/spec/replicas" }],
      "json",
    ),
  ],
  ["patch sts replicas 0", patch("statefulset", "db", { spec: { replicas: 0 } }, "merge")],
  ["patch rs replicas 0", patch("replicaset", "rs", { spec: { replicas: 0 } }, "merge")],
  [
    "kubectl patch sts replicas 0 (json)",
    k(
      "patch",
      "sts",
      "db",
      "-n",
      ns,
      "--type=json",
      "-p",
      '[{"op":"replace","path":"/spec/replicas","value":0}]',
    ),
  ],
  [
    "kubectl patch --subresource=scale replicas 0",
    k(
      "patch",
      "deploy",
      "app",
      "-n",
      ns,
      "--subresource=scale",
      "--type=merge",
      "-p",
      '{"spec":{"replicas":0}}',
    ),
  ],
  [
    "kubectl patch --subresource=scale gizmo replicas 0",
    k(
      "patch",
      `gizmos.${GROUP}`,
      "g1",
      "-n",
      ns,
      "--subresource=scale",
      "--type=merge",
      "-p",
      '{"spec":{"replicas":0}}',
    ),
  ],
  [
    "apply sts replicas 0",
    apply(`apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: ${ns}}
spec:
  replicas: 0
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: registry.example/db:1}]}`),
  ],
  [
    "apply deployment replicas 0 (force)",
    () => tool(ND, "resources_apply", { manifest: app.replace("replicas: 2", "replicas: 0"), force: true }),
  ],
  [
    "the Deployment's own ReplicaSet scaled to 0",
    async () =>
      tool(ND, "resources_scale", {
        kind: "replicaset",
        name: await ownedReplicaSet(),
        namespace: ns,
        replicas: 0,
      }),
  ],
  [
    "kubectl patch job parallelism 0",
    k("patch", "job", "once", "-n", ns, "-p", '{"spec":{"parallelism":0}}'),
  ],
  [
    "kubectl patch cronjob suspend",
    k("patch", "cronjob", "nightly", "-n", ns, "--type=merge", "-p", '{"spec":{"suspend":true}}'),
  ],
];

const gc: Attack[] = [
  [
    "owner reference on a Namespace (merge)",
    () =>
      tool(ND, "resources_patch", {
        kind: "namespace",
        name: `${ns}-victim`,
        type: "merge",
        patch: JSON.stringify({
          metadata: {
            ownerReferences: [
              { apiVersion: "v1", kind: "ConfigMap", name: "x", uid: "00000000-0000-0000-0000-000000000009" },
            ],
          },
        }),
      }),
  ],
  [
    "owner reference on a Namespace (kubectl patch)",
    k(
      "patch",
      "namespace",
      `${ns}-victim`,
      "--type=merge",
      "-p",
      '{"metadata":{"ownerReferences":[{"apiVersion":"v1","kind":"Pod","name":"x","uid":"00000000-0000-0000-0000-00000000000a"}]}}',
    ),
  ],
  [
    "owner reference by apply on a Namespace",
    apply(
      `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}-victim\n  ownerReferences: [{apiVersion: v1, kind: Pod, name: x, uid: 00000000-0000-0000-0000-00000000000b}]`,
    ),
  ],
  [
    "owner reference on a Pod",
    patch(
      "pod",
      "solo",
      {
        metadata: {
          ownerReferences: [
            {
              apiVersion: "apps/v1",
              kind: "ReplicaSet",
              name: "rs",
              uid: "00000000-0000-0000-0000-00000000000c",
            },
          ],
        },
      },
      "merge",
    ),
  ],
  [
    "an existing owner reference renamed (same uid)",
    async () =>
      tool(ND, "resources_patch", {
        kind: "replicaset",
        name: await ownedReplicaSet(),
        namespace: ns,
        type: "json",
        patch: JSON.stringify([{ op: "replace", path: "/metadata/ownerReferences/0/name", value: "gone" }]),
      }),
  ],
  [
    "an existing owner reference re-kinded (same uid)",
    async () =>
      tool(ND, "resources_patch", {
        kind: "replicaset",
        name: await ownedReplicaSet(),
        namespace: ns,
        type: "json",
        patch: JSON.stringify([
          { op: "replace", path: "/metadata/ownerReferences/0/kind", value: "StatefulSet" },
        ]),
      }),
  ],
  [
    "an existing owner reference moved to another apiVersion",
    async () =>
      kc(
        ND,
        "patch",
        "rs",
        await ownedReplicaSet(),
        "-n",
        ns,
        "--type=json",
        "-p",
        JSON.stringify([
          { op: "replace", path: "/metadata/ownerReferences/0/apiVersion", value: "apps/v1beta9" },
        ]),
      ),
  ],
  [
    "finalizer replaced",
    patch("configmap", "held", [{ op: "replace", path: "/metadata/finalizers/0", value: "other/x" }], "json"),
  ],
  ["finalizers emptied by merge", patch("configmap", "held", { metadata: { finalizers: [] } }, "merge")],
  [
    "namespace spec.finalizers removed",
    k(
      "patch",
      "namespace",
      `${ns}-victim`,
      "--type=json",
      "-p",
      '[{"op":"remove","path":"/spec/finalizers"}]',
    ),
  ],
  [
    "namespace finalize subresource",
    k(
      "patch",
      "namespace",
      `${ns}-victim`,
      "--subresource=finalize",
      "--type=json",
      "-p",
      '[{"op":"remove","path":"/spec/finalizers"}]',
    ),
  ],
  [
    "pod status phase Failed",
    k(
      "patch",
      "pod",
      "solo",
      "-n",
      ns,
      "--subresource=status",
      "--type=merge",
      "-p",
      '{"status":{"phase":"Failed"}}',
      "--dry-run=server",
    ),
  ],
  [
    "node status NotReady (dry run)",
    k(
      "patch",
      "node",
      "kwok-node-0",
      "--subresource=status",
      "--type=merge",
      "-p",
      '{"status":{"conditions":[{"type":"Ready","status":"False"}]}}',
      "--dry-run=server",
    ),
  ],
  [
    "a live pod's activeDeadlineSeconds",
    k("patch", "pod", "solo", "-n", ns, "-p", '{"spec":{"activeDeadlineSeconds":1}}'),
  ],
  ["relabelling pods by selector", k("label", "pods", "-l", "app=solo", "-n", ns, "app=rs", "--overwrite")],
  ["relabelling pods across namespaces", k("label", "pods", "-A", "-l", "app=solo", "x=y")],
  [
    "CronJob history limits lowered to 0",
    k(
      "patch",
      "cronjob",
      "nightly",
      "-n",
      ns,
      "-p",
      '{"spec":{"successfulJobsHistoryLimit":0,"failedJobsHistoryLimit":0}}',
    ),
  ],
  [
    "Deployment revisionHistoryLimit 0",
    patch("deployment", "app", { spec: { revisionHistoryLimit: 0 } }, "merge"),
  ],
  [
    "StatefulSet PVC retention Delete",
    patch(
      "statefulset",
      "db",
      { spec: { persistentVolumeClaimRetentionPolicy: { whenScaled: "Delete", whenDeleted: "Delete" } } },
      "merge",
    ),
  ],
  [
    "a system-critical priority class",
    apply(podManifest("crit", `  priorityClassName: system-node-critical\n${container()}`)),
  ],
  [
    "NoExecute taint by patch (dry run)",
    k(
      "patch",
      "node",
      "kwok-node-0",
      "--dry-run=server",
      "-p",
      '{"spec":{"taints":[{"key":"x","effect":"NoExecute"}]}}',
    ),
  ],
];

const sys: Attack[] = [
  [
    "aggregate cluster-admin into view (dry run)",
    k(
      "label",
      "clusterrole",
      "cluster-admin",
      "rbac.authorization.k8s.io/aggregate-to-view=true",
      "--dry-run=server",
    ),
  ],
  [
    "aggregation label on view",
    k("label", "clusterrole", "view", "rbac.authorization.k8s.io/aggregate-to-admin=true", "--overwrite"),
  ],
  [
    "annotate a kube-system ConfigMap",
    k(
      "annotate",
      "configmap",
      "-n",
      "kube-system",
      "--all-namespaces=false",
      "extension-apiserver-authentication",
      "x=y",
      "--overwrite",
    ),
  ],
  ["label kube-system", k("label", "namespace", "kube-system", "x=y")],
  [
    "loosen PSA labels",
    k("label", "namespace", `${ns}-victim`, "pod-security.kubernetes.io/enforce=privileged", "--overwrite"),
  ],
  ["label a node", k("label", "node", "kwok-node-0", "x=y")],
  ["label nodes by selector", k("label", "nodes", "-l", "kubernetes.io/os", "x=y")],
  ["annotate every namespace (--all)", k("annotate", "namespaces", "--all", "x=y")],
  ["rollout pause in kube-system", k("rollout", "pause", "deployment", "-n", "kube-system", "-l", "x")],
  [
    "apply into kube-system",
    apply(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${ns}-x, namespace: kube-system}\ndata: {a: b}`),
  ],
  [
    "a PriorityClass",
    apply(
      "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: bypass-high}\nvalue: 1000000000",
    ),
  ],
  [
    "a webhook",
    apply(
      `apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: ${ns}-hook}\nwebhooks: []`,
    ),
  ],
  [
    "an APIService",
    apply(
      `apiVersion: apiregistration.k8s.io/v1\nkind: APIService\nmetadata: {name: v1.${GROUP}}\nspec: {group: ${GROUP}, version: v1, groupPriorityMinimum: 1, versionPriority: 1, service: {name: x, namespace: ${ns}}}`,
    ),
  ],
  [
    "a CSR",
    apply(
      `apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata: {name: ${ns}-csr}\nspec: {request: aGk=, signerName: kubernetes.io/kube-apiserver-client, usages: [client auth]}`,
    ),
  ],
  [
    "a cluster-scoped custom resource's CRD",
    apply(
      `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: pwns.${GROUP}}\nspec: {group: ${GROUP}, scope: Cluster, names: {kind: Pwn, plural: pwns}, versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]}`,
    ),
  ],
  [
    "a hostPath PersistentVolume and its claim",
    apply(
      `apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: ${ns}-root}\nspec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /}}\n---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: root, namespace: ${ns}}\nspec: {volumeName: ${ns}-root, accessModes: [ReadWriteOnce], storageClassName: "", resources: {requests: {storage: 1Gi}}}`,
    ),
  ],
  ...[
    "deployments/scale",
    "pods/status",
    "pods/ephemeralcontainers",
    "namespaces/finalize",
    "serviceaccounts/token",
    "deployments.apps/scale",
  ].map(
    (kind): Attack => [
      `resources_patch of the kind ${kind}`,
      () =>
        tool(ND, "resources_patch", {
          kind,
          name: kind.startsWith("namespaces")
            ? `${ns}-victim`
            : kind.startsWith("pods")
              ? "solo"
              : kind.startsWith("service")
                ? "default"
                : "app",
          namespace: ns,
          type: "merge",
          patch: '{"spec":{"replicas":0}}',
        }),
    ],
  ),
  [
    "an autoscaler that may reach zero",
    apply(
      `apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: zero, namespace: ${ns}}\nspec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: app}, minReplicas: 0, maxReplicas: 1, metrics: [{type: Object, object: {describedObject: {apiVersion: v1, kind: Service, name: x}, metric: {name: m}, target: {type: Value, value: "1"}}}]}`,
    ),
  ],
  [
    "an Argo CD tracking annotation (pruned by Argo CD)",
    k("annotate", "deploy", "app", "-n", ns, "argocd.argoproj.io/tracking-id=demo:apps/Deployment:x/app"),
  ],
  ["StatefulSet ordinals moved", patch("statefulset", "db", { spec: { ordinals: { start: 7 } } }, "merge")],
  [
    "Service externalIPs",
    apply(
      `apiVersion: v1\nkind: Service\nmetadata: {name: mitm, namespace: ${ns}}\nspec: {ports: [{port: 443}], externalIPs: [10.0.0.1]}`,
    ),
  ],
  [
    "an ephemeral volume bound to a named volume",
    apply(
      podManifest(
        "eph",
        `  volumes: [{name: e, ephemeral: {volumeClaimTemplate: {spec: {volumeName: some-host-volume, accessModes: [ReadWriteOnce], storageClassName: "", resources: {requests: {storage: 1Gi}}}}}}]\n${container()}`,
      ),
    ),
  ],
  [
    "a StatefulSet claim template bound to a named volume",
    patch(
      "statefulset",
      "db",
      [
        {
          op: "add",
          path: "/spec/volumeClaimTemplates",
          value: [
            {
              metadata: { name: "d" },
              spec: {
                volumeName: "some-host-volume",
                accessModes: ["ReadWriteOnce"],
                resources: { requests: { storage: "1Gi" } },
              },
            },
          ],
        },
      ],
      "json",
    ),
  ],
  [
    "a claim bound by name to an existing volume",
    apply(
      `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: bind, namespace: ${ns}}\nspec: {volumeName: some-host-volume, accessModes: [ReadWriteOnce], storageClassName: "", resources: {requests: {storage: 1Gi}}}`,
    ),
  ],
];

const rbac: Attack[] = [
  [
    "RoleBinding to cluster-admin",
    apply(
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: pwn, namespace: ${ns}}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: ServiceAccount, name: default, namespace: ${ns}}]`,
    ),
  ],
  [
    "Role with escalate and bind",
    apply(
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: pwn, namespace: ${ns}}\nrules: [{apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [escalate, bind]}]`,
    ),
  ],
  [
    "an aggregated ClusterRole",
    apply(
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: ${ns}-agg, labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}}\nrules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]`,
    ),
  ],
  [
    "a token Secret",
    apply(
      `apiVersion: v1\nkind: Secret\nmetadata: {name: tok, namespace: ${ns}, annotations: {kubernetes.io/service-account.name: default}}\ntype: kubernetes.io/service-account-token`,
    ),
  ],
  [
    "an opaque Secret",
    apply(`apiVersion: v1\nkind: Secret\nmetadata: {name: plain, namespace: ${ns}}\nstringData: {a: b}`),
  ],
  [
    "a token Secret by patching a Secret's type",
    patch("secret", "db", { type: "kubernetes.io/service-account-token" }, "merge"),
  ],
  [
    "RBAC in a List",
    apply(
      `apiVersion: v1\nkind: List\nitems:\n- {apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: listed, namespace: ${ns}}, rules: []}`,
    ),
  ],
];

const pods: Attack[] = [
  ...[
    "SYS_ADMIN",
    "CAP_SYS_ADMIN",
    "sys_admin",
    "cap_sys_admin",
    "Sys_Admin",
    "ALL",
    "all",
    " SYS_ADMIN",
    "NET_ADMIN",
    "SYS_PTRACE",
  ].map(
    (cap): Attack => [
      `capability ${JSON.stringify(cap)}`,
      apply(
        podManifest("cap", container(`    securityContext: {capabilities: {add: [${JSON.stringify(cap)}]}}`)),
      ),
    ],
  ),
  [
    "privileged initContainer",
    apply(
      podManifest(
        "init",
        `  initContainers: [{name: i, image: x, securityContext: {privileged: true}}]\n${container()}`,
      ),
    ),
  ],
  [
    "seccomp Unconfined (pod)",
    apply(podManifest("sc1", `  securityContext: {seccompProfile: {type: Unconfined}}\n${container()}`)),
  ],
  [
    "seccomp Unconfined (container)",
    apply(podManifest("sc2", container("    securityContext: {seccompProfile: {type: Unconfined}}"))),
  ],
  [
    "AppArmor Unconfined (field)",
    apply(podManifest("aa1", container("    securityContext: {appArmorProfile: {type: Unconfined}}"))),
  ],
  [
    "AppArmor unconfined annotation on a Pod",
    apply(
      podManifest(
        "aa2",
        container(),
        ", annotations: {container.apparmor.security.beta.kubernetes.io/c: unconfined}",
      ),
    ),
  ],
  [
    "AppArmor unconfined annotation on a Deployment template",
    apply(
      deployment(
        "aa3",
        container(),
        ", annotations: {container.apparmor.security.beta.kubernetes.io/c: unconfined}",
      ),
    ),
  ],
  [
    "seccomp unconfined annotation on a template",
    apply(
      deployment("sc3", container(), ", annotations: {seccomp.security.alpha.kubernetes.io/pod: unconfined}"),
    ),
  ],
  ["hostPort", apply(podManifest("hp", container("    ports: [{containerPort: 80, hostPort: 80}]")))],
  [
    "unsafe sysctl",
    apply(
      podManifest("sy", `  securityContext: {sysctls: [{name: kernel.msgmax, value: "1"}]}\n${container()}`),
    ),
  ],
  [
    "procMount Unmasked",
    apply(
      podManifest("pm", `  hostUsers: false\n${container("    securityContext: {procMount: Unmasked}")}`),
    ),
  ],
  [
    "windows hostProcess",
    apply(
      podManifest(
        "win",
        `  hostNetwork: true\n  securityContext: {windowsOptions: {hostProcess: true}}\n${container()}`,
      ),
    ),
  ],
  [
    "hostPath in a DaemonSet",
    apply(
      `apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: ds, namespace: ${ns}}\nspec:\n  selector: {matchLabels: {app: ds}}\n  template:\n    metadata: {labels: {app: ds}}\n    spec:\n      volumes: [{name: h, hostPath: {path: /}}]\n      containers: [{name: c, image: x}]`,
    ),
  ],
  [
    "hostNetwork in a CronJob",
    apply(
      `apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: cj, namespace: ${ns}}\nspec:\n  schedule: "0 0 * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec: {hostNetwork: true, restartPolicy: Never, containers: [{name: c, image: x}]}`,
    ),
  ],
  [
    "hostPID in a ReplicationController",
    apply(
      `apiVersion: v1\nkind: ReplicationController\nmetadata: {name: rc, namespace: ${ns}}\nspec:\n  replicas: 1\n  selector: {app: rc}\n  template:\n    metadata: {labels: {app: rc}}\n    spec: {hostPID: true, containers: [{name: c, image: x}]}`,
    ),
  ],
  [
    "privileged PodTemplate",
    apply(
      `apiVersion: v1\nkind: PodTemplate\nmetadata: {name: pt, namespace: ${ns}}\ntemplate:\n  spec: {containers: [{name: c, image: x, securityContext: {privileged: true}}]}`,
    ),
  ],
  [
    "hostNetwork in a custom resource with no containers yet",
    apply(
      `apiVersion: ${GROUP}/v1\nkind: Gizmo\nmetadata: {name: g2, namespace: ${ns}}\nspec: {size: 1, template: {spec: {hostNetwork: true, containers: []}}}`,
    ),
  ],
  [
    "privileged in a custom resource",
    apply(
      `apiVersion: ${GROUP}/v1\nkind: Gizmo\nmetadata: {name: g3, namespace: ${ns}}\nspec: {size: 1, podSpec: {containers: [{name: c, image: x, securityContext: {privileged: true}}]}}`,
    ),
  ],
  [
    "gitRepo volume (runs git on the node)",
    apply(
      podManifest(
        "git",
        `  volumes: [{name: g, gitRepo: {repository: "https://example.invalid/x.git"}}]\n${container()}`,
      ),
    ),
  ],
  [
    "privileged added to an existing Deployment by json patch",
    patch(
      "deployment",
      "app",
      [{ op: "add", path: "/spec/template/spec/containers/0/securityContext", value: { privileged: true } }],
      "json",
    ),
  ],
  [
    "hostNetwork by kubectl patch",
    k("patch", "deploy", "app", "-n", ns, "-p", '{"spec":{"template":{"spec":{"hostNetwork":true}}}}'),
  ],
  [
    "ephemeral container",
    k(
      "patch",
      "pod",
      "solo",
      "-n",
      ns,
      "--subresource=ephemeralcontainers",
      "--type=strategic",
      "-p",
      '{"spec":{"ephemeralContainers":[{"name":"dbg","image":"busybox"}]}}',
    ),
  ],
];

const secretsIn: Attack[] = [
  ["envFrom a Secret", apply(podManifest("ef", container("    envFrom: [{secretRef: {name: db}}]")))],
  [
    "secretKeyRef in an initContainer",
    apply(
      podManifest(
        "sk",
        `  initContainers: [{name: i, image: x, env: [{name: A, valueFrom: {secretKeyRef: {name: db, key: password}}}]}]\n${container()}`,
      ),
    ),
  ],
  [
    "projected Secret volume",
    apply(
      podManifest(
        "pj",
        `  volumes: [{name: p, projected: {sources: [{secret: {name: db}}]}}]\n${container()}`,
      ),
    ),
  ],
  [
    "CSI secrets-store volume",
    apply(
      podManifest(
        "csi",
        `  volumes: [{name: s, csi: {driver: secrets-store.csi.k8s.io, volumeAttributes: {secretProviderClass: x}}}]\n${container()}`,
      ),
    ),
  ],
  [
    "a credential key of a ConfigMap into env",
    apply(
      podManifest(
        "cmk",
        container("    env: [{name: A, valueFrom: {configMapKeyRef: {name: creds, key: DB_PASSWORD}}}]"),
      ),
    ),
  ],
  ["serviceAccountName", apply(podManifest("sa1", `  serviceAccountName: admin\n${container()}`))],
  ["deprecated serviceAccount", apply(podManifest("sa2", `  serviceAccount: admin\n${container()}`))],
  [
    "empty serviceAccountName with serviceAccount in a template",
    apply(deployment("sa3", `serviceAccountName: ""\nserviceAccount: admin\n${container()}`)),
  ],
  [
    "Secret volume added by kubectl patch",
    k(
      "patch",
      "deploy",
      "app",
      "-n",
      ns,
      "-p",
      '{"spec":{"template":{"spec":{"volumes":[{"name":"s","secret":{"secretName":"db"}}]}}}}',
    ),
  ],
];

const names: Attack[] = [
  ...[".", "..", "%2e", "%2e%2e", "a/b", "../db", "db/status"].map(
    (n): Attack => [
      `manifest name ${JSON.stringify(n)}`,
      apply(
        `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${JSON.stringify(n)}, namespace: ${ns}}\ndata: {a: b}`,
      ),
    ],
  ),
  ...["..", ".", "%2e%2e", "kube-system/x"].map(
    (n): Attack => [
      `manifest namespace ${JSON.stringify(n)}`,
      apply(
        `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: ${JSON.stringify(n)}}\ndata: {a: b}`,
      ),
    ],
  ),
  [
    "patch name ..",
    () => tool(ND, "resources_patch", { kind: "configmap", name: "..", namespace: ns, patch: "{}" }),
  ],
  [
    "scale name with a slash",
    () => tool(ND, "resources_scale", { kind: "deployment", name: "app/scale", namespace: ns, replicas: 0 }),
  ],
  ["kubectl label a name with a slash", k("label", "configmap/held/status", "-n", ns, "x=y")],
  ...["..", ".", "%2e%2e", "held/../db"].flatMap((n): Attack[] => [
    [`kubectl label cm ${n}`, k("label", "cm", n, "-n", ns, "x=y")],
    [`kubectl patch cm ${n}`, k("patch", "cm", n, "-n", ns, "-p", '{"data":{"a":"2"}}')],
    [`kubectl scale deploy/${n}`, k("scale", `deploy/${n}`, "-n", ns, "--replicas=1")],
    [`kubectl rollout restart deploy/${n}`, k("rollout", "restart", `deploy/${n}`, "-n", ns)],
    [
      `rollout restart of ${n}`,
      () => tool(ND, "rollout_change", { action: "restart", kind: "deployment", name: n, namespace: ns }),
    ],
  ]),
  ["kubectl annotate in namespace ..", k("annotate", "-n", "..", "cm", "held", "a=b")],
  [
    "resources_scale in namespace ..",
    () => tool(ND, "resources_scale", { kind: "deployment", name: "app", namespace: "..", replicas: 1 }),
  ],
];

const multi: Attack[] = [
  [
    "one privileged document among good ones",
    apply(
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: good, namespace: ${ns}}\ndata: {a: b}\n---\n${podManifest("bad", container("    securityContext: {privileged: true}"))}`,
    ),
  ],
  [
    "a bad document in a namespace the manifest creates",
    apply(
      `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}-new}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ${ns}-new}\nspec: {hostNetwork: true, containers: [{name: c, image: x}]}`,
    ),
  ],
];

/** Attacks the API server itself turns into no change (it ignores the field, or nothing matches). */
const NO_OP = new Set(["namespace spec.finalizers removed", "rollout pause in kube-system"]);

const envPath = (i: number, leaf = "") => `/spec/template/spec/containers/0/env/${i}${leaf}`;
const LAST_APPLIED = "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration";

/** Writes that would move a redacted value somewhere visible: refused in every mode without revealSecrets. */
const echoes = (mode: string): Attack[] => {
  const json =
    (kind: string, name: string, ops: unknown[], dryRun = true) =>
    () =>
      tool(mode, "resources_patch", {
        kind,
        name,
        namespace: ns,
        type: "json",
        dryRun,
        patch: JSON.stringify(ops),
      });
  const kjson = (kind: string, name: string, ops: unknown[]) => () =>
    kc(mode, "patch", kind, name, "-n", ns, "--type=json", "-p", JSON.stringify(ops), "--dry-run=server");
  return [
    [
      "copy after re-indexing the env list",
      async () =>
        json("deployment", "app", [
          { op: "remove", path: envPath(0) },
          {
            op: "copy",
            from: envPath((await envIndex("DB_PASSWORD")) - 1, "/value"),
            path: "/metadata/annotations/leak",
          },
        ])(),
    ],
    [
      "copy after re-indexing into a field that fails validation (422)",
      async () =>
        json(
          "deployment",
          "app",
          [
            { op: "remove", path: envPath(0) },
            {
              op: "copy",
              from: envPath((await envIndex("DB_PASSWORD")) - 1, "/value"),
              path: "/spec/template/spec/containers/0/imagePullPolicy",
            },
          ],
          false,
        )(),
    ],
    [
      "test oracle after re-indexing",
      async () =>
        json(
          "deployment",
          "app",
          [
            { op: "remove", path: envPath(0) },
            { op: "test", path: envPath((await envIndex("DB_PASSWORD")) - 1, "/value"), value: "guess" },
          ],
          false,
        )(),
    ],
    [
      "renaming the credential env var",
      async () =>
        json("deployment", "app", [
          { op: "replace", path: envPath(await envIndex("DB_PASSWORD"), "/name"), value: "MODE2" },
        ])(),
    ],
    [
      "renaming it through kubectl patch",
      async () =>
        kjson("deploy", "app", [
          { op: "replace", path: envPath(await envIndex("DB_PASSWORD"), "/name"), value: "SHOWN" },
        ])(),
    ],
    [
      "the env value copied into args",
      async () =>
        json("deployment", "app", [
          { op: "add", path: "/spec/template/spec/containers/0/args", value: [] },
          {
            op: "copy",
            from: envPath(await envIndex("DB_PASSWORD"), "/value"),
            path: "/spec/template/spec/containers/0/args/-",
          },
        ])(),
    ],
    [
      "the whole env list copied into an annotation",
      json("deployment", "app", [
        { op: "copy", from: "/spec/template/spec/containers/0/env", path: "/metadata/annotations/leak" },
      ]),
    ],
    [
      "the last-applied annotation copied",
      json("deployment", "app", [{ op: "copy", from: LAST_APPLIED, path: "/metadata/annotations/leak" }]),
    ],
    [
      "the last-applied annotation moved (kubectl)",
      kjson("deploy", "app", [{ op: "move", from: LAST_APPLIED, path: "/metadata/annotations/leak" }]),
    ],
    [
      "a ConfigMap credential key copied to another key",
      json("configmap", "creds", [{ op: "copy", from: "/data/DB_PASSWORD", path: "/data/shown" }]),
    ],
    [
      "a ConfigMap's data moved into its annotations",
      json("configmap", "creds", [{ op: "move", from: "/data", path: "/metadata/annotations" }]),
    ],
    [
      "a ConfigMap credential key tested",
      kjson("configmap", "creds", [{ op: "test", path: "/data/DB_PASSWORD", value: "guess" }]),
    ],
    [
      "a Secret's data copied into a label (422)",
      json("secret", "db", [{ op: "copy", from: "/data/password", path: "/metadata/labels/x" }], false),
    ],
    [
      "a Secret's data copied after a move",
      json("secret", "db", [
        { op: "move", from: "/data/password", path: "/data/p2" },
        { op: "copy", from: "/data/p2", path: "/metadata/annotations/x" },
      ]),
    ],
    [
      "a Secret's whole metadata copied",
      json("secret", "db", [{ op: "copy", from: "/metadata", path: "/data/meta" }]),
    ],
    [
      "a Secret key tested (oracle)",
      kjson("secret", "db", [
        { op: "test", path: "/data/password", value: Buffer.from("guess").toString("base64") },
      ]),
    ],
    [
      "a test oracle with --type=JSON",
      () =>
        kc(
          mode,
          "patch",
          "cm",
          "creds",
          "-n",
          ns,
          "--type=JSON",
          "-p",
          '[{"op":"test","path":"/data/DB_PASSWORD","value":"guess"}]',
        ),
    ],
    [
      "a test oracle written as YAML",
      () =>
        kc(
          mode,
          "patch",
          "cm",
          "creds",
          "-n",
          ns,
          "--type=json",
          "-p",
          "- {op: test, path: /data/DB_PASSWORD, value: guess}",
        ),
    ],
    [
      "a YAML copy into an annotation",
      () =>
        kc(
          mode,
          "patch",
          "cm",
          "creds",
          "-n",
          ns,
          "--type",
          "Json",
          "-p",
          "- {op: copy, from: /data/DB_PASSWORD, path: /metadata/annotations/x}",
        ),
    ],
    [
      "annotate --list on a Secret (its last-applied annotation)",
      () => kc(mode, "annotate", "secret", "db", "-n", ns, "--list"),
    ],
    [
      "annotate --list on the Deployment (its last-applied annotation)",
      () => kc(mode, "annotate", "deploy", "app", "-n", ns, "--list"),
    ],
  ];
};

describe.each(["non-destructive", "full"])("secret echo through writes (%s mode)", (mode) => {
  it.each(echoes(mode))("%s", async (_l, attack) => {
    const before = await snapshot();
    const r = await attack();
    expect(r.isError, r.text).toBe(true);
    expect(await snapshot()).toBe(before);
  });
});

describe("read-only mode changes nothing, whatever the path", () => {
  const ro = "read-only";
  it.each([
    ["kubectl label", () => kc(ro, "label", "deploy", "app", "-n", ns, "x=y")],
    ["kubectl annotate", () => kc(ro, "annotate", "cm", "held", "-n", ns, "x=y")],
    ["kubectl scale up", () => kc(ro, "scale", "deploy/app", "-n", ns, "--replicas=3")],
    ["kubectl patch", () => kc(ro, "patch", "cm", "held", "-n", ns, "-p", '{"data":{"a":"2"}}')],
    ["kubectl rollout restart", () => kc(ro, "rollout", "restart", "deploy/app", "-n", ns)],
    ["kubectl cordon (dry run)", () => kc(ro, "cordon", "kwok-node-0", "--dry-run=server")],
    [
      "resources_apply",
      () =>
        tool(ro, "resources_apply", {
          manifest: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ro, namespace: ${ns}}`,
        }),
    ],
    [
      "resources_patch",
      () =>
        tool(ro, "resources_patch", {
          kind: "configmap",
          name: "held",
          namespace: ns,
          patch: '{"data":{"a":"3"}}',
        }),
    ],
    [
      "resources_scale",
      () => tool(ro, "resources_scale", { kind: "deployment", name: "app", namespace: ns, replicas: 3 }),
    ],
    [
      "rollout restart",
      () => tool(ro, "rollout_change", { action: "restart", kind: "deployment", name: "app", namespace: ns }),
    ],
  ] as Attack[])("%s", async (_l, attack) => {
    const before = await snapshot();
    const r = await attack();
    expect(r.isError, r.text).toBe(true);
    expect(await snapshot()).toBe(before);
  });
});

describe.each([
  ["scale to zero in every spelling", scaleToZero],
  ["garbage collection, finalizers, status and other stops", gc],
  ["cluster configuration and system objects", sys],
  ["RBAC and tokens", rbac],
  ["pods outside the baseline profile", pods],
  ["secrets and identities imported into pods", secretsIn],
  ["names", names],
  ["multi-document manifests", multi],
])("non-destructive mode refuses %s", (_c, attacks) => {
  it.each(attacks)("%s", async (_l, attack) => {
    const before = await snapshot();
    const r = await attack();
    if (!NO_OP.has(_l)) expect(r.isError, r.text).toBe(true);
    expect(await snapshot()).toBe(before);
  });
});

describe("rollout undo when two ReplicaSets claim one revision", () => {
  it("is refused through kubectl (kubectl might restore the other one), and the template stays", async () => {
    const d = (...a: string[]) => kubectl(...a, "-n", ns);
    expect((await d("create", "deployment", "forged", "--image=registry.example/f:1")).code).toBe(0);
    await d("rollout", "status", "deployment/forged", "--timeout=60s");
    await d("set", "env", "deployment/forged", "--from=secret/db");
    await d("rollout", "status", "deployment/forged", "--timeout=60s");
    await d("set", "env", "deployment/forged", "PASSWORD-");
    await d("rollout", "status", "deployment/forged", "--timeout=60s");
    await d("set", "image", "deployment/forged", "forged=registry.example/f:2");
    await d("rollout", "status", "deployment/forged", "--timeout=60s");
    // revision 2 (the Secret import) is made to claim revision 1, the benign one
    const sets = JSON.parse((await d("get", "rs", "-l", "app=forged", "-o", "json")).stdout).items as {
      metadata: { name: string; annotations: Record<string, string> };
    }[];
    const two = sets.find((rs) => rs.metadata.annotations["deployment.kubernetes.io/revision"] === "2");
    expect(two).toBeDefined();
    const forged = await kc(
      ND,
      "annotate",
      "rs",
      two?.metadata.name ?? "",
      "-n",
      ns,
      "deployment.kubernetes.io/revision=1",
      "--overwrite",
    );
    expect(forged.isError, forged.text).toBe(false);
    const template = await get("deploy", "forged", "-o", "jsonpath={.spec.template.spec}");
    const r = await kc(ND, "rollout", "undo", "deployment/forged", "-n", ns, "--to-revision=1");
    expect(r.isError, r.text).toBe(true);
    expect(await get("deploy", "forged", "-o", "jsonpath={.spec.template.spec}")).toBe(template);
    const typed = await tool(ND, "rollout_change", {
      action: "undo",
      kind: "deployment",
      name: "forged",
      namespace: ns,
      toRevision: 1,
    });
    if (!typed.isError)
      expect(await get("deploy", "forged", "-o", "jsonpath={.spec.template.spec}")).not.toContain(
        "secretRef",
      );
  });
});

describe("ordinary writes keep working in non-destructive mode", () => {
  it.each([
    [
      "apply a Deployment, a Service and a ConfigMap",
      apply(
        `${deployment("web", container("    ports: [{containerPort: 80}]\n    securityContext: {capabilities: {add: [net_bind_service]}}\n    env: [{name: MODE, valueFrom: {configMapKeyRef: {name: creds, key: mode}}}]"))}---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: ${ns}}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: ${ns}}\ndata: {a: b}`,
      ),
    ],
    [
      "a claim from a storage class",
      apply(
        `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: ${ns}}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}`,
      ),
    ],
    ["kubectl scale up", k("scale", "deploy/app", "-n", ns, "--replicas=3")],
    [
      "resources_scale down to one",
      () => tool(ND, "resources_scale", { kind: "deployment", name: "app", namespace: ns, replicas: 1 }),
    ],
    [
      "resources_scale a custom resource",
      () => tool(ND, "resources_scale", { kind: `gizmos.${GROUP}`, name: "g1", namespace: ns, replicas: 4 }),
    ],
    ["kubectl scale a custom resource", k("scale", `gizmos.${GROUP}/g1`, "-n", ns, "--replicas=2")],
    [
      "kubectl patch --subresource=scale up",
      k(
        "patch",
        "deploy",
        "app",
        "-n",
        ns,
        "--subresource=scale",
        "--type=merge",
        "-p",
        '{"spec":{"replicas":2}}',
      ),
    ],
    [
      "patch a custom resource's size",
      patch(`gizmos.${GROUP}`, "g1", { spec: { size: 5, color: "red" } }, "merge"),
    ],
    [
      "rollout restart",
      () => tool(ND, "rollout_change", { action: "restart", kind: "deployment", name: "app", namespace: ns }),
    ],
    ["kubectl rollout restart", k("rollout", "restart", "deploy/app", "-n", ns)],
    ["kubectl label and annotate a Deployment", k("label", "deploy", "app", "-n", ns, "tier=web")],
    ["kubectl annotate a ConfigMap", k("annotate", "cm", "creds", "-n", ns, "note=x")],
    [
      "a dry-run diff of a ConfigMap",
      () =>
        tool(ND, "resources_apply", {
          dryRun: true,
          force: true,
          manifest: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: creds, namespace: ${ns}}\ndata: {mode: dev}`,
        }),
    ],
    [
      "a JSON patch that reads an ordinary value",
      patch(
        "deployment",
        "app",
        [{ op: "copy", from: "/spec/template/spec/containers/0/image", path: "/metadata/annotations/image" }],
        "json",
      ),
    ],
  ] as Attack[])("%s", async (_l, attack) => {
    const r = await attack();
    expect(r.isError, r.text).toBe(false);
  });
});

describe("nothing else was created", () => {
  it("left no object an attack named", async () => {
    const left = await get("pods,deploy,ds,cronjob,rc,podtemplate,cm,pvc,role,rolebinding", "-o", "name");
    for (const n of [
      "good",
      "bad",
      "cap",
      "crit",
      "ds",
      "rc",
      "pt",
      "aa3",
      "sa3",
      "listed",
      "pwn",
      "bind",
      "root",
    ])
      expect(left).not.toMatch(new RegExp(`/${n}(-[a-z0-9]+)*$`, "m"));
    expect((await kubectl("get", "ns", `${ns}-new`, "--ignore-not-found", "-o", "name")).stdout).toBe("");
    expect((await kubectl("get", "pv", `${ns}-root`, "--ignore-not-found", "-o", "name")).stdout).toBe("");
    expect(
      (await kubectl("get", "priorityclass", "bypass-high", "--ignore-not-found", "-o", "name")).stdout,
    ).toBe("");
  });

  it("leaked no planted value, raw or base64, in any answer", () => {
    expect(outputs.flatMap(leaks)).toEqual([]);
    const all = outputs.join("\n");
    for (const v of [PASSWORD, SECRET, CM_PW]) {
      expect(all).not.toContain(v);
      expect(all).not.toContain(Buffer.from(v).toString("base64"));
    }
  });
});

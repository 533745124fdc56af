// The write guard by threat class, through a real MCP client against the bed, in every mode: privilege
// gain, deletion without a destructive tool, and secret values echoed back by the API server. Each
// attack checks both the answer (refused, naming the rule; no planted value) and the cluster
// afterwards (nothing created, changed or deleted). Ordinary writes must keep working.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { leaks } from "../helpers/canary.js";
import { call, type Session, stdioSession } from "../helpers/mcp.js";
import { run } from "../helpers/run.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const ns = `guard-${Date.now().toString(36)}`;
const PASSWORD = "kmcp-canary-guard-pw-7f3a";
const SECRET = "kmcp-canary-guard-secret-19c2";
const outputs: string[] = [];
const sessions: Record<string, Session> = {};

const kubectl = (...args: string[]) =>
  run(join(bin, "kubectl"), ["--kubeconfig", kubeconfig, "--context", "alpha", ...args]);
const get = async (...args: string[]) => (await kubectl("get", "-n", ns, ...args)).stdout;

async function tool(mode: string, name: string, args: Record<string, unknown>) {
  const r = await call((sessions[mode] as Session).client, name, { cluster: "alpha", ...args });
  outputs.push(r.text, JSON.stringify(r.structured ?? null));
  return r;
}
const kc = (mode: string, ...args: string[]) => tool(mode, "kubectl", { args });

const app = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: ${ns}}
spec:
  replicas: 2
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers:
      - name: app
        image: registry.example/app:1
        env:
        - {name: MODE, value: prod}
        - {name: DB_PASSWORD, value: ${PASSWORD}}
`;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "kube-mcp-guard-"));
  writeFileSync(
    join(dir, "fixtures.yaml"),
    `apiVersion: v1
kind: Namespace
metadata: {name: ${ns}}
---
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: ${ns}}
stringData: {password: ${SECRET}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: held, namespace: ${ns}, finalizers: [kube-mcp.test/hold]}
data: {a: "1"}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: ${ns}}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: registry.example/job:1}]
---
${app}`,
  );
  const applied = await kubectl("apply", "-f", join(dir, "fixtures.yaml"));
  expect(applied.code, applied.stderr).toBe(0);
  const lab = join(dir, "lab.yaml");
  writeFileSync(lab, "clusters:\n  alpha: {allow: [secretRefs]}\n");
  const env = { KUBECONFIG: kubeconfig };
  for (const mode of ["read-only", "non-destructive", "full"])
    sessions[mode] = await stdioSession({ args: ["--mode", mode, "--no-confirm"], env });
  sessions.lab = await stdioSession({ args: ["--config", lab, "--no-confirm"], env });
});

afterAll(async () => {
  for (const s of Object.values(sessions)) await s.close();
  await kubectl(
    "patch",
    "configmap",
    "held",
    "-n",
    ns,
    "--type=merge",
    "-p",
    '{"metadata":{"finalizers":null}}',
  );
  await kubectl("delete", "namespace", ns, "--wait=false");
  await kubectl("delete", "clusterrolebinding", `${ns}-pwn`, "--ignore-not-found");
});

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

describe("deletion without a destructive tool", () => {
  it("refuses a made-up owner reference (the garbage collector would delete the object)", async () => {
    const r = await tool("non-destructive", "resources_patch", {
      kind: "configmap",
      name: "held",
      namespace: ns,
      patch: JSON.stringify({
        metadata: {
          ownerReferences: [
            {
              apiVersion: "v1",
              kind: "Namespace",
              name: "gone",
              uid: "00000000-0000-0000-0000-000000000001",
            },
          ],
        },
      }),
    });
    expect(r.isError).toBe(true);
    expect(r.text).toContain("(rule deletes)");
    expect(await get("configmap", "held", "-o", "jsonpath={.metadata.ownerReferences}")).toBe("");
  });

  it("refuses removing a finalizer", async () => {
    const r = await tool("non-destructive", "resources_patch", {
      kind: "configmap",
      name: "held",
      namespace: ns,
      type: "json",
      patch: '[{"op":"remove","path":"/metadata/finalizers"}]',
    });
    expect(r.isError).toBe(true);
    expect(r.text).toContain("removes finalizers");
    expect(await get("configmap", "held", "-o", "jsonpath={.metadata.finalizers}")).toContain(
      "kube-mcp.test/hold",
    );
  });

  it.each([
    [
      "kubectl scale --replicas=00",
      () => kc("non-destructive", "scale", "deployment/app", "-n", ns, "--replicas=00"),
    ],
    [
      "kubectl scale --replicas 0",
      () => kc("non-destructive", "scale", "deployment/app", "-n", ns, "--replicas", "0"),
    ],
    [
      "kubectl patch replicas 0",
      () =>
        kc(
          "non-destructive",
          "patch",
          "deployment",
          "app",
          "-n",
          ns,
          "--type=merge",
          "-p",
          '{"spec":{"replicas":0}}',
        ),
    ],
    [
      "a JSON patch to zero",
      () =>
        tool("non-destructive", "resources_patch", {
          kind: "deployment",
          name: "app",
          namespace: ns,
          type: "json",
          patch: '[{"op":"replace","path":"/spec/replicas","value":0}]',
        }),
    ],
    [
      "an apply with replicas 0",
      () =>
        tool("non-destructive", "resources_apply", {
          manifest: app.replace("replicas: 2", "replicas: 0"),
          force: true,
        }),
    ],
    [
      "resources_scale to 0",
      () =>
        tool("non-destructive", "resources_scale", {
          kind: "deployment",
          name: "app",
          namespace: ns,
          replicas: 0,
        }),
    ],
  ])("refuses %s, and the workload keeps running", async (_l, attack) => {
    const r = await attack();
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(
      /scales it to zero replicas \(rule deletes\)|scaling to zero is only allowed in full mode/,
    );
    expect(await get("deploy", "app", "-o", "jsonpath={.spec.replicas}")).toBe("2");
  });

  it("refuses suspending a CronJob", async () => {
    const r = await kc(
      "non-destructive",
      "patch",
      "cronjob",
      "nightly",
      "-n",
      ns,
      "-p",
      '{"spec":{"suspend":true}}',
    );
    expect(r.isError).toBe(true);
    expect(r.text).toContain("(rule deletes)");
    expect(await get("cronjob", "nightly", "-o", "jsonpath={.spec.suspend}")).toBe("false");
  });

  it("refuses a rollout undo to a template that imported a Secret, and undoes an ordinary one", async () => {
    const deploy = (...a: string[]) => kubectl(...a, "-n", ns);
    expect((await deploy("create", "deployment", "hist", "--image=registry.example/hist:1")).code).toBe(0);
    await deploy("set", "env", "deployment/hist", "--from=secret/db");
    await deploy("rollout", "status", "deployment/hist", "--timeout=60s");
    await deploy("set", "env", "deployment/hist", "PASSWORD-");
    await deploy("rollout", "status", "deployment/hist", "--timeout=60s");
    const generation = await get("deploy", "hist", "-o", "jsonpath={.metadata.generation}");
    const r = await kc("non-destructive", "rollout", "undo", "deployment/hist", "-n", ns);
    expect(r.isError, r.text).toBe(true);
    expect(r.text).toContain("(rule secretRefs)");
    expect(await get("deploy", "hist", "-o", "jsonpath={.metadata.generation}")).toBe(generation);
    await deploy("set", "image", "deployment/hist", "hist=registry.example/hist:2");
    await deploy("rollout", "status", "deployment/hist", "--timeout=60s");
    const ok = await kc("non-destructive", "rollout", "undo", "deployment/hist", "-n", ns);
    expect(ok.isError, ok.text).toBe(false);
    expect(await get("deploy", "hist", "-o", "jsonpath={.spec.template.spec.containers[0].image}")).toBe(
      "registry.example/hist:1",
    );
  });

  it("refuses every write in read-only mode, whatever the path", async () => {
    const r = await kc("read-only", "label", "deployment", "app", "-n", ns, "x=y");
    expect(r.isError).toBe(true);
    expect(await get("deploy", "app", "-o", "jsonpath={.metadata.labels.x}")).toBe("");
  });
});

describe("secret values echoed back by the API server", () => {
  it.each(["non-destructive", "full"])(
    "refuses a JSON patch that copies an env password into an annotation (%s, dry run)",
    async (mode) => {
      const names = await get(
        "deploy",
        "app",
        "-o",
        "jsonpath={.spec.template.spec.containers[0].env[*].name}",
      );
      const i = names.split(" ").indexOf("DB_PASSWORD");
      expect(i).toBeGreaterThanOrEqual(0);
      const r = await tool(mode, "resources_patch", {
        kind: "deployment",
        name: "app",
        namespace: ns,
        type: "json",
        dryRun: true,
        patch: `[{"op":"copy","from":"/spec/template/spec/containers/0/env/${i}/value","path":"/metadata/annotations/leak"}]`,
      });
      expect(r.isError, r.text).toBe(true);
      expect(r.text).toContain("(rule secretEcho)");
    },
  );

  it("refuses copying a Secret's data into a field that fails validation (the 422 would quote it)", async () => {
    const r = await tool("full", "resources_patch", {
      kind: "secret",
      name: "db",
      namespace: ns,
      type: "json",
      patch: '[{"op":"copy","from":"/data/password","path":"/metadata/labels/x"}]',
    });
    expect(r.isError).toBe(true);
    expect(r.text).toContain("(rule secretEcho)");
  });

  it("refuses the same through kubectl patch --type=json", async () => {
    const r = await kc(
      "full",
      "patch",
      "secret",
      "db",
      "-n",
      ns,
      "--type=json",
      "-p",
      '[{"op":"move","from":"/data/password","path":"/metadata/annotations/x"}]',
    );
    expect(r.isError).toBe(true);
    expect(r.text).toContain("(rule secretEcho)");
    expect(await get("secret", "db", "-o", "jsonpath={.metadata.annotations.x}")).toBe("");
  });

  it("masks a redacted value wherever it reappears in the same object (planted there earlier)", async () => {
    await kubectl("annotate", "deployment", "app", "-n", ns, `copied=${PASSWORD}`, "--overwrite");
    const r = await tool("full", "resources_get", { kind: "deployment", name: "app", namespace: ns });
    expect(r.isError).toBe(false);
    expect(r.text).toContain("copied:");
    const y = await kc("full", "get", "deployment", "app", "-n", ns, "-o", "yaml");
    expect(y.text).toContain("copied:");
    await kubectl("annotate", "deployment", "app", "-n", ns, "copied-");
  });
});

describe("ordinary writes keep working in non-destructive mode", () => {
  it("applies a Deployment, a Service and a ConfigMap, scales up and restarts", async () => {
    const apply = await tool("non-destructive", "resources_apply", {
      manifest: `apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: ${ns}}
data: {LOG_LEVEL: info}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${ns}}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
${app
  .replace(/name: app,/, "name: web,")
  .replace(/app: app/g, "app: web")
  .replace(/- \{name: DB_PASSWORD.*\n/, "")}`,
    });
    expect(apply.isError, apply.text).toBe(false);
    const up = await tool("non-destructive", "resources_scale", {
      kind: "deployment",
      name: "web",
      namespace: ns,
      replicas: 3,
    });
    expect(up.isError, up.text).toBe(false);
    const viaCli = await kc("non-destructive", "scale", "deployment/web", "-n", ns, "--replicas=4");
    expect(viaCli.isError, viaCli.text).toBe(false);
    expect(await get("deploy", "web", "-o", "jsonpath={.spec.replicas}")).toBe("4");
    const restart = await kc("non-destructive", "rollout", "restart", "deployment/web", "-n", ns);
    expect(restart.isError, restart.text).toBe(false);
    expect(await get("deploy", "web", "-o", "jsonpath={.spec.template.metadata.annotations}")).toContain(
      "restartedAt",
    );
    const label = await kc("non-destructive", "label", "deployment", "web", "-n", ns, "team=shop");
    expect(label.isError, label.text).toBe(false);
    expect(await get("deploy", "web", "-o", "jsonpath={.metadata.labels.team}")).toBe("shop");
    const diff = await tool("non-destructive", "resources_apply", {
      manifest: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config, namespace: ${ns}}\ndata: {LOG_LEVEL: debug}`,
      dryRun: true,
    });
    expect(diff.text).toContain("would change (dry run)");
    expect(diff.text).toMatch(/\+ +LOG_LEVEL: debug/);
  });
});

describe("no planted value in any answer", () => {
  it("leaks nothing, raw or base64", () => {
    for (const o of outputs) if (leaks(o).length) console.error("LEAK", o);
    expect(outputs.flatMap(leaks)).toEqual([]);
    expect(outputs.join("\n")).not.toContain(PASSWORD);
    expect(outputs.join("\n")).not.toContain(Buffer.from(SECRET).toString("base64"));
  });
});

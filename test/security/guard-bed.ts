// The bed for the write-guard suites (privilege, deletion, echo, ordinary writes): a namespace of the
// suite's own on alpha with a Deployment carrying a password env literal, a Secret, a ConfigMap held
// by a finalizer and a CronJob; an MCP session per mode (and "lab", a non-destructive cluster that
// opts into secretRefs); and every answer kept, so a suite can prove that no planted value leaked.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, inject } from "vitest";
import { call, type Session, stdioSession } from "../helpers/mcp.js";
import { run } from "../helpers/run.js";

export function guardBed(prefix: string) {
  const kubeconfig = inject("kubeconfig");
  const bin = inject("testbedBin");
  const ns = `${prefix}-${Date.now().toString(36)}`;
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
  return { ns, PASSWORD, SECRET, outputs, kubectl, get, tool, kc, app };
}

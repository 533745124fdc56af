// Threat classes 4 and 6, through a real MCP client in read-only mode: credentials under the
// spellings configs, CRDs and logs use (DB_PWD, --db-pw, ADMIN_PW, dbPass, masterKey, credentials,
// pwd=…, {"pass":…}) are masked on every read path, typed tools and the kubectl passthrough alike,
// and a filter that cuts the key name off (grep … | cut …) only ever sees redacted text. Every planted
// value is distinct; none may appear, in clear or in base64, while the key names stay visible.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { call, type Session, stdioSession } from "../helpers/mcp.js";
import { run } from "../helpers/run.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const ns = `vocab-${Date.now().toString(36)}`;
const dir = mkdtempSync(join(tmpdir(), "kube-mcp-vocab-"));
const kubectl = (...args: string[]) =>
  run(join(bin, "kubectl"), ["--kubeconfig", kubeconfig, "--context", "alpha", ...args]);

const planted = new Map<string, string>();
const plant = (name: string) => {
  const v = `kmcp-vocab-${name.toLowerCase().replace(/[^a-z0-9]/g, "")}-${Math.random().toString(36).slice(2, 8)}`;
  planted.set(name, v);
  return v;
};
const b64 = (s: string) => Buffer.from(s).toString("base64");
/** Planted values found in the text, in clear or in base64. */
const leaked = (text: string) =>
  [...planted.values()].filter(
    (v) => text.includes(v) || text.includes(b64(v)) || text.includes(b64(v).slice(0, -2)),
  );

const ENV = [
  "DB_PWD",
  "ADMIN_PW",
  "dbPass",
  "apiKey",
  "AWS_SECRET_ACCESS_KEY",
  "connectionString",
  "passphrase",
];
const CM = ["DB_PWD", "masterKey", "credentials", "tls.key", "session_cookie", "rootpw"];

function manifest(): string {
  const env = ENV.map((n) => `        - {name: ${n}, value: ${plant(`env ${n}`)}}`).join("\n");
  const data = CM.map((k) => `  ${k}: ${plant(`cm ${k}`)}`).join("\n");
  return `apiVersion: v1
kind: ConfigMap
metadata: {name: app-config, namespace: ${ns}}
data:
${data}
  LOG_LEVEL: info
  app.properties: |
    server.port=8080
    db.password=${plant("properties")}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: ${ns}}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: registry.example/api:1
        args: ["--db-pw", "${plant("arg space")}", "--api-key=${plant("arg eq")}", "--port=8080"]
        env:
${env}
        - {name: LOG_LEVEL, value: info}
`;
}

// kwok's containers all print the bed's one log file, so the log-line spellings reach the model here
// through an Event (cluster-authored free text, read by describe and get events).
const event = (uid: string) => `apiVersion: v1
kind: Event
metadata: {name: api.login, namespace: ${ns}}
involvedObject: {kind: Deployment, name: api, namespace: ${ns}, apiVersion: apps/v1, uid: ${uid}}
reason: LoginRetry
type: Warning
message: 'retrying login pwd=${plant("event pwd")} with {"pass":"${plant("event pass")}","user":"app"}'
firstTimestamp: "2026-01-01T00:00:00Z"
lastTimestamp: "2026-01-01T00:00:00Z"
count: 1
source: {component: api}
`;

let s: Session;
let pod = "";
const outputs: string[] = [];

async function tool(name: string, args: Record<string, unknown>) {
  const r = await call(s.client, name, args);
  outputs.push(r.text);
  expect(r.isError, r.text).toBe(false);
  expect(leaked(r.text), `${name} ${JSON.stringify(args)}`).toEqual([]);
  return r.text;
}
const kc = (args: string[], filter?: string) => tool("kubectl", { args, ...(filter ? { filter } : {}) });

beforeAll(async () => {
  expect((await kubectl("create", "namespace", ns)).code).toBe(0);
  const file = join(dir, "objects.yaml");
  writeFileSync(file, manifest());
  const applied = await kubectl("apply", "-f", file);
  expect(applied.code, applied.stderr).toBe(0);
  const uid = (await kubectl("get", "deployment", "api", "-n", ns, "-o", "jsonpath={.metadata.uid}")).stdout;
  writeFileSync(file, event(uid));
  const ev = await kubectl("create", "-f", file);
  expect(ev.code, ev.stderr).toBe(0);
  const ready = await kubectl("rollout", "status", "deployment/api", "-n", ns, "--timeout=60s");
  expect(ready.code, ready.stderr).toBe(0);
  pod = (await kubectl("get", "pods", "-n", ns, "-l", "app=api", "-o", "jsonpath={.items[0].metadata.name}"))
    .stdout;
  s = await stdioSession({ args: ["--mode", "read-only"], env: { KUBECONFIG: kubeconfig } });
}, 120_000);

afterAll(async () => {
  await s?.close();
  await kubectl("delete", "namespace", ns, "--wait=false");
});

describe("the credential vocabulary on every read path", () => {
  it("resources_get masks ConfigMap keys in every spelling", async () => {
    const cm = await tool("resources_get", { kind: "ConfigMap", name: "app-config", namespace: ns });
    for (const k of [...CM, "db.password", "server.port=8080"]) expect(cm).toContain(k);
  });

  // Structural redaction (policy/redact.ts scrubArgs) knows flags by its own keyword list, which has
  // no `pw`: the value after `--db-pw` in an args array is shown until it asks isCredentialFlag.
  it("resources_get masks env literals and the argument after a credential flag (--db-pw VALUE)", async () => {
    const deploy = await tool("resources_get", { kind: "Deployment", name: "api", namespace: ns });
    for (const n of [...ENV, "LOG_LEVEL", "--db-pw", "--api-key", "--port=8080"]) expect(deploy).toContain(n);
    await tool("resources_get", { kind: "Pod", name: pod, namespace: ns });
  });

  it("resources_describe masks them too, events included", async () => {
    const d = await tool("resources_describe", { kind: "Deployment", name: "api", namespace: ns });
    expect(d).toContain("LoginRetry");
    await tool("resources_describe", { kind: "Pod", name: pod, namespace: ns });
    const cm = await tool("resources_describe", { kind: "ConfigMap", name: "app-config", namespace: ns });
    for (const k of CM) expect(cm).toContain(k);
  });

  it("kubectl get -o yaml|json, describe and rollout history --revision mask them", async () => {
    for (const o of ["yaml", "json"]) {
      await kc(["get", "deployment", "api", "-n", ns, "-o", o]);
      await kc(["get", "configmap", "app-config", "-n", ns, "-o", o]);
      await kc(["get", "pods", "-n", ns, "-o", o]);
    }
    const d = await kc(["describe", "deployment", "api", "-n", ns]);
    for (const n of ENV) expect(d).toContain(`${n}:`);
    await kc(["describe", "pod", pod, "-n", ns]);
    const cm = await kc(["describe", "configmap", "app-config", "-n", ns]);
    for (const k of CM) expect(cm).toContain(`${k}:\n----\n<redacted>`);
    const rev = await kc(["rollout", "history", "deployment/api", "-n", ns, "--revision", "1"]);
    expect(rev).toContain("DB_PWD:");
    await kc(["get", "events", "-n", ns]);
    await kc(["get", "events", "-n", ns, "-o", "yaml"]);
  });

  it("filters that cut the key name off see only redacted text", async () => {
    const pipelines: [string[], string][] = [
      [["describe", "deployment", "api", "-n", ns], "grep -i pwd | cut -d: -f2"],
      [["describe", "deployment", "api", "-n", ns], "grep -A1 -- --db-pw | tail -1"],
      [["describe", "configmap", "app-config", "-n", ns], "grep -A2 masterKey | tail -1"],
      [["rollout", "history", "deployment/api", "-n", ns, "--revision", "1"], "grep -i pass | cut -f2"],
      [["get", "configmap", "app-config", "-n", ns, "-o", "yaml"], "grep -i pw | cut -d: -f2"],
      [["get", "configmap", "app-config", "-n", ns, "-o", "json"], "jq -r '.data[]'"],
      [
        ["get", "deployment", "api", "-n", ns, "-o", "json"],
        "jq -r '.spec.template.spec.containers[0].env[].value'",
      ],
      [
        ["get", "deployment", "api", "-n", ns, "-o", "json"],
        "jq -r '.spec.template.spec.containers[0].args[]'",
      ],
      [["get", "events", "-n", ns], "grep -i pwd | cut -d= -f2"],
      [["get", "events", "-n", ns, "-o", "json"], "jq -r '.items[].message'"],
      [["logs", `deployment/api`, "-n", ns], "grep -i pwd | cut -d= -f2"],
    ];
    for (const [args, filter] of pipelines) await kc(args, filter);
    await kc([
      "get",
      "deployment",
      "api",
      "-n",
      ns,
      "-o",
      "jsonpath={.spec.template.spec.containers[0].env[*].value}",
    ]);
  });

  it("pods_logs and kubectl logs stay readable and clean", async () => {
    const logs = await tool("pods_logs", { name: pod, namespace: ns });
    expect(logs).toContain("listening");
    await kc(["logs", pod, "-n", ns]);
  });

  it("planted nothing anywhere in the session's answers", () => {
    expect(outputs.length).toBeGreaterThan(20);
    expect(leaked(outputs.join("\n"))).toEqual([]);
    expect(outputs.join("\n")).toContain("<redacted");
  });
});

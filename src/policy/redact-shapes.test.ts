import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { redactObject } from "./redact.js";
import type { Obj } from "./redact-mask.js";

const PW = "kmcp-canary-shape-pw-1";
const TOKEN = "kmcp-canary-shape-token-2";
const DEFAULT_PW = "kmcp-canary-shape-default-3";
const b64 = (s: string) => Buffer.from(s).toString("base64");
const leaks = (v: unknown) => {
  const text = JSON.stringify(v);
  return [PW, TOKEN, DEFAULT_PW, "kmcp-canary"].filter((s) => text.includes(s) || text.includes(b64(s)));
};
const redact = (o: unknown, collect?: (v: string) => void) =>
  redactObject(o, collect ? { collect } : {}) as Obj;

const container = (name = "app") => ({
  name,
  image: "registry.example/app:1",
  args: ["--root-token", TOKEN, "--port=80"],
  env: [
    { name: "MODE", value: "ha" },
    { name: "ADMIN_PW", value: PW },
  ],
});

describe("redactObject: containers by shape, anywhere", () => {
  it("masks a StatefulSet's history in its ControllerRevision and keeps the rest of the template", () => {
    const rev = {
      apiVersion: "apps/v1",
      kind: "ControllerRevision",
      metadata: { name: "keeper-6d4f", namespace: "vault" },
      revision: 1,
      data: { spec: { template: { $patch: "replace", spec: { containers: [container("keeper")] } } } },
    };
    const out = redact(rev);
    expect(leaks(out)).toEqual([]);
    const c = JSON.stringify(out);
    expect(c).toContain('"image":"registry.example/app:1"');
    expect(c).toContain('{"name":"MODE","value":"ha"}');
    expect(c).toContain('["--root-token","<redacted>","--port=80"]');
  });

  it("finds containers in Tekton steps, Knative services, Argo workflows and PodTemplates", () => {
    const inputs: Obj[] = [
      {
        apiVersion: "tekton.dev/v1",
        kind: "Task",
        metadata: { name: "t" },
        spec: { steps: [{ ...container("s"), script: `curl -H "Authorization: Bearer ${TOKEN}x1"` }] },
      },
      {
        apiVersion: "serving.knative.dev/v1",
        kind: "Service",
        metadata: { name: "k" },
        spec: { template: { spec: { containers: [container()] } } },
      },
      {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Workflow",
        metadata: { name: "w" },
        spec: { templates: [{ name: "main", container: { image: "x", args: [`--password=${PW}`] } }] },
      },
      { apiVersion: "v1", kind: "PodTemplate", metadata: { name: "p" }, template: { spec: container() } },
      {
        kind: "Deployment",
        spec: { template: { spec: { initContainers: [{ command: ["--token", TOKEN] }] } } },
      },
    ];
    for (const input of inputs) expect(leaks(redact(input)), String(input.kind)).toEqual([]);
  });

  it("redacts containers inside Lists, Table rows and arbitrary nesting", () => {
    const sts = {
      kind: "StatefulSet",
      metadata: { name: "s" },
      spec: { template: { spec: { containers: [container()] } } },
    };
    const list = { kind: "List", items: [sts, { kind: "ControllerRevision", data: sts.spec }] };
    const table = { kind: "Table", rows: [{ cells: ["s"], object: sts }] };
    const deep = { a: [{ b: { c: [{ d: sts }] } }] };
    for (const input of [list, table, deep]) expect(leaks(redact(input))).toEqual([]);
  });

  it("masks env given as a map and credential-named name/value pairs", () => {
    const out = redact({
      kind: "Function",
      apiVersion: "v1",
      spec: {
        run: { name: "fn", image: "x", env: { DB_PASSWORD: PW, MODE: "fast" } },
        params: [
          { name: "api-token", value: TOKEN },
          { name: "region", value: "eu" },
        ],
      },
    });
    expect(leaks(out)).toEqual([]);
    expect(JSON.stringify(out)).toContain('"MODE":"fast"');
    expect(JSON.stringify(out)).toContain('{"name":"region","value":"eu"}');
  });

  it("reports every masked value to the collector", () => {
    const seen: string[] = [];
    redact(
      { kind: "ControllerRevision", data: { spec: { template: { spec: { containers: [container()] } } } } },
      (v) => seen.push(v),
    );
    expect(seen.sort()).toEqual([PW, TOKEN].sort());
  });

  it("withholds what lies beyond its depth bound instead of passing it through", () => {
    let deep: Obj = { containers: [container()] };
    for (let i = 0; i < 5000; i++) deep = { x: deep };
    const out = redact(deep);
    expect(leaks(out)).toEqual([]);
    expect(JSON.stringify(out)).toContain("<withheld: nested too deeply or too large to redact>");
  });

  it("stays linear on a wide object: four times the items cost about four times the time", () => {
    const list = (n: number) => ({
      kind: "List",
      items: Array.from({ length: n }, () => ({ kind: "Pod", spec: { containers: [container()] } })),
    });
    // A ratio of two sizes in one process, not a wall-clock bound: a quadratic walk would take ~16×.
    const cost = (n: number) => {
      const obj = list(n);
      const started = performance.now();
      const out = redact(obj);
      expect(leaks(out)).toEqual([]);
      return performance.now() - started;
    };
    cost(2_000); // warm the engine up
    const small = Math.min(cost(5_000), cost(5_000));
    const large = Math.min(cost(20_000), cost(20_000));
    expect(large / small).toBeLessThan(10);
  });
});

describe("redactObject: custom resources", () => {
  it("masks CRD fields by name (credentials, masterKey) and keeps the others", () => {
    const out = redact({
      apiVersion: "db.example.io/v1",
      kind: "Cluster",
      metadata: { name: "c" },
      spec: { replicas: 3, masterKey: PW, credentials: { user: "u", key: TOKEN }, tls: { enabled: true } },
    });
    expect(leaks(out)).toEqual([]);
    expect(out.spec).toMatchObject({
      replicas: 3,
      tls: { enabled: true },
      credentials: { user: expect.stringMatching(/^<redacted/) },
    });
  });
});

const manifest = `---
# Source: kmcp-vault/templates/secret.yaml
apiVersion: v1
kind: Secret
metadata: {name: v-auth}
type: Opaque
stringData: {username: admin, password: "${PW}"}
---
# Source: kmcp-vault/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata: {name: v}
spec:
  template:
    spec:
      containers:
      - name: app
        image: registry.example/vault/app:2.4.0
        args: ["--admin-password=${PW}"]
        env:
        - {name: ADMIN_PW, value: "${PW}"}
        - {name: VAULT_API_TOKEN, value: "${TOKEN}"}
`;

function release(over: Obj = {}): Obj {
  return {
    name: "vault-secret",
    namespace: "vault",
    version: 2,
    info: {
      status: "deployed",
      description: "Upgrade complete",
      notes: `Installed. Log in with ${PW} or use the API (${TOKEN}).`,
    },
    chart: {
      metadata: { name: "kmcp-vault", version: "0.3.1", appVersion: "2.4.0" },
      values: {
        image: "registry.example/vault/app:2.4.0",
        auth: { username: "admin", password: DEFAULT_PW },
      },
      templates: [{ name: "templates/secret.yaml", data: b64(`password: ${DEFAULT_PW}`) }],
      files: [{ name: "files/seed.conf", data: b64(`seed=${DEFAULT_PW}`) }],
    },
    config: { apiToken: TOKEN, auth: { password: PW, enabled: true } },
    manifest,
    hooks: [
      {
        name: "v-bootstrap",
        kind: "ConfigMap",
        manifest: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: v-bootstrap}\ndata: {DB_PWD: "${PW}", mode: bootstrap}\n`,
      },
    ],
    ...over,
  };
}

const stored = (rel: Obj) => gzipSync(Buffer.from(JSON.stringify(rel))).toString("base64");
const labels = { name: "vault-secret", owner: "helm", status: "deployed", version: "2" };

describe("redactObject: Helm releases in both storage drivers", () => {
  const summary = {
    withheld: expect.stringMatching(/^Helm release record: /),
    name: "vault-secret",
    namespace: "vault",
    revision: "2",
    status: "deployed",
    chart: "kmcp-vault-0.3.1",
    appVersion: "2.4.0",
  };
  const secretDriver = {
    kind: "Secret",
    metadata: { name: "sh.helm.release.v1.vault-secret.v2", labels },
    type: "helm.sh/release.v1",
    data: { release: b64(stored(release())) },
  };
  const configMapDriver = {
    kind: "ConfigMap",
    metadata: { name: "sh.helm.release.v1.vault-secret.v2", labels },
    data: { release: stored(release()) },
  };

  it("summarises the Secret driver's record, with or without revealing Secret values", () => {
    for (const reveal of [false, true]) {
      const out = redactObject(secretDriver, { revealSecretValues: reveal }) as Obj;
      expect(out.data).toEqual({ release: summary });
      expect(leaks(out)).toEqual([]);
    }
  });

  it("summarises the ConfigMap driver's record and finds a record by its gzip shape alone", () => {
    expect(redact(configMapDriver).data).toEqual({ release: summary });
    const unlabelled = {
      kind: "ConfigMap",
      metadata: { name: "copy" },
      data: { release: stored(release()), other: "x" },
    };
    expect(redact(unlabelled).data).toEqual({ release: summary, other: "x" });
    const list = { kind: "List", items: [secretDriver, configMapDriver] };
    expect(leaks(redact(list))).toEqual([]);
  });

  it("tells the collector the record's secrets, so they are masked wherever they reappear", () => {
    const seen = new Set<string>();
    redact(configMapDriver, (v) => seen.add(v));
    for (const v of [PW, TOKEN, DEFAULT_PW]) expect(seen).toContain(v);
  });

  it("withholds an undecodable or oversized record and keeps what the labels say", () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)).toString("base64");
    for (const value of ["H4sIgarbage", bomb]) {
      const out = redact({ ...configMapDriver, data: { release: value } });
      expect(out.data).toEqual({
        release: {
          withheld: expect.stringMatching(/could not be decoded/),
          name: "vault-secret",
          revision: "2",
          status: "deployed",
        },
      });
    }
  });
});

describe("redactObject: the release JSON helm prints (status -o json|yaml)", () => {
  it("masks values, redacts the manifest and hooks, drops chart files and masks the notes", () => {
    const out = redact(release());
    expect(leaks(out)).toEqual([]);
    expect(out.config).toEqual({
      apiToken: expect.stringMatching(/^<redacted/),
      auth: { password: expect.stringMatching(/^<redacted/), enabled: true },
    });
    const chart = out.chart as Obj;
    expect(chart.metadata).toEqual({ name: "kmcp-vault", version: "0.3.1", appVersion: "2.4.0" });
    expect(chart.templates).toEqual([{ name: "templates/secret.yaml", data: "<withheld>" }]);
    const docs = parseAllDocuments(out.manifest as string).map((d) => d.toJS() as Obj);
    expect(docs.map((d) => d.kind)).toEqual(["Secret", "Deployment"]);
    expect(Object.keys(docs[0]?.stringData as Obj)).toEqual(["username", "password"]);
    expect((out.hooks as Obj[])[0]?.manifest).toContain("mode: bootstrap");
    expect((out.info as Obj).notes).toBe("Installed. Log in with <redacted> or use the API (<redacted>).");
  });

  it("withholds a manifest that does not parse", () => {
    const out = redact(release({ manifest: `kind: Secret\nstringData: {password: "${PW}"\n  bad: [` }));
    expect(out.manifest).toMatch(/^<withheld: /);
    expect(leaks(out)).toEqual([]);
  });

  it("leaves release lists and history alone", () => {
    const history = [
      { revision: 1, status: "deployed", chart: "kmcp-vault-0.3.1", description: "Install complete" },
    ];
    expect(redactObject(history)).toEqual(history);
  });
});

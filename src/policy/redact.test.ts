import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { redactKubeconfig, redactObject } from "./redact.js";
import { redactText } from "./redact-text.js";
import {
  CANARY_FORMS,
  fixture,
  fixtureObjects,
  leakedCanaries,
  type Obj,
  served,
} from "./testdata/served.js";
import { isCredentialName } from "./vocabulary.js";

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
const redact = (o: unknown, reveal = false) => redactObject(o, { revealSecretValues: reveal }) as Obj;
const meta = (o: Obj) => o.metadata as Obj;
const secret = (type: string, data: Obj): Obj => ({ kind: "Secret", metadata: { name: "s" }, type, data });
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("redactObject: Secrets (R1)", () => {
  it("masks every value of an applied Secret but keeps its keys, labels and other annotations", () => {
    const input = served(fixture("Secret", "db-credentials"));
    (meta(input).annotations as Obj).team = "storefront";
    const before = structuredClone(input);
    const out = redact(input);
    expect(out.data).toEqual({ username: "<redacted: 8 bytes>", password: "<redacted: 33 bytes>" });
    expect(meta(out).annotations).toEqual({ team: "storefront" });
    expect(meta(out).managedFields).toBeUndefined();
    expect(meta(out).labels).toEqual({ app: "web" });
    expect(leakedCanaries(out)).toEqual([]);
    expect(input).toEqual(before);
  });

  it("measures stringData in UTF-8 bytes and leaves masked values as they are", () => {
    const out = redact({ kind: "Secret", stringData: { p: "héllo", q: "<redacted: 3 bytes>" } });
    expect(out.stringData).toEqual({ p: "<redacted: 6 bytes>", q: "<redacted: 3 bytes>" });
    expect(redact(out)).toEqual(out);
  });

  it("hides the dockerconfigjson registry password, its base64 auth and every re-encoding of them", () => {
    const input = fixture("Secret", "registry-pull");
    expect(leakedCanaries(input).length).toBeGreaterThan(1);
    for (const reveal of [false, true]) {
      const out = redact(input, reveal);
      expect(Object.keys(out.data as Obj)).toEqual([".dockerconfigjson"]);
      expect(leakedCanaries(out)).toEqual([]);
    }
  });

  it("never reveals the always-redacted types, even when Secret values may be shown", () => {
    const types = [
      "kubernetes.io/service-account-token",
      "bootstrap.kubernetes.io/token",
      "kubernetes.io/dockerconfigjson",
      "kubernetes.io/dockercfg",
      "kubernetes.io/tls",
      "kubernetes.io/basic-auth",
      "kubernetes.io/ssh-auth",
    ];
    for (const type of types) {
      expect(redact(secret(type, { k: b64("kmcp-canary") }), true).data).toEqual({
        k: "<redacted: 11 bytes>",
      });
    }
  });

  it("shows Opaque values when allowed, still without last-applied or managedFields", () => {
    const out = redact(fixture("Secret", "api-token"), true);
    expect(out.data).toEqual({ token: b64("kmcp-canary-api-token-e6c0") });
    expect(meta(out).annotations).toEqual({});
    expect(meta(out).managedFields).toBeUndefined();
  });

  it("replaces the Helm release payload by a summary, whatever the options", () => {
    const release = secret("helm.sh/release.v1", { release: b64("H4sIAAAA...gzip") });
    for (const reveal of [false, true])
      expect(redact(release, reveal).data).toEqual({
        release: { withheld: expect.stringMatching(/^Helm release record: .*could not be decoded/) },
      });
  });

  it("redacts kindless items of a SecretList, as the API server sends them", () => {
    const items = fixtureObjects("51-secrets.yaml").map((o) => {
      const { kind: _kind, apiVersion: _apiVersion, ...item } = served(o);
      return item;
    });
    const out = redact({ kind: "SecretList", apiVersion: "v1", metadata: {}, items });
    expect(leakedCanaries(items)).not.toEqual([]);
    expect(leakedCanaries(out)).toEqual([]);
    expect((out.items as Obj[]).map((i) => Object.keys(i.data as Obj))).toEqual([
      ["password", "connection"],
      [".dockerconfigjson"],
      ["token"],
    ]);
  });

  it("redacts every fixture inside a mixed List and keeps every Secret key", () => {
    const items = fixtureObjects().map(served);
    const out = redact({ kind: "List", apiVersion: "v1", items });
    expect(leakedCanaries(out)).toEqual([]);
    const keys = (l: Obj[]) =>
      l.filter((o) => o.kind === "Secret").map((o) => Object.keys((o.data ?? {}) as Obj));
    expect(keys(out.items as Obj[])).toEqual(keys(items));
    expect(JSON.stringify(out)).not.toContain(LAST_APPLIED);
  });

  it("redacts the objects carried in a Table's rows, with or without their kind", () => {
    const full = fixture("Secret", "db-admin");
    const { kind: _kind, ...kindless } = fixture("Secret", "api-token");
    const partial = { kind: "PartialObjectMetadata", metadata: meta(fixture("Deployment", "web")) };
    const table = {
      kind: "Table",
      apiVersion: "meta.k8s.io/v1",
      columnDefinitions: [{ name: "Name", type: "string" }],
      rows: [full, kindless, partial].map((object) => ({ cells: ["x"], object })),
    };
    const out = redact(table);
    expect(leakedCanaries(out)).toEqual([]);
    expect(JSON.stringify(out)).not.toContain(LAST_APPLIED);
    expect((out.rows as Obj[])[1]?.object).toMatchObject({ data: { token: "<redacted: 26 bytes>" } });
  });
});

describe("redactObject: workloads and ConfigMaps (R2)", () => {
  const env = (o: Obj, path: string[]) => {
    let cur: unknown = o;
    for (const k of path) cur = (cur as Obj)[k];
    return ((cur as Obj).containers as Obj[])[0]?.env;
  };

  it("masks the literal DB_PASSWORD of Deployment web and keeps the secretKeyRef", () => {
    const out = redact(fixture("Deployment", "web"));
    expect(env(out, ["spec", "template", "spec"])).toEqual([
      { name: "LOG_LEVEL", value: "info" },
      { name: "DB_PASSWORD", value: "<redacted: 29 bytes>" },
      { name: "API_TOKEN", valueFrom: { secretKeyRef: { name: "db-credentials", key: "password" } } },
    ]);
    expect(leakedCanaries(out)).toEqual([]);
  });

  it("finds pod specs in Pods, CronJobs, PodTemplates and CRDs with a pod template", () => {
    const c = () => ({ containers: [{ name: "c", env: [{ name: "API_KEY", value: "k-123" }] }] });
    const inputs: Obj[] = [
      { kind: "Pod", spec: c() },
      { kind: "CronJob", spec: { jobTemplate: { spec: { template: { spec: c() } } } } },
      { kind: "PodTemplate", template: { spec: c() } },
      { kind: "Rollout", apiVersion: "argoproj.io/v1alpha1", spec: { template: { spec: c() } } },
    ];
    for (const input of inputs) expect(JSON.stringify(redact(input))).not.toContain("k-123");
  });

  it("scrubs secret flags in args and command of every container list", () => {
    const pod = {
      kind: "Pod",
      spec: {
        initContainers: [
          { name: "i", command: ["migrate", "--password", "hunter22", "--password-file", "/p"] },
        ],
        containers: [{ name: "c", args: ["--db-password=hunter22", "-token", "abc", "--port=8080"] }],
        ephemeralContainers: [{ name: "e", command: ["sh", "-c", "psql --password hunter22 -h db"] }],
      },
    };
    const spec = redact(pod).spec as Obj;
    const first = (field: string) => (spec[field] as Obj[])[0];
    expect(first("initContainers")?.command).toEqual([
      "migrate",
      "--password",
      "<redacted>",
      "--password-file",
      "/p",
    ]);
    expect(first("containers")?.args).toEqual([
      "--db-password=<redacted>",
      "-token",
      "<redacted>",
      "--port=8080",
    ]);
    expect(first("ephemeralContainers")?.command).toEqual(["sh", "-c", "psql --password <redacted> -h db"]);
  });

  it("masks ConfigMap values under credential-like keys and backstops the others", () => {
    const cm = {
      kind: "ConfigMap",
      data: {
        "smtp.password": "hunter22",
        DSN_URL: "x",
        conn: "postgres://app:hunter22@db:5432/app",
        mode: "fast",
      },
    };
    expect(redact(cm).data).toEqual({
      "smtp.password": "<redacted: 8 bytes>",
      DSN_URL: "<redacted: 1 bytes>",
      conn: "postgres://app:<redacted>@db:5432/app",
      mode: "fast",
    });
    const plain = fixture("ConfigMap", "api-config");
    expect(redact(plain).data).toEqual(plain.data);
  });
});

describe("isCredentialName", () => {
  it("matches credential-like names and leaves ordinary ones", () => {
    for (const n of [
      "DB_PASSWORD",
      "passwd",
      "client_secret",
      "GITHUB_TOKEN",
      "apiKey",
      "AWS_ACCESS_KEY_ID",
    ]) {
      expect(isCredentialName(n), n).toBe(true);
    }
    for (const n of ["private-key", "SESSION_SECRET", "cookie", "DATABASE_URL", "tls.key", "SIGNING_KEY"]) {
      expect(isCredentialName(n), n).toBe(true);
    }
    for (const n of ["LOG_LEVEL", "PORT", "FEATURE_FLAGS", "UPSTREAM_URL", "postgresql.conf", "HOSTNAME"]) {
      expect(isCredentialName(n), n).toBe(false);
    }
  });
});

describe("redactKubeconfig (R3)", () => {
  it("keeps names, server URLs and namespaces and nothing else", () => {
    const config = {
      apiVersion: "v1",
      kind: "Config",
      "current-context": "prod",
      clusters: [
        {
          name: "prod-cluster",
          cluster: { server: "https://10.0.0.1:6443", "certificate-authority-data": b64("CA-kmcp-canary") },
        },
        { name: "proxy", cluster: { server: "https://admin:kmcp-canary-pw@k8s.example:443" } },
      ],
      contexts: [{ name: "prod", context: { cluster: "prod-cluster", user: "admin", namespace: "shop" } }],
      users: [
        {
          name: "admin",
          user: {
            token: "kmcp-canary-token",
            "client-key-data": b64("kmcp-canary-key"),
            "auth-provider": { name: "oidc", config: { "id-token": "kmcp-canary-id", "client-secret": "x" } },
            exec: { command: "aws", args: ["--kmcp-canary"], env: [{ name: "T", value: "kmcp-canary" }] },
          },
        },
      ],
    };
    const out = redactKubeconfig(config);
    expect(out).toEqual({
      currentContext: "prod",
      contexts: [{ name: "prod", cluster: "prod-cluster", user: "admin", namespace: "shop" }],
      clusters: [
        { name: "prod-cluster", server: "https://10.0.0.1:6443" },
        { name: "proxy", server: "https://admin:<redacted>@k8s.example:443" },
      ],
      users: [{ name: "admin" }],
    });
    expect(leakedCanaries(out)).toEqual([]);
    expect(redactKubeconfig("not a config")).toEqual({ contexts: [], clusters: [], users: [] });
  });
});

describe("redactObject output stays stable under the text backstop", () => {
  it("leaves the rendered YAML of every redacted fixture unchanged", () => {
    for (const o of fixtureObjects()) {
      const yaml = stringify(redact(served(o)));
      expect(redactText(yaml), `${o.kind}/${(o.metadata as Obj).name}`).toBe(yaml);
    }
    expect(CANARY_FORMS).toHaveLength(4);
  });
});

// CLI outputs come back from redactOutput fully redacted, whatever their kind, so the model's filter
// (applied afterwards) can only cut redacted text. Samples are real kubectl and helm output from the
// test bed, with planted values (canary-…) that must not survive.
import { describe, expect, it } from "vitest";
import { applyFilters } from "./filter.js";
import { HELM } from "./helm.js";
import { KUBECTL } from "./kubectl.js";
import {
  helmKind,
  kubectlKind,
  redactDescribe,
  redactFailedOutput,
  redactOutput,
  redactTables,
  Withheld,
} from "./output.js";
import { parsePipeline } from "./pipeline.js";
import { validate } from "./validate.js";

const R = "<redacted>";
const kind = (binary: "kubectl" | "helm", argv: string[]) =>
  (binary === "kubectl" ? kubectlKind : helmKind)(
    validate(argv, binary === "kubectl" ? KUBECTL : HELM, "read-only"),
  );
const noCanary = (out: string) => expect(out).not.toMatch(/canary/);

const describePod = `Name:             api-7fb467b89d-z8h5c
Namespace:        vocab
Service Account:  default
Containers:
  api:
    Image:         registry.example/api:1
    Args:
      --db-pw
      canary-arg-space
      --api-key=canary-arg-eq
      --port=80
    Environment:
      DB_PWD:     canary-env-dbpwd
      ADMIN_PW:   canary-env-adminpw
      dbPass:     canary-env-dbpass
      LOG_LEVEL:  info
      REF_TOKEN:  <set to the key 'password' in secret 's'>  Optional: false
      POD_NAME:   api-7fb467b89d-z8h5c (v1:metadata.name)
    Mounts:
      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-bm92p (ro)
Volumes:
  kube-api-access-bm92p:
    Type:                    Projected (a volume that contains injected data from multiple sources)
    TokenExpirationSeconds:  3607
Events:
  Type    Reason     Age   From               Message
  ----    ------     ----  ----               -------
  Normal  Scheduled  3s    default-scheduler  Successfully assigned vocab/api-7fb467b89d-z8h5c to kwok-node-2
`;

const rolloutRevision = `deployment.apps/api with revision #1
Pod Template:
  Labels:\tapp=api
\tpod-template-hash=7fb467b89d
  Containers:
   api:
    Image:\tregistry.example/api:1
    Args:
      --db-pw
      canary-arg-space
    Environment:
      DB_PWD:\tcanary-env-dbpwd
      LOG_LEVEL:\tinfo
      REF_TOKEN:\t<set to the key 'password' in secret 's'>\tOptional: false
    Mounts:\t<none>
`;

const describeConfigMap = `Name:         app-config
Namespace:    vocab
Labels:       <none>
Annotations:  <none>

Data
====
DB_PWD:
----
canary-cm-dbpwd

LOG_LEVEL:
----
info

app.properties:
----
db.host=db
db.password=canary-cm-props


masterKey:
----
canary-cm-masterkey-line1

canary-cm-masterkey-line3



BinaryData
====

Events:  <none>
`;

const describeSecret = `Name:         s
Namespace:    vocab
Labels:       <none>
Annotations:  <none>

Type:  Opaque

Data
====
password:  13 bytes
tls.key:   1704 bytes
`;

// kubectl describe renders a CRD's camelCase fields as words.
const describeCustom = `Name:         main
Namespace:    vocab
API Version:  demo.example/v1
Kind:         Database
Spec:
  Master Key:  canary-crd-masterkey
  Credentials:  canary-crd-credentials
  Users:
    Name:   DB_PWD
    Value:  canary-crd-pair
    Name:   LOG_LEVEL
    Value:  debug
  Secret Name:  db-admin
Events:  <none>
`;

describe("kubectlKind and helmKind", () => {
  it.each([
    [["describe", "pod", "web"], "describe"],
    [["rollout", "history", "deployment/api", "--revision", "2"], "describe"],
    [["rollout", "history", "deployment/api", "--revision=2"], "describe"],
    [["rollout", "history", "deployment/api"], "text"],
    [["rollout", "history", "deployment/api", "--revision", "2", "-o", "yaml"], "yaml"],
    [["get", "pods"], "text"],
    [["logs", "web"], "text"],
    [["get", "pods", "-o", "json"], "json"],
  ])("kubectl %j is %s", (argv, expected) => expect(kind("kubectl", argv)).toBe(expected));

  it.each([
    [["list"], "text"],
    [["get", "values", "web"], "helm-values"],
    [["get", "manifest", "web"], "yaml"],
    [["status", "web", "--show-resources"], "helm-status"],
    [["status", "web", "-o", "json"], "json"],
  ])("helm %j is %s", (argv, expected) => expect(kind("helm", argv)).toBe(expected));
});

describe("redactOutput of describe text", () => {
  it("masks env literals, flag values on their own line and keeps references (describe pod)", () => {
    const out = redactOutput(describePod, "describe", { reveal: false });
    noCanary(out);
    for (const line of [
      "      --db-pw",
      `      ${R}`,
      `      --api-key=${R}`,
      "      --port=80",
      `      DB_PWD:     ${R}`,
      `      ADMIN_PW:   ${R}`,
      `      dbPass:     ${R}`,
      "      LOG_LEVEL:  info",
      "      REF_TOKEN:  <set to the key 'password' in secret 's'>  Optional: false",
      "      POD_NAME:   api-7fb467b89d-z8h5c (v1:metadata.name)",
      "    TokenExpirationSeconds:  3607",
    ])
      expect(out.split("\n")).toContain(line);
    expect(redactOutput(out, "describe", { reveal: false })).toBe(out);
  });

  it("masks the pod template of rollout history --revision (tab-separated)", () => {
    const out = redactOutput(rolloutRevision, "describe", { reveal: false });
    noCanary(out);
    expect(out).toContain(`DB_PWD:\t${R}\n      LOG_LEVEL:\tinfo`);
    expect(out).toContain("REF_TOKEN:\t<set to the key 'password' in secret 's'>\tOptional: false");
  });

  it("masks ConfigMap data blocks under credential keys, blank lines inside included", () => {
    const out = redactOutput(describeConfigMap, "describe", { reveal: false });
    noCanary(out);
    expect(out).toContain(`DB_PWD:\n----\n${R}\n\nLOG_LEVEL:\n----\ninfo\n`);
    expect(out).toContain(`app.properties:\n----\ndb.host=db\ndb.password=${R}\n`);
    expect(out).toContain(`masterKey:\n----\n${R}\n\n${R}\n`);
    expect(out).toContain("BinaryData\n====\n\nEvents:  <none>");
  });

  it("keeps Secret describe (sizes only) as it is", () => {
    expect(redactOutput(describeSecret, "describe", { reveal: false })).toBe(describeSecret);
  });

  it("masks CRD fields shown as words, and Name/Value pairs", () => {
    const out = redactOutput(describeCustom, "describe", { reveal: false });
    noCanary(out);
    expect(out).toContain(`  Master Key:  ${R}\n  Credentials:  ${R}\n`);
    expect(out).toContain(`    Name:   DB_PWD\n    Value:  ${R}\n    Name:   LOG_LEVEL\n    Value:  debug\n`);
    expect(out).toContain("  Secret Name:  db-admin");
  });

  it("is idempotent", () => {
    for (const t of [describePod, rolloutRevision, describeConfigMap, describeCustom]) {
      const once = redactDescribe(t);
      expect(redactDescribe(once)).toBe(once);
    }
  });
});

describe("redactOutput of describe Environment blocks", () => {
  const d = (t: string) => redactOutput(t, "describe", { reveal: false });
  const describePod = [
    "Containers:",
    "  web:",
    "    Image:          registry.example/shop/web:1.4.2",
    "    Environment:",
    "      LOG_LEVEL:    info",
    "      DB_PASSWORD:  kmcp-canary-env-password-5d1e",
    "      API_TOKEN:    <set to the key 'password' in secret 'db-credentials'>  Optional: false",
    "    Mounts:",
    "      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-7xkq2 (ro)",
    "Session Affinity:  None",
  ].join("\n");

  it("masks credential-named lines of Environment blocks only", () => {
    const out = d(describePod);
    expect(out).toBe(describePod.replace("kmcp-canary-env-password-5d1e", "<redacted>"));
    expect(d(out)).toBe(out);
  });

  it("keeps references to Secret keys on a single line", () => {
    const line = "      API_KEY:  <set to the key 'k' in secret 's'>  Optional: false";
    expect(d(line)).toBe(line);
    expect(d("  API_KEY:  abc")).toBe("  API_KEY:  <redacted>");
  });
});

describe("redactOutput of tables", () => {
  const crdTable = `NAME    ENGINE     PASSWORD             DB USER   AGE
main    postgres   canary-col-pw        app       5m
spare   mysql      <none>               app       2m

NAME                       READY   STATUS    RESTARTS   AGE
pod/api-7fb467b89d-z8h5c   1/1     Running   0          4s
`;

  it("masks cells under a credential-named column and nothing else", () => {
    const out = redactOutput(crdTable, "text", { reveal: false });
    noCanary(out);
    expect(out.split("\n").slice(0, 3)).toEqual([
      "NAME    ENGINE     PASSWORD             DB USER   AGE",
      `main    postgres   ${R}           app       5m`,
      "spare   mysql      <none>               app       2m",
    ]);
    expect(out.split("\n").slice(3)).toEqual(crdTable.split("\n").slice(3));
  });

  it("reads helm's tab-separated tables", () => {
    const helm =
      "NAME        \tNAMESPACE\tREVISION\tAPI TOKEN         \tSTATUS  \n" +
      "vault-secret\tvault    \t1       \tcanary-helm-col   \tdeployed\n";
    const out = redactTables(helm);
    noCanary(out);
    expect(out.split("\n")[1]).toBe(`vault-secret\tvault    \t1       \t${R.padEnd(18)}\tdeployed`);
  });

  it("keeps tables without credential columns, and counts under plural columns", () => {
    const t = [
      "REVISION\tUPDATED                 \tSTATUS  \tCHART           \tAPP VERSION\tDESCRIPTION     ",
      "1       \tThu Dec  3 12:57:31 2026\tdeployed\tkmcp-vault-0.3.1\t2.4.0      \tInstall complete",
      "",
      "NAME      SECRETS   AGE",
      "default   1         35s",
    ].join("\n");
    expect(redactOutput(t, "text", { reveal: false })).toBe(t);
  });
});

describe("redactOutput of other text", () => {
  it("masks logs and notes before a filter can strip the key", async () => {
    const logs = [
      "2026-01-01T00:00:00Z starting",
      "2026-01-01T00:00:01Z pwd=canary-log-pwd user=app",
      '2026-01-01T00:00:02Z {"pass":"canary-log-pass","user":"app"}',
      "2026-01-01T00:00:03Z connecting with DB_PWD=canary-log-env",
    ].join("\n");
    const out = redactOutput(logs, "text", { reveal: false });
    noCanary(out);
    for (const f of ["grep -i pwd | cut -d= -f2", "grep pass | cut -d'\"' -f4", "cut -d= -f2-"])
      noCanary(await applyFilters(out, parsePipeline(f)));
    const notes = "NOTES:\nLog in as admin.\nToken for the API: token=canary-notes-token\n";
    noCanary(redactOutput(notes, "text", { reveal: false }));
  });

  it("masks credential leaves of parsed output, CRD fields included, and keeps JSON valid", () => {
    const crd = {
      apiVersion: "demo.example/v1",
      kind: "Database",
      metadata: { name: "main", annotations: { note: "pwd=canary-annotation" } },
      spec: {
        masterKey: "canary-json-masterkey",
        credentials: "canary-json-credentials",
        port: 5432,
        pin: 1234,
        dbPassword: 987654,
        existingSecret: "db-admin",
        auth: { enabled: true, secretName: "db-auth" },
        users: [
          { name: "ADMIN_PW", value: "canary-json-pair" },
          { name: "MODE", value: "fast" },
        ],
        args: ["--db-pw", "canary-json-arg", "--port", "80"],
      },
    };
    const json = redactOutput(JSON.stringify(crd), "json", { reveal: false });
    noCanary(json);
    const back = JSON.parse(json);
    const masked = expect.stringMatching(/^<redacted/);
    expect(back.spec).toMatchObject({
      masterKey: masked,
      credentials: masked,
      dbPassword: masked,
      port: 5432,
      existingSecret: "db-admin",
      auth: { enabled: true },
      users: [
        { name: "ADMIN_PW", value: masked },
        { name: "MODE", value: "fast" },
      ],
    });
    expect(back.spec.args).toEqual(["--db-pw", R, "--port", "80"]);
    expect(back.metadata.annotations.note).toBe(`pwd=${R}`);
    noCanary(redactOutput(JSON.stringify(crd), "yaml", { reveal: false }));
    noCanary(
      redactOutput(JSON.stringify(crd), "jsonpath", {
        reveal: false,
        template: "{.spec.masterKey} {.spec.users[0].value}",
      }),
    );
  });

  it("masks help text of nothing but keeps it readable", () => {
    const help =
      "      --token='': Bearer token for authentication to the API server\n      --password string  x\n";
    expect(redactOutput(help, "text", { reveal: false })).toBe(help);
  });
});

describe("copies of masked values", () => {
  const value = "kmcp-canary-copy-9f2e";
  it("are masked wherever else describe prints them (an annotation, another ConfigMap key)", () => {
    const text = `Name:         cfg
Annotations:  copied: ${value}

Data
====
DB_PWD:
----
${value}
notes:
----
${value}

BinaryData
====
`;
    const out = redactOutput(text, "describe", { reveal: false });
    expect(out).not.toContain(value);
    expect(out).toContain("copied: <redacted>");
    expect(out).toContain("notes:");
  });

  it("are masked in structured output before a filter could reshape them", () => {
    const cm = { kind: "ConfigMap", metadata: { annotations: { note: value } }, data: { DB_PWD: value } };
    const seen: string[] = [];
    const out = redactOutput(JSON.stringify(cm), "json", { reveal: false, collect: (v) => seen.push(v) });
    expect(out).not.toContain(value);
    expect(seen).toContain(value);
  });

  it("are masked in text after a key=value pair gave them away", () => {
    const out = redactOutput(`login pwd=${value}\nretrying with ${value}\n`, "text", { reveal: false });
    expect(out).not.toContain(value);
  });
});

describe("output cut by the byte cap", () => {
  it("is withheld when structured: a cut YAML list parses, and may end before an item's kind", () => {
    const cut = "apiVersion: v1\nitems:\n- apiVersion: v1\n  data:\n    token: a21jcC1jYW5hcnktY3V0";
    for (const kind of ["yaml", "json", "jsonpath", "helm-values"] as const)
      expect(() => redactOutput(cut, kind, { reveal: false, truncated: true, template: "{.items}" })).toThrow(
        Withheld,
      );
    expect(redactOutput("NAME   AGE\nweb   1d", "text", { reveal: false, truncated: true })).toContain("web");
  });
});

describe("output of a command that failed without a message", () => {
  it("is redacted like its output, or withheld when it cannot be", () => {
    expect(redactFailedOutput("no\n", "text", { reveal: false })).toBe("no\n");
    const partial = '{"kind":"List","items":[{"kind":"Secret","data":{"password":"a21jcC1jYW5hcnk';
    expect(redactFailedOutput(partial, "json", { reveal: false })).toMatch(/could not be redacted/);
  });
});

describe("helm status --show-resources", () => {
  it("drops the NOTES, which may print a value in prose, and keeps the resources", () => {
    const text = `NAME: vault\nSTATUS: deployed\nRESOURCES:\n==> v1/Secret\nNAME   TYPE     DATA   AGE\nauth   Opaque   3      1d\n\nNOTES:\nYour admin password is kmcp-canary-prose-1f00\nEnjoy.\n`;
    const out = redactOutput(text, "helm-status", { reveal: false });
    expect(out).not.toContain("kmcp-canary");
    expect(out).toContain("==> v1/Secret");
    expect(out).toContain("helm get notes");
  });
});

describe("kubectl annotate --list (refused by the grammar)", () => {
  it("redacts the last-applied annotation structurally and keeps the other entries", () => {
    const applied = JSON.stringify({
      apiVersion: "apps/v1",
      kind: "Deployment",
      spec: {
        template: {
          spec: { containers: [{ name: "a", env: [{ name: "DB_PASSWORD", value: "kmcp-canary-la-1" }] }] },
        },
      },
    });
    const text = `deployment.kubernetes.io/revision=1\nkubectl.kubernetes.io/last-applied-configuration=${applied}\nnote=two\nlines\n`;
    // The grammar refuses --list; should it come back, its output is still redacted.
    const list = { path: ["annotate"], flags: [{ name: "list", value: "true" }], positionals: [], rest: [] };
    expect(kubectlKind(list)).toBe("annotations");
    const out = redactOutput(text, "annotations", { reveal: false });
    expect(out).not.toContain("kmcp-canary");
    expect(out).toContain("deployment.kubernetes.io/revision=1");
    expect(out).toContain("note=two\nlines");
  });
});

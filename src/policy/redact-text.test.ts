// The R6 regex backstop: one realistic sample per family, text that must come back untouched, and
// adversarial megabytes that would take minutes with a backtracking-prone pattern.
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { redactText } from "./redact-text.js";
import { cpuMs } from "./testdata/cpu.js";
import { fixture } from "./testdata/served.js";

const R = "<redacted>";
const alnum = (n: number) => "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z".repeat(Math.ceil(n / 32)).slice(0, n);
const jwt =
  "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50In0.dGhpc2lzbm90YXJlYWxzaWduYXR1cmU";
const pem = (label: string, nl = "\n") =>
  `-----BEGIN ${label}-----${nl}MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn${nl}kmcp+canary/KEYbytes==${nl}-----END ${label}-----`;

const families: [string, string, string][] = [
  ["JWT", `token issued: ${jwt} for sa/default`, `token issued: ${R} for sa/default`],
  [
    "Authorization header",
    "Authorization: Bearer abc123def456ghi\nAccept: */*",
    `Authorization: Bearer ${R}\nAccept: */*`,
  ],
  ["Proxy-Authorization", "Proxy-Authorization: Basic dXNlcjpwYXNz", `Proxy-Authorization: Basic ${R}`],
  ["Authorization in JSON", '{"Authorization":"Bearer abc123def456"}', `{"Authorization":"Bearer ${R}"}`],
  ["Authorization without scheme", "authorization=0123456789abcdef&x=1", `authorization=${R}&x=1`],
  ["bearer token", "retrying with bearer sk3jd9fj39dj39dj", `retrying with bearer ${R}`],
  [
    "bootstrap token",
    "bootstrap token abcdef.0123456789abcdef expires in 24h",
    `bootstrap token ${R} expires in 24h`,
  ],
  [
    "RSA key",
    `key:\n${pem("RSA PRIVATE KEY")}\ndone`,
    `key:\n-----BEGIN RSA PRIVATE KEY-----${R}-----END RSA PRIVATE KEY-----\ndone`,
  ],
  [
    "OpenSSH key",
    pem("OPENSSH PRIVATE KEY"),
    `-----BEGIN OPENSSH PRIVATE KEY-----${R}-----END OPENSSH PRIVATE KEY-----`,
  ],
  [
    "PGP key",
    pem("PGP PRIVATE KEY BLOCK"),
    `-----BEGIN PGP PRIVATE KEY BLOCK-----${R}-----END PGP PRIVATE KEY BLOCK-----`,
  ],
  [
    "key in escaped JSON",
    `{"k":"${pem("PRIVATE KEY", "\\n")}"}`,
    `{"k":"-----BEGIN PRIVATE KEY-----${R}-----END PRIVATE KEY-----"}`,
  ],
  [
    "unterminated key",
    "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIIrYSSNQFaA\n(truncated)",
    `-----BEGIN EC PRIVATE KEY-----${R}`,
  ],
  ["AWS key id", "using AKIAIOSFODNN7EXAMPLE in us-east-1", `using ${R} in us-east-1`],
  [
    "AWS secret",
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    `aws_secret_access_key = ${R}`,
  ],
  ["GitHub token", `GITHUB_TOKEN is ghp_${alnum(36)}.`, `GITHUB_TOKEN is ${R}.`],
  ["GitHub PAT", `pat github_pat_11ABCDEFG0_${alnum(59)}`, `pat ${R}`],
  ["GitLab token", `clone with glpat-${alnum(20)}`, `clone with ${R}`],
  ["Slack token", "hook xoxb-123456789012-1234567890123-AbCdEfGhIjKl", `hook ${R}`],
  ["Google key", `maps key AIza${alnum(35)} loaded`, `maps key ${R} loaded`],
  [
    "Azure connection string",
    `DefaultEndpointsProtocol=https;AccountName=shop;AccountKey=${alnum(86)}==;EndpointSuffix=core.windows.net`,
    `DefaultEndpointsProtocol=https;AccountName=shop;AccountKey=${R};EndpointSuffix=core.windows.net`,
  ],
  [
    "Azure SAS",
    "Endpoint=sb://x/;SharedAccessSignature=sv=2022-11-02&sig=abc%2F;x=1",
    `Endpoint=sb://x/;SharedAccessSignature=${R};x=1`,
  ],
  ["OpenAI key", `OPENAI=sk-proj-${alnum(40)}`, `OPENAI=${R}`],
  ["Anthropic key", `key sk-ant-api03-${alnum(40)} ok`, `key ${R} ok`],
  [
    "DSN",
    "connecting to postgres://admin:kmcp-canary-dsn-password-0a9d@db.data.svc:5432/app",
    `connecting to postgres://admin:${R}@db.data.svc:5432/app`,
  ],
  ["DSN without user", "redis://:s3cret@cache:6379/0", `redis://:${R}@cache:6379/0`],
  [
    "docker auth",
    '{"auths":{"registry.example":{"username":"robot","auth":"cm9ib3Q6a21jcC1jYW5hcnk="}}}',
    `{"auths":{"registry.example":{"username":"robot","auth":"${R}"}}}`,
  ],
  ["password=", "login failed for password=hunter22 user=bob", `login failed for password=${R} user=bob`],
  ["YAML password", "  DB_PASSWORD: s3cr3t-value\n  port: 5432", `  DB_PASSWORD: ${R}\n  port: 5432`],
  ["JSON client secret", '{"client_secret": "abcd1234", "id": 7}', `{"client_secret": "${R}", "id": 7}`],
  ["escaped JSON password", '{\\"password\\":\\"hunter22\\"}', `{\\"password\\":\\"${R}\\"}`],
  ["api-key", "api-key: 12345678", `api-key: ${R}`],
  ["flag with space", "exec: psql --password hunter22 -h db", `exec: psql --password ${R} -h db`],
  [
    "Helm release (gzip in base64, twice)",
    `release: SDRzSUFBQUFBQUFBLyR${alnum(80)}==\nname: web`,
    "release: <redacted: compressed data>\nname: web",
  ],
  ["gzip in base64", `data: H4sIAAAAAAAA${alnum(60)}`, "data: <redacted: compressed data>"],
  ["prefixed flag", "args: --db-password=hunter22 --port=1", `args: --db-password=${R} --port=1`],
];

// Key/value pairs whose key the vocabulary calls a credential, in the spellings logs and configs use.
const pairs: [string, string, string][] = [
  ["logfmt pwd=", "level=info pwd=kmcp-1 user=bob", `level=info pwd=${R} user=bob`],
  ["YAML pw:", "  pw: kmcp-2\n  port: 5432", `  pw: ${R}\n  port: 5432`],
  ["YAML value with spaces", "password: correct horse battery", `password: ${R}`],
  ["YAML quoted value", "masterKey: 'kmcp 3'", `masterKey: '${R}'`],
  ["YAML camelCase key", "  masterKey: kmcp-4\n  replicas: 3", `  masterKey: ${R}\n  replicas: 3`],
  ["YAML list item", "- adminpass: kmcp-5", `- adminpass: ${R}`],
  ["compact JSON", '{"pass":"kmcp-6","user":"bob"}', `{"pass":"${R}","user":"bob"}`],
  ["spaced JSON", '{"password": "kmcp-7", "n": 1}', `{"password": "${R}", "n": 1}`],
  ["JSON number", '{"pin": 1, "dbPassword": 123456, "x": 2}', `{"pin": 1, "dbPassword": ${R}, "x": 2}`],
  ["JSON quote inside", '{"token":"ab\\"cd","x":1}', `{"token":"${R}","x":1}`],
  ["escaped JSON", '"{\\"pass\\":\\"kmcp-8\\",\\"u\\":1}"', `"{\\"pass\\":\\"${R}\\",\\"u\\":1}"`],
  [
    "doubly escaped JSON",
    '{\\\\\\"apiKey\\\\\\":\\\\\\"kmcp-9\\\\\\"}',
    `{\\\\\\"apiKey\\\\\\":\\\\\\"${R}\\\\\\"}`,
  ],
  [
    "JSON log with newline escapes",
    '{"msg":"cfg\\npwd=kmcp-10\\nport=1"}',
    `{"msg":"cfg\\npwd=${R}\\nport=1"}`,
  ],
  [
    "JSON log with YAML inside",
    '{"msg":"a:\\n  pw: kmcp-11\\n  x: 1"}',
    `{"msg":"a:\\n  pw: ${R}\\n  x: 1"}`,
  ],
  ["Python dict", "{'password': 'kmcp-12', 'user': 'x'}", `{'password': '${R}', 'user': 'x'}`],
  ["flag =", "args: --db-pw=kmcp-13 --port=1", `args: --db-pw=${R} --port=1`],
  ["flag space", "run --db-pw kmcp-14 --port 1", `run --db-pw ${R} --port 1`],
  ["header", "X-Api-Key: kmcp-15\nAccept: */*", `X-Api-Key: ${R}\nAccept: */*`],
  ["header in curl", "curl -H 'X-Api-Key: kmcp-16' http://x", `curl -H 'X-Api-Key: ${R}' http://x`],
  ["query string", "GET /cb?token=kmcp-17&state=ok HTTP/1.1", `GET /cb?token=${R}&state=ok HTTP/1.1`],
  ["export", "export DB_PWD=kmcp-18; export PORT=1", `export DB_PWD=${R}; export PORT=1`],
  ["export quoted", 'export ADMIN_PW="kmcp 19"', `export ADMIN_PW="${R}"`],
  ["ADO connection string", "Server=db;User Id=sa;Password=kmcp-20;", `Server=db;User Id=sa;Password=${R};`],
  [
    "properties",
    "spring.datasource.password=kmcp-21\nserver.port=80",
    `spring.datasource.password=${R}\nserver.port=80`,
  ],
  ["ini with spaces", "secret_key = kmcp-22", `secret_key = ${R}`],
  ["Go :=", "dsn := kmcp-23", `dsn := ${R}`],
  ["Go struct", "{User:bob Password:kmcp-24 Port:1}", `{User:bob Password:${R} Port:1}`],
  [
    "from-literal",
    "create secret generic x --from-literal=password=kmcp-25",
    `create secret generic x --from-literal=password=${R}`,
  ],
  ["credentials key", "credentials: kmcp-26", `credentials: ${R}`],
  ["session cookie", "session_cookie=kmcp-27; Path=/", `session_cookie=${R}; Path=/`],
  [
    "block scalar",
    "config:\n  privateKey: |\n    kmcp-28-line-1\n    kmcp-28-line-2\n  port: 1\n",
    `config:\n  privateKey: |\n    ${R}\n  port: 1\n`,
  ],
  ["block scalar at the end", "tls.key: >-\n  kmcp-29\n", `tls.key: >-\n  ${R}\n`],
];

// Values that are references, switches or prose keep readable.
const notSecrets = [
  "the password is stored in vault",
  "password authentication failed for user postgres",
  "API_TOKEN:  <set to the key 'token' in secret 'api'>  Optional: false",
  "password:  16 bytes",
  "token: null\npassword: ''\nauth: true\nsecret: false",
  "secretKeyRef:\n  name: db\n  key: password",
  '{"secretKeyRef":{"name":"db","key":"password"}}',
  "existingSecret: db-admin\nsecretName: tls",
  `password: \${DB_PASSWORD}\ntoken: $(TOKEN)`,
  "DB_PASSWORD:  (v1:metadata.name)",
  "      --token string   Bearer token for authentication to the API server",
  "--password --user bob",
  "monkey=1 keyboard=us bypass=true compass: north",
  "KEY_COUNT=3 tokenizer_model=bpe topologyKey: kubernetes.io/hostname",
  "password: |\nport: 1",
];

describe("redactText", () => {
  it.each(families)("masks %s", (_family, input, expected) => {
    expect(redactText(input)).toBe(expected);
    expect(redactText(expected)).toBe(expected);
  });

  it.each(pairs)("masks the value of a credential key: %s", (_spelling, input, expected) => {
    expect(redactText(input)).toBe(expected);
    expect(redactText(expected)).toBe(expected);
  });

  it.each(notSecrets)("keeps %j", (text) => expect(redactText(text)).toBe(text));

  it("leaves text without secrets unchanged", () => {
    const clean = [
      '2026-05-01T10:00:00Z INFO http: GET /api/v1/products 200 12ms user_agent="curl/8.4.0"',
      'I0501 10:00:00.123456       1 controller.go:123] "Successfully synced" key="shop/web"',
      "Warning  FailedScheduling  3m  default-scheduler  0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.",
      "connecting to postgres://db.data.svc:5432/app?sslmode=disable",
      "http://example.com:8080/login?next=/home&email=a@b.example",
      "token bucket refilled: capacity=100; the bearer token is missing",
      "Using basic authentication for registry.example; refresh-token rotation enabled",
      "automountServiceAccountToken: false\nsecretName: tls-web\nkey: password\ntoken: null\nexistingSecret: db-admin",
      "disk-pressure-eviction-handler started; task-runner-controller-manager ready",
      "password: <redacted: 5 bytes>\ntoken: '<redacted: 26 bytes>'",
      "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
      "Readiness probe failed: HTTP probe failed with statuscode: 503",
    ];
    for (const text of clean) expect(redactText(text)).toBe(text);
    const yaml = stringify(fixture("Deployment", "api"));
    expect(redactText(yaml)).toBe(yaml);
  });

  it("finds secrets sprinkled through 2 MB of logs", () => {
    const lines: string[] = [];
    for (let i = 0; lines.join("\n").length < 2_000_000; i++) {
      const batch = Array.from(
        { length: 1000 },
        (_, j) => `2026-05-01T10:00:${j % 60}Z INFO request ${i}-${j} ok`,
      );
      batch[500] = `2026-05-01T10:00:00Z WARN retry with password=kmcp-canary-${i} and ${jwt}`;
      lines.push(...batch);
    }
    const out = redactText(lines.join("\n"));
    expect(out).not.toContain("kmcp-canary");
    expect(out).not.toContain("eyJ");
    expect(out.split("\n")).toHaveLength(lines.length);
  });

  // Each input would send a naive version of some rule into quadratic backtracking. The bound is 30 s
  // of CPU for all of them (the test's timeout, before the machine's load could fail it); the timings
  // are printed for the record.
  it("stays linear on 2 MB adversarial inputs", () => {
    const mb2 = (unit: string) => unit.repeat(Math.ceil(2_000_000 / unit.length));
    const cases: [string, (out: string) => void][] = [
      [mb2("eyJ"), (out) => expect(out).toHaveLength(2_000_001)],
      [mb2("a"), (out) => expect(out).toBe(mb2("a"))],
      [mb2("a://b:"), (out) => expect(out).toBe(mb2("a://b:"))],
      [
        mb2("-----BEGIN RSA PRIVATE KEY-----"),
        (out) => expect(out).toBe(`-----BEGIN RSA PRIVATE KEY-----${R}`),
      ],
      [`password${mb2(" ")}x`, (out) => expect(out).toContain("password")],
      [mb2("authorization "), (out) => expect(out).toBe(mb2("authorization "))],
      [`--${mb2("a-")}`, (out) => expect(out).toHaveLength(2_000_002)],
      [`"auth":"${mb2("A")}`, (out) => expect(out).toBe(`"auth":"${R}`)],
      [mb2("a: "), (out) => expect(out).toBe(mb2("a: "))],
      [mb2("pw=x "), (out) => expect(out).toBe(mb2("pw=x ").replaceAll("=x", `=${R}`))],
      [mb2('"pass":"x'), (out) => expect(out).not.toMatch(/:"x/)],
      [`pwd: ${mb2("a ")}`, (out) => expect(out).toBe(`pwd: ${R} `)],
      [mb2("password: |\n"), (out) => expect(out).toBe(mb2("password: |\n"))],
      [`password: |\n${mb2("  x\n")}`, (out) => expect(out).toBe(`password: |\n  ${R}\n`)],
      [mb2("--db-pw x "), (out) => expect(out).not.toContain(" x ")],
      [mb2("\\n"), (out) => expect(out).toBe(mb2("\\n"))],
      [mb2(`${"a".repeat(63)}:`), (out) => expect(out).toBe(mb2(`${"a".repeat(63)}:`))],
      [`Bearer ${mb2("a")}`, (out) => expect(out).toHaveLength(2_000_007)],
      [mb2("sk-"), (out) => expect(out).toBe(mb2("sk-"))],
      [mb2("abcdef."), (out) => expect(out).toBe(mb2("abcdef."))],
    ];
    const timings: string[] = [];
    const began = cpuMs();
    for (const [input, check] of cases) {
      const start = cpuMs();
      check(redactText(input));
      timings.push(`${JSON.stringify(input.slice(0, 12))}…: ${Math.round(cpuMs() - start)} ms`);
    }
    console.info(`redactText on 2 MB (CPU): ${timings.join(", ")}`);
    expect(cpuMs() - began).toBeLessThan(30_000);
  });
});

describe("redactText and copies", () => {
  it("masks a value wherever else it stands in the same text once its key gave it away", () => {
    const v = "kmcp-canary-copy-77aa";
    const out = redactText(`retrying login password=${v} after ${v} was refused`);
    expect(out).toBe("retrying login password=<redacted> after <redacted> was refused");
  });
  it("leaves short values' other occurrences alone (they would mask ordinary words)", () => {
    expect(redactText("pwd=admin then admin logged in")).toBe("pwd=<redacted> then admin logged in");
  });
});

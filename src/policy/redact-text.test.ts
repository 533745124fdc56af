// The R6 regex backstop: one realistic sample per family, text that must come back untouched, and
// adversarial megabytes that would take minutes with a backtracking-prone pattern.
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { redactText } from "./redact-text.js";
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
  ["prefixed flag", "args: --db-password=hunter22 --port=1", `args: --db-password=${R} --port=1`],
];

describe("redactText", () => {
  it.each(families)("masks %s", (_family, input, expected) => {
    expect(redactText(input)).toBe(expected);
    expect(redactText(expected)).toBe(expected);
  });

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

  // Each input would send a naive version of some rule into quadratic backtracking. The test timeout
  // is the bound; the timings are printed for the record.
  it("stays linear on 2 MB adversarial inputs", { timeout: 30_000 }, () => {
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
      [`"auth":"${mb2("A")}`, (out) => expect(out).toHaveLength(2_000_008)],
      [`Bearer ${mb2("a")}`, (out) => expect(out).toHaveLength(2_000_007)],
      [mb2("sk-"), (out) => expect(out).toBe(mb2("sk-"))],
      [mb2("abcdef."), (out) => expect(out).toBe(mb2("abcdef."))],
    ];
    const timings: string[] = [];
    for (const [input, check] of cases) {
      const start = performance.now();
      check(redactText(input));
      timings.push(`${JSON.stringify(input.slice(0, 12))}…: ${Math.round(performance.now() - start)} ms`);
    }
    console.info(`redactText on 2 MB: ${timings.join(", ")}`);
  });
});

import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Credentials } from "./credentials.js";
import type { AuthSpec, ClusterSpec, ExecConfig } from "./types.js";

const root = mkdtempSync(join(tmpdir(), "kube-mcp-creds-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const tmp = () => mkdtempSync(join(root, "t-"));
const V1 = "client.authentication.k8s.io/v1";

const spec = (auth: AuthSpec, extra: Partial<ClusterSpec> = {}): ClusterSpec => ({
  name: "prod",
  source: "kubeconfig",
  origin: "/cfg",
  server: "https://prod.example:6443",
  namespace: "default",
  tls: { insecure: false },
  auth,
  ...extra,
});

/**
 * A real exec plugin (a Node script run by this Node binary) whose behaviour is read from a file the
 * test rewrites; every run is counted, and the KUBERNETES_EXEC_INFO it saw is saved.
 */
function plugin(behaviour: object, exec: Partial<ExecConfig> = {}) {
  const dir = tmp();
  const files = {
    count: join(dir, "count"),
    info: join(dir, "info"),
    behaviour: join(dir, "behaviour.json"),
  };
  const script = join(dir, "plugin.cjs");
  writeFileSync(
    script,
    `const fs = require("node:fs");
fs.appendFileSync(process.env.PLUGIN_COUNT, "x");
fs.writeFileSync(process.env.PLUGIN_INFO, JSON.stringify({ info: process.env.KUBERNETES_EXEC_INFO, inherited: process.env.FROM_PARENT }));
const b = JSON.parse(fs.readFileSync(process.env.PLUGIN_BEHAVIOUR, "utf8"));
setTimeout(() => {
  if (b.stderr) process.stderr.write(b.stderr);
  process.stdout.write(typeof b.stdout === "string" ? b.stdout : JSON.stringify(b.stdout));
  process.exitCode = b.exit ?? 0;
}, b.sleepMs ?? 0);
`,
  );
  const set = (b: object) => writeFileSync(files.behaviour, JSON.stringify(b));
  set(behaviour);
  const config: ExecConfig = {
    apiVersion: V1,
    command: process.execPath,
    args: [script],
    env: [
      { name: "PLUGIN_COUNT", value: files.count },
      { name: "PLUGIN_INFO", value: files.info },
      { name: "PLUGIN_BEHAVIOUR", value: files.behaviour },
    ],
    interactiveMode: "Never",
    ...exec,
  };
  return {
    config,
    set,
    runs: () => {
      try {
        return readFileSync(files.count, "utf8").length;
      } catch {
        return 0;
      }
    },
    seen: () => JSON.parse(readFileSync(files.info, "utf8")) as { info: string; inherited?: string },
  };
}
const credential = (status: object) => ({ stdout: { apiVersion: V1, kind: "ExecCredential", status } });

describe("Credentials with static auth", () => {
  it("sends a bearer token, basic auth, or nothing", async () => {
    expect((await new Credentials(spec({ token: "abc" })).get()).headers).toEqual({
      Authorization: "Bearer abc",
    });
    const basic = await new Credentials(spec({ username: "me", password: "pw" })).get();
    expect(basic.headers.Authorization).toBe(`Basic ${Buffer.from("me:pw").toString("base64")}`);
    expect(await new Credentials(spec({})).get()).toMatchObject({ headers: {}, cacheKey: "no-client-cert" });
  });

  it("hands over the client certificate with a cache key that changes with it", async () => {
    const a = await new Credentials(
      spec({ clientCert: Buffer.from("C1"), clientKey: Buffer.from("K1") }),
    ).get();
    const b = await new Credentials(
      spec({ clientCert: Buffer.from("C2"), clientKey: Buffer.from("K2") }),
    ).get();
    expect(a.cert?.toString()).toBe("C1");
    expect(a.key?.toString()).toBe("K1");
    expect(a.cacheKey).toMatch(/^[0-9a-f]{16}$/);
    expect(b.cacheKey).not.toBe(a.cacheKey);
  });

  it("refuses a legacy auth-provider with the replacement to use", async () => {
    await expect(new Credentials(spec({ authProvider: "gcp" })).get()).rejects.toThrow(
      "cluster prod uses the 'gcp' auth-provider, which kube-mcp does not support (kubectl dropped it too). " +
        "Switch the kubeconfig user to an exec plugin such as gke-gcloud-auth-plugin.",
    );
  });
});

describe("Credentials with a token file", () => {
  it("re-reads the file at most once a minute, and at once after invalidate()", async () => {
    const file = join(tmp(), "token");
    writeFileSync(file, "one\n");
    let now = 0;
    const creds = new Credentials(spec({ tokenFile: file }), { now: () => now });
    expect((await creds.get()).headers.Authorization).toBe("Bearer one");
    writeFileSync(file, "two");
    now = 59_000;
    expect((await creds.get()).headers.Authorization).toBe("Bearer one");
    now = 61_000;
    expect((await creds.get()).headers.Authorization).toBe("Bearer two");
    writeFileSync(file, "three");
    creds.invalidate();
    expect((await creds.get()).headers.Authorization).toBe("Bearer three");
    expect(creds.refreshable).toBe(true);
  });

  it("keeps the last good token while the file is missing, and explains when there never was one", async () => {
    const file = join(tmp(), "token");
    writeFileSync(file, "good");
    const creds = new Credentials(spec({ tokenFile: file }));
    await creds.get();
    rmSync(file);
    creds.invalidate();
    expect((await creds.get()).headers.Authorization).toBe("Bearer good");
    await expect(new Credentials(spec({ tokenFile: file })).get()).rejects.toThrow(
      `cannot read the token file ${file} for cluster prod (ENOENT). Check that it exists and is readable.`,
    );
  });
});

describe("Credentials with an exec plugin", () => {
  it("passes the plugin its env and KUBERNETES_EXEC_INFO, and caches a credential without expiry", async () => {
    const p = plugin(credential({ token: "from-plugin" }));
    const creds = new Credentials(spec({ exec: p.config }), { env: { FROM_PARENT: "yes" } });
    expect((await creds.get()).headers).toEqual({ Authorization: "Bearer from-plugin" });
    expect((await creds.get()).headers).toEqual({ Authorization: "Bearer from-plugin" });
    expect(p.runs()).toBe(1);
    const seen = p.seen();
    expect(seen.inherited).toBe("yes");
    expect(JSON.parse(seen.info)).toEqual({
      apiVersion: V1,
      kind: "ExecCredential",
      spec: { interactive: false },
    });
    creds.invalidate();
    await creds.get();
    expect(p.runs()).toBe(2);
  });

  it("gives the plugin the cluster when provideClusterInfo is set", async () => {
    const p = plugin(credential({ token: "t" }), { provideClusterInfo: true });
    const cluster = spec(
      { exec: p.config },
      { tls: { insecure: false, ca: Buffer.from("CA"), serverName: "api" } },
    );
    await new Credentials(cluster).get();
    expect(JSON.parse(p.seen().info).spec).toEqual({
      interactive: false,
      cluster: {
        server: "https://prod.example:6443",
        "tls-server-name": "api",
        "certificate-authority-data": Buffer.from("CA").toString("base64"),
      },
    });
  });

  it("runs the plugin again shortly before the credential expires", async () => {
    let now = Date.parse("2030-01-01T00:00:00Z");
    const p = plugin(credential({ token: "t1", expirationTimestamp: "2030-01-01T00:10:00Z" }));
    const creds = new Credentials(spec({ exec: p.config }), { now: () => now });
    await creds.get();
    now += 8 * 60_000;
    await creds.get();
    expect(p.runs()).toBe(1);
    p.set(credential({ token: "t2", expirationTimestamp: "2030-01-01T01:00:00Z" }));
    now += 90_000; // 30 s before expiry: inside the refresh margin
    expect((await creds.get()).headers.Authorization).toBe("Bearer t2");
    expect(p.runs()).toBe(2);
  });

  it("shares one plugin run among concurrent callers", async () => {
    const p = plugin({ ...credential({ token: "t" }), sleepMs: 300 });
    const creds = new Credentials(spec({ exec: p.config }));
    const all = await Promise.all(Array.from({ length: 8 }, () => creds.get()));
    expect(new Set(all.map((a) => a.headers.Authorization))).toEqual(new Set(["Bearer t"]));
    expect(p.runs()).toBe(1);
  });

  it("lets one caller stop waiting without cancelling the shared run", async () => {
    const p = plugin({ ...credential({ token: "t" }), sleepMs: 300 });
    const creds = new Credentials(spec({ exec: p.config }));
    const ctl = new AbortController();
    const first = creds.get(ctl.signal);
    const second = creds.get();
    ctl.abort(new Error("caller gave up"));
    await expect(first).rejects.toThrow("caller gave up");
    expect((await second).headers.Authorization).toBe("Bearer t");
  });

  it("uses a client certificate from the plugin", async () => {
    const p = plugin(credential({ clientCertificateData: "CERT-PEM", clientKeyData: "KEY-PEM" }));
    const got = await new Credentials(spec({ exec: p.config })).get();
    expect(got.headers).toEqual({});
    expect(got.cert?.toString()).toBe("CERT-PEM");
    expect(got.key?.toString()).toBe("KEY-PEM");
  });

  it("reports a failing plugin with its exit code and first stderr lines, secrets redacted", async () => {
    const dir = tmp();
    const script = join(dir, "fake-aws");
    const jwt = `eyJhbGciOiJSUzI1NiJ9.${"a".repeat(40)}.sig`;
    writeFileSync(
      script,
      `#!/bin/sh\necho "Unable to locate credentials" >&2\necho "token ${jwt} expired" >&2\necho "third" >&2\necho "fourth" >&2\nexit 3\n`,
    );
    chmodSync(script, 0o755);
    const exec: ExecConfig = { apiVersion: V1, command: script, args: [], env: [], interactiveMode: "Never" };
    const err = await new Credentials(spec({ exec })).get().catch((e: Error) => e);
    expect((err as Error).message).toBe(
      "exec plugin 'fake-aws' for cluster prod failed (exit 3): Unable to locate credentials | token [redacted] expired | third. " +
        "Check that the plugin is installed and you are logged in.",
    );
  });

  it("says how to install a plugin that is not there", async () => {
    const exec: ExecConfig = {
      apiVersion: V1,
      command: "kube-mcp-no-such-plugin",
      args: [],
      env: [],
      installHint: "Install it with: brew install no-such-plugin",
    };
    await expect(new Credentials(spec({ exec })).get()).rejects.toThrow(
      "exec plugin 'kube-mcp-no-such-plugin' for cluster prod could not run 'kube-mcp-no-such-plugin' (ENOENT). " +
        "Install it with: brew install no-such-plugin",
    );
  });

  it("kills a plugin that hangs and says it may be waiting for a login", async () => {
    const p = plugin({ ...credential({ token: "t" }), sleepMs: 10_000 });
    const creds = new Credentials(spec({ exec: p.config }), { execTimeoutMs: 300 });
    await expect(creds.get()).rejects.toThrow(
      /for cluster prod timed out after 0.3 s\. It may be waiting for a login/,
    );
  });

  it("rejects output that is not a matching ExecCredential without echoing it", async () => {
    const leak = plugin({ stdout: "token: super-secret-value" });
    const err = await new Credentials(spec({ exec: leak.config })).get().catch((e: Error) => e);
    expect((err as Error).message).toBe(
      "exec plugin 'node' for cluster prod printed an invalid ExecCredential: the output is not JSON",
    );
    const old = plugin({
      stdout: {
        apiVersion: "client.authentication.k8s.io/v1beta1",
        kind: "ExecCredential",
        status: { token: "t" },
      },
    });
    await expect(new Credentials(spec({ exec: old.config })).get()).rejects.toThrow(
      /apiVersion "client.authentication.k8s.io\/v1beta1" does not match the kubeconfig's client.authentication.k8s.io\/v1/,
    );
    const empty = plugin(credential({}));
    await expect(new Credentials(spec({ exec: empty.config })).get()).rejects.toThrow(
      "status has neither a token nor a client certificate",
    );
  });

  it("refuses plugins that insist on a terminal", async () => {
    const p = plugin(credential({ token: "t" }), { interactiveMode: "Always" });
    await expect(new Credentials(spec({ exec: p.config })).get()).rejects.toThrow(
      /needs an interactive terminal/,
    );
    expect(p.runs()).toBe(0);
  });
});

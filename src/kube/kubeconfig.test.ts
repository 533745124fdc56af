import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadKubeconfigFiles, mergeKubeconfigs, parseKubeconfig } from "./kubeconfig.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const root = mkdtempSync(join(tmpdir(), "kube-mcp-kubeconfig-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const tmp = () => mkdtempSync(join(root, "t-"));

const config = (parts: { clusters?: unknown[]; users?: unknown[]; contexts?: unknown[]; current?: string }) =>
  stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: parts.clusters ?? [],
    users: parts.users ?? [],
    contexts: parts.contexts ?? [],
    ...(parts.current ? { "current-context": parts.current } : {}),
  });
const cluster = (name: string, body: object = {}) => ({
  name,
  cluster: { server: `https://${name}.example:6443`, ...body },
});
const user = (name: string, body: object = {}) => ({ name, user: body });
const context = (name: string, c: string, u?: string, ns?: string) => ({
  name,
  context: { cluster: c, ...(u ? { user: u } : {}), ...(ns ? { namespace: ns } : {}) },
});
const where = { origin: "/cfg/config", baseDir: "/cfg" };

describe("parseKubeconfig", () => {
  it("turns each context into a ClusterSpec with its TLS settings, proxy and namespace", () => {
    const text = config({
      clusters: [
        cluster("a", {
          "certificate-authority-data": b64("CA-PEM"),
          "tls-server-name": "api.internal",
          "proxy-url": "http://proxy:3128",
        }),
        cluster("b", { "insecure-skip-tls-verify": true }),
      ],
      users: [user("tok", { token: "s3cret" }), user("basic", { username: "me", password: "pw" })],
      contexts: [context("ctx-a", "a", "tok", "shop"), context("ctx-b", "b", "basic")],
      current: "ctx-b",
    });
    const { clusters, currentContext, warnings } = parseKubeconfig(text, where);
    expect(warnings).toEqual([]);
    expect(currentContext).toBe("ctx-b");
    expect(clusters).toHaveLength(2);
    const [a, b] = clusters;
    expect(a).toMatchObject({
      name: "ctx-a",
      source: "kubeconfig",
      origin: "/cfg/config",
      server: "https://a.example:6443",
      namespace: "shop",
      tls: { insecure: false, serverName: "api.internal" },
      proxyUrl: "http://proxy:3128",
      auth: { token: "s3cret" },
    });
    expect(a?.tls.ca?.toString()).toBe("CA-PEM");
    expect(b).toMatchObject({
      namespace: "default",
      tls: { insecure: true },
      auth: { username: "me", password: "pw" },
    });
  });

  it("reads embedded client certificates and keys", () => {
    const text = config({
      clusters: [cluster("a")],
      users: [user("u", { "client-certificate-data": b64("CERT"), "client-key-data": b64("KEY") })],
      contexts: [context("a", "a", "u")],
    });
    const [spec] = parseKubeconfig(text, where).clusters;
    expect(spec?.auth.clientCert?.toString()).toBe("CERT");
    expect(spec?.auth.clientKey?.toString()).toBe("KEY");
  });

  it("resolves relative file paths and exec commands against the kubeconfig's directory", () => {
    const dir = tmp();
    mkdirSync(join(dir, "pki"));
    writeFileSync(join(dir, "pki", "ca.crt"), "CA-FILE");
    writeFileSync(join(dir, "pki", "me.crt"), "CERT-FILE");
    writeFileSync(join(dir, "pki", "me.key"), "KEY-FILE");
    const exec = (command: string) => ({
      exec: { apiVersion: "client.authentication.k8s.io/v1", command, interactiveMode: "Never" },
    });
    const text = config({
      clusters: [cluster("a", { "certificate-authority": "pki/ca.crt" })],
      users: [
        user("certs", { "client-certificate": "pki/me.crt", "client-key": "pki/me.key", tokenFile: "tok" }),
        user("relexec", exec("./bin/plugin")),
        user("pathexec", exec("aws")),
      ],
      contexts: [
        context("certs", "a", "certs"),
        context("relexec", "a", "relexec"),
        context("pathexec", "a", "pathexec"),
      ],
    });
    const { clusters, warnings } = parseKubeconfig(text, { origin: join(dir, "config"), baseDir: dir });
    expect(warnings).toEqual([]);
    const [certs, relexec, pathexec] = clusters;
    expect(certs?.tls.ca?.toString()).toBe("CA-FILE");
    expect(certs?.auth.clientCert?.toString()).toBe("CERT-FILE");
    expect(certs?.auth.clientKey?.toString()).toBe("KEY-FILE");
    expect(certs?.auth.tokenFile).toBe(join(dir, "tok"));
    expect(relexec?.auth.exec?.command).toBe(join(dir, "bin", "plugin"));
    expect(relexec?.auth.exec?.baseDir).toBe(dir);
    // A bare name is looked up on PATH when the plugin runs, like kubectl does.
    expect(pathexec?.auth.exec?.command).toBe("aws");
  });

  it("reads exec plugins of both API versions with args, env and cluster info", () => {
    const text = config({
      clusters: [cluster("a")],
      users: [
        user("v1", {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1",
            command: "aws",
            args: ["eks", "get-token", "--cluster-name", "prod"],
            env: [{ name: "AWS_PROFILE", value: "prod" }],
            interactiveMode: "Never",
            provideClusterInfo: true,
            installHint: "brew install awscli",
          },
        }),
        user("beta", {
          exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "gke-gcloud-auth-plugin" },
        }),
      ],
      contexts: [context("v1", "a", "v1"), context("beta", "a", "beta")],
    });
    const [v1, beta] = parseKubeconfig(text, where).clusters;
    expect(v1?.auth.exec).toEqual({
      apiVersion: "client.authentication.k8s.io/v1",
      command: "aws",
      args: ["eks", "get-token", "--cluster-name", "prod"],
      env: [{ name: "AWS_PROFILE", value: "prod" }],
      interactiveMode: "Never",
      provideClusterInfo: true,
      baseDir: "/cfg",
      installHint: "brew install awscli",
    });
    expect(beta?.auth.exec).toMatchObject({
      args: [],
      env: [],
      interactiveMode: "IfAvailable",
      provideClusterInfo: false,
    });
  });

  it("records a legacy auth-provider by name so calls can fail clearly later", () => {
    const text = config({
      clusters: [cluster("a")],
      users: [user("g", { "auth-provider": { name: "gcp", config: { "access-token": "x" } } })],
      contexts: [context("gke", "a", "g")],
    });
    expect(parseKubeconfig(text, where).clusters[0]?.auth).toEqual({ authProvider: "gcp" });
  });

  it("treats a context without a user as anonymous", () => {
    const text = config({ clusters: [cluster("a")], contexts: [context("anon", "a")] });
    expect(parseKubeconfig(text, where).clusters[0]?.auth).toEqual({});
  });

  it("loads the good contexts and warns about each broken one by name", () => {
    const text = config({
      clusters: [cluster("a"), cluster("nocert", { "certificate-authority": "/nonexistent/ca.crt" })],
      users: [
        user("u", { token: "t" }),
        user("badexec", { exec: { apiVersion: "client.authentication.k8s.io/v1alpha1", command: "x" } }),
        user("halfcert", { "client-certificate-data": b64("CERT") }),
      ],
      contexts: [
        context("good", "a", "u"),
        context("no-cluster", "missing", "u"),
        context("no-user", "a", "ghost"),
        context("bad-ca", "nocert", "u"),
        context("bad-exec", "a", "badexec"),
        context("half-cert", "a", "halfcert"),
      ],
    });
    const { clusters, warnings } = parseKubeconfig(text, where);
    expect(clusters.map((c) => c.name)).toEqual(["good"]);
    expect(warnings).toEqual([
      'context "no-cluster" in /cfg/config: cluster "missing" is not defined in any kubeconfig',
      'context "no-user" in /cfg/config: user "ghost" is not defined in any kubeconfig',
      'context "bad-ca" in /cfg/config: cannot read certificate-authority file /nonexistent/ca.crt (ENOENT)',
      'context "bad-exec" in /cfg/config: exec apiVersion "client.authentication.k8s.io/v1alpha1" is not supported; use client.authentication.k8s.io/v1 or client.authentication.k8s.io/v1beta1',
      'context "half-cert" in /cfg/config: user "halfcert" has a client certificate but no key',
    ]);
  });

  it("rejects text that is not a kubeconfig, naming where it came from", () => {
    expect(() => parseKubeconfig("clusters: [unclosed", where)).toThrow(
      /^kubeconfig \/cfg\/config is not valid YAML/,
    );
    expect(() => parseKubeconfig("just a string", where)).toThrow(
      "kubeconfig /cfg/config is not a kubeconfig",
    );
    expect(parseKubeconfig("", where)).toEqual({ clusters: [], currentContext: undefined, warnings: [] });
  });

  it("accepts JSON", () => {
    const json = JSON.stringify({
      clusters: [cluster("a")],
      contexts: [context("a", "a")],
      "current-context": "a",
    });
    expect(parseKubeconfig(json, where).clusters[0]?.server).toBe("https://a.example:6443");
  });
});

describe("mergeKubeconfigs", () => {
  it("merges like kubectl: the first definition of a name wins, across files", () => {
    const first = config({
      clusters: [cluster("shared", { server: "https://first:6443" })],
      users: [user("u1", { token: "one" })],
      contexts: [context("dev", "shared", "u2")],
    });
    const second = config({
      clusters: [cluster("shared", { server: "https://second:6443" })],
      users: [user("u2", { token: "two" })],
      contexts: [context("dev", "shared", "u1"), context("prod", "shared", "u1")],
      current: "prod",
    });
    const result = mergeKubeconfigs([
      { text: first, origin: "/a/config", baseDir: "/a" },
      { text: second, origin: "/b/config", baseDir: "/b" },
    ]);
    expect(result.warnings).toEqual([]);
    expect(result.currentContext).toBe("prod");
    expect(result.clusters.map((c) => [c.name, c.server, c.auth.token, c.origin])).toEqual([
      // dev comes from the first file but its user is only defined in the second.
      ["dev", "https://first:6443", "two", "/a/config"],
      ["prod", "https://first:6443", "one", "/b/config"],
    ]);
  });

  it("takes current-context from the first file that sets it", () => {
    const a = config({ clusters: [cluster("c")], contexts: [context("x", "c")] });
    const b = config({ contexts: [context("y", "c")], current: "y" });
    const c = config({ contexts: [context("z", "c")], current: "z" });
    const docs = [a, b, c].map((text, i) => ({ text, origin: `f${i}`, baseDir: "/" }));
    expect(mergeKubeconfigs(docs).currentContext).toBe("y");
  });

  it("turns an unparseable file into a warning and keeps the others", () => {
    const good = config({ clusters: [cluster("c")], contexts: [context("ok", "c")] });
    const result = mergeKubeconfigs([
      { text: "{{{", origin: "/bad", baseDir: "/" },
      { text: good, origin: "/good", baseDir: "/" },
    ]);
    expect(result.clusters.map((c) => c.name)).toEqual(["ok"]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/^kubeconfig \/bad is not valid YAML or JSON: /);
  });
});

describe("loadKubeconfigFiles", () => {
  it("reads the files that exist, skips missing ones and reports which it read", () => {
    const dir = tmp();
    const path = join(dir, "config");
    writeFileSync(path, config({ clusters: [cluster("c")], contexts: [context("one", "c")] }));
    const result = loadKubeconfigFiles([join(dir, "missing"), path]);
    expect(result.files).toEqual([path]);
    expect(result.warnings).toEqual([]);
    expect(result.clusters[0]?.origin).toBe(path);
  });
});

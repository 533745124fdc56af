import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it, vi } from "vitest";
import { stringify } from "yaml";
import { gatherClusters, watchFiles } from "./sources.js";

const root = mkdtempSync(join(tmpdir(), "kube-mcp-sources-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const tmp = () => mkdtempSync(join(root, "t-"));
const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

/** A kubeconfig with one token user per context, all pointing at one cluster. */
const kubeconfig = (contexts: string[], current?: string, server = "https://k8s.example:6443") =>
  stringify({
    clusters: [{ name: "c", cluster: { server } }],
    users: [{ name: "u", user: { token: "t" } }],
    contexts: contexts.map((name) => ({
      name,
      context: { cluster: "c", user: "u", namespace: `${name}-ns` },
    })),
    ...(current ? { "current-context": current } : {}),
  });
const writeConfig = (dir: string, file: string, text: string) => {
  const path = join(dir, file);
  writeFileSync(path, text);
  return path;
};
/** A home directory without ~/.kube/config, so the default file never leaks in from the test machine. */
const emptyHome = () => ({ homeDir: tmp(), serviceAccountDir: join(tmp(), "no-sa") });

describe("gatherClusters", () => {
  it("reads every context of every file in a KUBECONFIG list", () => {
    const dir = tmp();
    const a = writeConfig(dir, "a", kubeconfig(["one", "two"], "two"));
    const b = writeConfig(dir, "b", kubeconfig(["three"], "three"));
    const got = gatherClusters({ KUBECONFIG: `${a}:${join(dir, "missing")}:${b}` }, emptyHome());
    expect(got.clusters.map((c) => c.name)).toEqual(["one", "two", "three"]);
    expect(got.defaultCluster).toBe("two");
    expect(got.files).toEqual([a, b]);
    expect(got.warnings).toEqual([]);
  });

  it("falls back to KUBECONFIG_PATH, expanding ~ since no shell did", () => {
    const opts = emptyHome();
    mkdirSync(join(opts.homeDir, "kc"));
    writeConfig(join(opts.homeDir, "kc"), "cfg", kubeconfig(["p"]));
    const got = gatherClusters({ KUBECONFIG_PATH: "~/kc/cfg" }, opts);
    expect(got.clusters.map((c) => c.name)).toEqual(["p"]);
    expect(got.files).toEqual([join(opts.homeDir, "kc", "cfg")]);
  });

  it("uses ~/.kube/config when no path is given, and says nothing when it is absent", () => {
    const opts = emptyHome();
    expect(gatherClusters({}, opts)).toEqual({
      clusters: [],
      defaultCluster: undefined,
      warnings: [],
      files: [],
    });
    mkdirSync(join(opts.homeDir, ".kube"));
    writeConfig(join(opts.homeDir, ".kube"), "config", kubeconfig(["home"], "home"));
    expect(gatherClusters({}, opts).clusters.map((c) => c.name)).toEqual(["home"]);
  });

  it("warns when the named kubeconfig files do not exist", () => {
    const got = gatherClusters({ KUBECONFIG_PATH: "/nonexistent/config" }, emptyHome());
    expect(got.warnings).toEqual(["no kubeconfig found at /nonexistent/config (from KUBECONFIG_PATH)"]);
  });

  it("adds inline KUBECONFIG_YAML and KUBECONFIG_JSON contexts", () => {
    const json = JSON.stringify({
      clusters: [{ name: "c", cluster: { server: "https://json:6443" } }],
      contexts: [{ name: "from-json", context: { cluster: "c" } }],
    });
    const got = gatherClusters(
      { KUBECONFIG_YAML: kubeconfig(["from-yaml"], "from-yaml"), KUBECONFIG_JSON: json },
      emptyHome(),
    );
    expect(got.clusters.map((c) => [c.name, c.origin])).toEqual([
      ["from-yaml", "KUBECONFIG_YAML"],
      ["from-json", "KUBECONFIG_JSON"],
    ]);
    expect(got.defaultCluster).toBe("from-yaml");
    expect(gatherClusters({ KUBECONFIG_YAML: "{{{" }, emptyHome()).warnings[0]).toMatch(
      /^kubeconfig KUBECONFIG_YAML is not valid YAML/,
    );
  });

  it("builds a cluster from K8S_SERVER and K8S_TOKEN with an optional CA and TLS skip", () => {
    const env = {
      K8S_SERVER: "https://10.0.0.1:6443",
      K8S_TOKEN: "tok",
      K8S_CA_DATA: Buffer.from(PEM).toString("base64"),
      K8S_CLUSTER_NAME: "prod",
    };
    const [spec] = gatherClusters(env, emptyHome()).clusters;
    expect(spec).toMatchObject({
      name: "prod",
      source: "env",
      server: "https://10.0.0.1:6443",
      namespace: "default",
      tls: { insecure: false },
      auth: { token: "tok" },
    });
    expect(spec?.tls.ca?.toString()).toBe(PEM);
    const insecure = gatherClusters(
      { K8S_SERVER: "https://x", K8S_TOKEN: "t", K8S_SKIP_TLS_VERIFY: "true" },
      emptyHome(),
    );
    expect(insecure.clusters[0]).toMatchObject({ name: "env", tls: { insecure: true } });
  });

  it("explains half-set or malformed env credentials instead of guessing", () => {
    const warn = (env: Record<string, string>) => gatherClusters(env, emptyHome()).warnings;
    expect(warn({ K8S_SERVER: "https://x" })).toEqual(["K8S_SERVER is set without K8S_TOKEN; set both"]);
    expect(warn({ K8S_SERVER: "x.example", K8S_TOKEN: "t" })[0]).toMatch(/must be an http\(s\) URL/);
    expect(warn({ K8S_SERVER: "https://x", K8S_TOKEN: "t", K8S_CA_DATA: "bm90IGEgY2VydA==" })[0]).toMatch(
      /K8S_CA_DATA is not a base64 PEM certificate/,
    );
  });

  it("detects the in-cluster service account and reads its token from the file each time", () => {
    const opts = emptyHome();
    const sa = tmp();
    writeConfig(sa, "token", "jwt");
    writeConfig(sa, "ca.crt", PEM);
    writeConfig(sa, "namespace", "ops\n");
    const env = { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" };
    const got = gatherClusters(env, { ...opts, serviceAccountDir: sa });
    expect(got.clusters).toHaveLength(1);
    expect(got.clusters[0]).toMatchObject({
      name: "in-cluster",
      source: "in-cluster",
      server: "https://10.96.0.1:443",
      namespace: "ops",
      auth: { tokenFile: join(sa, "token") },
    });
    expect(got.clusters[0]?.tls.ca?.toString()).toBe(PEM);
    expect(got.defaultCluster).toBe("in-cluster");
    const v6 = gatherClusters(
      { ...env, KUBERNETES_SERVICE_HOST: "fd00::1" },
      { ...opts, serviceAccountDir: sa },
    );
    expect(v6.clusters[0]?.server).toBe("https://[fd00::1]:443");
    // Without the mounted token there is no in-cluster identity, whatever the env says.
    expect(gatherClusters(env, opts).clusters).toEqual([]);
  });

  it("lets K8S_CONTEXT pick the default and K8S_NAMESPACE override every namespace", () => {
    const env = { KUBECONFIG_YAML: kubeconfig(["a", "b"], "a"), K8S_CONTEXT: "b", K8S_NAMESPACE: "shop" };
    const got = gatherClusters(env, emptyHome());
    expect(got.defaultCluster).toBe("b");
    expect(got.clusters.map((c) => c.namespace)).toEqual(["shop", "shop"]);
    const unknown = gatherClusters({ ...env, K8S_CONTEXT: "zzz" }, emptyHome());
    expect(unknown.defaultCluster).toBe("a");
    expect(unknown.warnings).toEqual(['K8S_CONTEXT "zzz" is not a known cluster; the default is a']);
  });

  it("keeps only allowlisted contexts and names the allowlisted ones it never saw", () => {
    const env = { KUBECONFIG_YAML: kubeconfig(["a", "b", "c"], "a") };
    const got = gatherClusters(env, { ...emptyHome(), contexts: ["b", "c", "ghost"] });
    expect(got.clusters.map((c) => c.name)).toEqual(["b", "c"]);
    // current-context "a" was filtered out, so the first remaining cluster is the default.
    expect(got.defaultCluster).toBe("b");
    expect(got.warnings).toEqual(["allowed contexts not found in any source: ghost"]);
  });

  it("keeps the first cluster of a duplicated name and warns about the rest", () => {
    const dir = tmp();
    const file = writeConfig(dir, "config", kubeconfig(["env"], undefined, "https://file:6443"));
    const got = gatherClusters(
      { KUBECONFIG: file, KUBECONFIG_YAML: kubeconfig(["env"]), K8S_SERVER: "https://x", K8S_TOKEN: "t" },
      emptyHome(),
    );
    expect(got.clusters.map((c) => [c.name, c.server])).toEqual([["env", "https://file:6443"]]);
    expect(got.warnings).toEqual([
      `cluster "env" from KUBECONFIG_YAML is ignored: ${file} defines it first`,
      `cluster "env" from K8S_SERVER is ignored: ${file} defines it first`,
    ]);
  });
});

describe("watchFiles", () => {
  it("fires once per burst of changes, including an atomic rename over the file", async () => {
    const dir = tmp();
    const file = writeConfig(dir, "config", "a: 1\n");
    let calls = 0;
    // Writes inside a burst are back to back and bursts are far apart, so a loaded machine's timer
    // slip cannot split or merge bursts.
    const stop = watchFiles([file], () => calls++, { intervalMs: 20, debounceMs: 300 });
    try {
      await sleep(100);
      writeConfig(dir, "config.tmp", "a: 2\nb: 3\n");
      renameSync(join(dir, "config.tmp"), file);
      writeFileSync(file, "a: 3\nb: 4\nc: 5\n");
      await vi.waitFor(() => expect(calls).toBe(1), { timeout: 10_000, interval: 50 });
      await sleep(700);
      expect(calls).toBe(1);
      writeConfig(dir, "config.tmp", "replaced: again\n");
      renameSync(join(dir, "config.tmp"), file);
      await vi.waitFor(() => expect(calls).toBe(2), { timeout: 10_000, interval: 50 });
    } finally {
      stop();
    }
    writeFileSync(file, "after: stop\n");
    await sleep(700);
    expect(calls).toBe(2);
  });
});

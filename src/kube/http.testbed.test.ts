// The connection layer against the real API servers of the test bed: kubeconfig loading, client-cert,
// ServiceAccount token, token file and exec-plugin auth, TLS verification, deadlines and a CONNECT proxy.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { run } from "../../test/helpers/run.js";
import { statusError } from "./api-error.js";
import { Credentials } from "./credentials.js";
import { KubeHttp } from "./http.js";
import { loadKubeconfigFiles } from "./kubeconfig.js";
import type { AuthSpec, ClusterSpec } from "./types.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const loaded = loadKubeconfigFiles([kubeconfig]);
const cluster = (name: string): ClusterSpec => {
  const found = loaded.clusters.find((c) => c.name === name);
  if (!found) throw new Error(`test bed kubeconfig has no context ${name}`);
  return found;
};
const clients: KubeHttp[] = [];
const client = (spec: ClusterSpec) => {
  const http = new KubeHttp(spec, new Credentials(spec));
  clients.push(http);
  return http;
};
afterAll(() => {
  for (const c of clients) c.close();
});
const kubectl = async (args: string[], input?: string) => {
  const r = await run(join(bin, "kubectl"), ["--kubeconfig", kubeconfig, "--context", "alpha", ...args], {
    input,
  });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
};
const getJson = async (spec: ClusterSpec, path: string) => {
  const res = await client(spec).request({ path });
  if (res.status !== 200) throw statusError(res.status, res.body, { request: `GET ${path} on ${spec.name}` });
  return JSON.parse(res.body.toString()) as Record<string, unknown>;
};
const withAuth = (name: string, auth: AuthSpec, extra: Partial<ClusterSpec> = {}): ClusterSpec => ({
  ...cluster("alpha"),
  name,
  auth,
  ...extra,
});
const root = mkdtempSync(join(tmpdir(), "kube-mcp-bed-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const tmp = () => mkdtempSync(join(root, "t-"));

describe.each(["alpha", "beta"])("the test bed kubeconfig, cluster %s", (name) => {
  it("loads and answers /version and /api/v1/namespaces with its client certificate", async () => {
    expect(loaded.warnings).toEqual([]);
    expect(cluster(name).auth.clientCert).toBeDefined();
    expect((await getJson(cluster(name), "/version")).gitVersion).toMatch(/^v1\./);
    const namespaces = (await getJson(cluster(name), "/api/v1/namespaces")) as {
      items: { metadata: { name: string } }[];
    };
    expect(namespaces.items.map((n) => n.metadata.name)).toEqual(
      expect.arrayContaining(["default", "kube-system"]),
    );
  });
});

describe("ServiceAccount tokens on alpha", () => {
  let token = "";
  beforeAll(async () => {
    const objects = [
      {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: "kube-mcp-http-viewer", namespace: "default" },
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: "kube-mcp-http-viewer" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
        subjects: [{ kind: "ServiceAccount", name: "kube-mcp-http-viewer", namespace: "default" }],
      },
    ];
    await kubectl(["apply", "-f", "-"], objects.map((o) => stringify(o)).join("---\n"));
    token = await kubectl(["create", "token", "kube-mcp-http-viewer", "-n", "default", "--duration", "1h"]);
  });

  it("authenticate with a bearer token, and RBAC denials map to a Forbidden KubeApiError", async () => {
    const spec = withAuth("alpha-sa", { token });
    expect((await getJson(spec, "/api/v1/namespaces")).kind).toBe("NamespaceList");
    const res = await client(spec).request({ path: "/api/v1/namespaces/default/secrets" });
    expect(res.status).toBe(403);
    const err = statusError(res.status, res.body, { request: "list secrets in default" });
    expect(err).toMatchObject({ status: 403, reason: "Forbidden" });
    expect(err.message).toContain('cannot list resource "secrets"');
    expect(err.message).not.toContain(token);
  });

  it("pick up a rotated token file after a 401, retrying the request once", async () => {
    const file = join(tmp(), "token");
    writeFileSync(file, "not-a-valid-token");
    const http = client(withAuth("alpha-file", { tokenFile: file }));
    expect((await http.request({ path: "/api/v1/namespaces" })).status).toBe(401);
    writeFileSync(file, `${token}\n`);
    expect((await http.request({ path: "/api/v1/namespaces" })).status).toBe(200);
  });
});

describe("an exec plugin on alpha", () => {
  const alpha = cluster("alpha");
  /** A kubeconfig whose user runs ./plugins/fake-login, a real executable printing an ExecCredential. */
  function setup() {
    const dir = tmp();
    mkdirSync(join(dir, "plugins"));
    const script = join(dir, "plugins", "fake-login");
    writeFileSync(
      script,
      '#!/bin/sh\necho run >> "$COUNT_FILE"\nif [ "$(wc -l < "$COUNT_FILE")" -eq 1 ] && [ -f "$FIRST_FILE" ]; then cat "$FIRST_FILE"; else cat "$CRED_FILE"; fi\n',
    );
    chmodSync(script, 0o755);
    const files = { count: join(dir, "count"), first: join(dir, "first.json"), cred: join(dir, "cred.json") };
    const config = {
      clusters: [
        {
          name: "bed",
          cluster: { server: alpha.server, "certificate-authority-data": alpha.tls.ca?.toString("base64") },
        },
      ],
      users: [
        {
          name: "plugin",
          user: {
            exec: {
              apiVersion: "client.authentication.k8s.io/v1",
              command: "./plugins/fake-login",
              interactiveMode: "Never",
              env: [
                { name: "COUNT_FILE", value: files.count },
                { name: "FIRST_FILE", value: files.first },
                { name: "CRED_FILE", value: files.cred },
              ],
            },
          },
        },
      ],
      contexts: [{ name: "alpha-exec", context: { cluster: "bed", user: "plugin" } }],
    };
    writeFileSync(join(dir, "config"), stringify(config));
    const [spec] = loadKubeconfigFiles([join(dir, "config")]).clusters;
    if (!spec) throw new Error("exec kubeconfig did not load");
    const credential = (status: object) =>
      JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status });
    const runs = () => readFileSync(files.count, "utf8").trim().split("\n").length;
    return { spec, files, credential, runs };
  }

  it("authenticates with the client certificate it prints, running once for many requests", async () => {
    const { spec, files, credential, runs } = setup();
    writeFileSync(
      files.cred,
      credential({
        clientCertificateData: alpha.auth.clientCert?.toString(),
        clientKeyData: alpha.auth.clientKey?.toString(),
      }),
    );
    const http = client(spec);
    const results = await Promise.all([1, 2, 3].map(() => http.request({ path: "/api/v1/namespaces" })));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await http.request({ path: "/version" })).status).toBe(200);
    expect(runs()).toBe(1);
  });

  it("is run again when the server rejects the token it printed", async () => {
    const { spec, files, credential, runs } = setup();
    const token = await kubectl(["create", "token", "default", "-n", "default", "--duration", "1h"]);
    writeFileSync(files.first, credential({ token: "revoked-token" }));
    writeFileSync(files.cred, credential({ token }));
    // The default ServiceAccount may not list namespaces, but a 403 proves the new token authenticated.
    expect((await client(spec).request({ path: "/api/v1/namespaces" })).status).toBe(403);
    expect(runs()).toBe(2);
  });
});

describe("TLS verification against alpha", () => {
  const wrongCa = { ...cluster("alpha").tls, ca: cluster("beta").tls.ca };

  it("fails clearly when the CA is wrong, and skips the check only when told to", async () => {
    const err = await client(withAuth("alpha-wrong-ca", cluster("alpha").auth, { tls: wrongCa }))
      .request({ path: "/version" })
      .catch((e: Error) => e);
    expect(err).toMatchObject({ status: 0, reason: "TLSError" });
    expect((err as Error).message).toMatch(
      /^TLS verification failed for cluster alpha-wrong-ca at https:\/\/127\.0\.0\.1:\d+: .*certificate.*\. Check the cluster's certificate-authority and tls-server-name/,
    );
    const insecure = withAuth("alpha-insecure", cluster("alpha").auth, {
      tls: { insecure: true, ca: wrongCa.ca },
    });
    expect((await client(insecure).request({ path: "/version" })).status).toBe(200);
  });

  it("verifies the certificate against tls-server-name instead of the URL's host", async () => {
    const named = (serverName: string) =>
      withAuth(`alpha-${serverName}`, cluster("alpha").auth, {
        tls: { ...cluster("alpha").tls, serverName },
      });
    expect((await client(named("kubernetes.default.svc")).request({ path: "/version" })).status).toBe(200);
    await expect(client(named("wrong.example")).request({ path: "/version" })).rejects.toMatchObject({
      reason: "TLSError",
      code: "ERR_TLS_CERT_ALTNAME_INVALID",
    });
  });
});

describe("deadlines against alpha", () => {
  it("times out a watch that never ends", async () => {
    const started = Date.now();
    await expect(
      client(cluster("alpha")).request({
        path: "/api/v1/namespaces",
        query: { watch: true },
        timeoutMs: 500,
      }),
    ).rejects.toMatchObject({
      reason: "Timeout",
      message: /^request to cluster alpha timed out after 0.5 s/,
    });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("streams watch events until the caller aborts", async () => {
    const ctl = new AbortController();
    const s = await client(cluster("alpha")).stream({
      path: "/api/v1/namespaces",
      query: { watch: true },
      signal: ctl.signal,
      timeoutMs: 5000,
    });
    expect(s.status).toBe(200);
    let text = "";
    const read = (async () => {
      for await (const chunk of s.body) {
        text += String(chunk);
        if (text.includes('"ADDED"')) ctl.abort();
      }
    })();
    await expect(read).rejects.toMatchObject({ reason: "Aborted" });
    expect(text).toContain('"type":"ADDED"');
  });
});

describe("proxy-url through a CONNECT proxy", () => {
  let tunnels = 0;
  let proxyPort = 0;
  const proxy = createServer();
  beforeAll(async () => {
    proxy.on("connect", (req, socket, head) => {
      if (req.headers["proxy-authorization"] !== `Basic ${Buffer.from("me:pw").toString("base64")}`) {
        socket.end("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n");
        return;
      }
      tunnels++;
      const [host, port] = (req.url ?? "").split(":");
      const upstream = connect(Number(port), host, () => {
        socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.write(head);
        upstream.pipe(socket).pipe(upstream);
      });
      upstream.on("error", () => socket.destroy());
      socket.on("error", () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    proxyPort = (proxy.address() as AddressInfo).port;
  });
  afterAll(() => {
    proxy.closeAllConnections();
    proxy.close();
  });

  it("tunnels TLS to the API server and reuses the tunnel for the next request", async () => {
    const spec = {
      ...cluster("alpha"),
      name: "alpha-proxied",
      proxyUrl: `http://me:pw@127.0.0.1:${proxyPort}`,
    };
    const http = client(spec);
    expect((await http.request({ path: "/version" })).status).toBe(200);
    expect((await http.request({ path: "/api/v1/namespaces" })).status).toBe(200);
    expect(tunnels).toBe(1);
  });

  it("reports a proxy that refuses the tunnel", async () => {
    const spec = { ...cluster("alpha"), name: "alpha-proxied", proxyUrl: `http://127.0.0.1:${proxyPort}` };
    const target = new URL(spec.server).host;
    await expect(client(spec).request({ path: "/version" })).rejects.toMatchObject({
      reason: "ProxyError",
      message: `proxy http://127.0.0.1:${proxyPort} for cluster alpha-proxied refused the tunnel to ${target}: HTTP/1.1 407 Proxy Authentication Required`,
    });
  });
});

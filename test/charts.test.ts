// The Helm charts as a user meets them: every chart lints and renders with each of its ci/ values files
// into manifests the API server accepts (server-side dry run); the defaults are secure (UID 1000,
// read-only root, no capabilities, probes); the agent's RBAC reads everything but Secrets and writes
// only what its mode allows (checked by the API server with `kubectl auth can-i`); and the installed
// charts' own pod specs, Secrets and ServiceAccounts run a hub, an agent and serve on loopback that
// answer MCP calls with exactly the chart's permissions.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { ConfigSchema } from "../src/config/schema.js";
import { leaks } from "./helpers/canary.js";
import {
  CHARTS,
  CHARTS_DIR,
  type Chart,
  ciValues,
  type Manifest,
  ofKind,
  one,
  podCommand,
  render,
  secretVolume,
} from "./helpers/charts.js";
import { freePort, type Proc, spawnRole } from "./helpers/fleet.js";
import { call, httpSession, type Session, startHttpServer } from "./helpers/mcp.js";
import { run } from "./helpers/run.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const HELM = join(bin, "helm");
const id = Date.now().toString(36);
const NS = `charts-${id}`;
const dir = mkdtempSync(join(tmpdir(), "kube-mcp-charts-"));
const helm = (...a: string[]) => run(HELM, ["--kubeconfig", kubeconfig, "--kube-context", "alpha", ...a]);
const kubectl = (a: string[], input?: string) =>
  run(join(bin, "kubectl"), ["--kubeconfig", kubeconfig, "--context", "alpha", ...a], {
    ...(input !== undefined ? { input } : {}),
  });
const ok = (r: { code: number; stdout: string; stderr: string }) => {
  expect(r.code, r.stderr || r.stdout).toBe(0);
  return r.stdout;
};

const container = (d: Manifest) => d.spec.template.spec.containers[0];
const rules = (docs: Manifest[], nameEnds: string) =>
  one(docs, "ClusterRole", nameEnds).rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
const grants = (rs: ReturnType<typeof rules>, group: string, resource: string) =>
  rs.filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource)).flatMap((r) => r.verbs);

describe("chart templates", () => {
  const cases = CHARTS.flatMap((chart) => ciValues(chart).map((values) => ({ chart, values })));

  it.each(cases)("$chart lints and renders with $values", async ({ chart, values }) => {
    ok(await run(HELM, ["lint", join(CHARTS_DIR, chart), "-f", values, "--strict"]));
    const r = await render(HELM, chart, { values: [values] });
    expect(r.code, r.stderr).toBe(0);
    const deployment = one(r.docs, "Deployment");
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      seccompProfile: { type: "RuntimeDefault" },
    });
    const c = container(deployment);
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(c.livenessProbe.httpGet.path).toBe("/healthz");
    expect(c.readinessProbe.httpGet.path).toBe("/readyz");
    expect(c.resources.requests).toBeDefined();
    const tmp = pod.volumes.find((v: { name: string }) => v.name === "tmp");
    expect(tmp.emptyDir).toBeDefined();
    expect(c.volumeMounts).toContainEqual({ name: "tmp", mountPath: "/tmp" });
    // The `config:` block becomes the file passed with --config, and kube-mcp's own schema accepts it.
    const role = { "kube-mcp-hub": "hub", "kube-mcp-agent": "agent", "kube-mcp": "serve" }[chart];
    expect(c.args.slice(0, 2)).toEqual([role, "--config=/etc/kube-mcp/config.yaml"]);
    const file = parseYaml(one(r.docs, "ConfigMap", chart).data["config.yaml"]);
    expect(file).toMatchObject(parseYaml(readFileSync(values, "utf8")).config ?? {});
    expect(ConfigSchema.safeParse(file).error).toBeUndefined();
    for (const m of r.docs) expect(m.metadata.labels?.["app.kubernetes.io/part-of"], m.kind).toBe("kube-mcp");
  });

  it("hub: API key from a Secret, cluster tokens mounted as a directory, ingress timeouts for WebSockets", async () => {
    const r = await render(HELM, "kube-mcp-hub", {
      values: ciValues("kube-mcp-hub").filter((v) => /full/.test(v)),
    });
    const c = container(one(r.docs, "Deployment"));
    expect(c.args).toContain("--cluster-tokens-path=/etc/kube-mcp/cluster-tokens");
    const mount = c.volumeMounts.find((m: { name: string }) => m.name === "cluster-tokens");
    expect(mount).toEqual({
      name: "cluster-tokens",
      mountPath: "/etc/kube-mcp/cluster-tokens",
      readOnly: true,
    });
    expect(Object.keys(one(r.docs, "Secret", "cluster-tokens").data).sort()).toEqual(["lab", "prod"]);
    expect(c.env).toContainEqual({
      name: "MCP_API_KEY",
      valueFrom: { secretKeyRef: { name: "r-kube-mcp-hub-api-key", key: "api-key" } },
    });
    const annotations = one(r.docs, "Ingress").metadata.annotations;
    expect(annotations).toMatchObject({
      "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600",
      "nginx.ingress.kubernetes.io/proxy-send-timeout": "3600",
      "haproxy.org/timeout-tunnel": "3600s",
      "cert-manager.io/cluster-issuer": "letsencrypt",
    });
    const paths = one(r.docs, "Ingress").spec.rules[0].http.paths.map((p: { path: string }) => p.path);
    expect(paths).toEqual(["/mcp", "/agent"]);
    expect(one(r.docs, "ServiceMonitor").spec.endpoints[0]).toMatchObject({ port: "http", path: "/metrics" });
    // The hub needs no API access, and a ConfigMap never holds a secret.
    expect(one(r.docs, "Deployment").spec.template.spec.automountServiceAccountToken).toBe(false);
    expect(one(r.docs, "ConfigMap").data["config.yaml"]).not.toMatch(/ci-(api-key|prod-token)/);
    // Defaults: a generated 48-character key, no ServiceMonitor (it needs the Prometheus Operator's CRD).
    const d = await render(HELM, "kube-mcp-hub");
    expect(Buffer.from(one(d.docs, "Secret", "api-key").data["api-key"], "base64").length).toBe(48);
    expect(ofKind(d.docs, "ServiceMonitor")).toEqual([]);
    expect(ofKind(d.docs, "Ingress")).toEqual([]);
    // With OAuth, clients must reach the protected resource metadata through the Ingress too.
    const o = await render(HELM, "kube-mcp-hub", {
      set: [
        "ingress.enabled=true",
        "ingress.hosts[0].host=hub.example",
        "config.http.oauth.issuer=https://idp.example",
        "config.http.oauth.resource=https://hub.example/mcp",
      ],
    });
    expect(one(o.docs, "Ingress").spec.rules[0].http.paths.map((p: { path: string }) => p.path)).toEqual([
      "/mcp",
      "/agent",
      "/.well-known/oauth-protected-resource",
    ]);
    expect(
      ConfigSchema.safeParse(parseYaml(one(o.docs, "ConfigMap").data["config.yaml"])).error,
    ).toBeUndefined();
  });

  it("agent: the read role has no Secrets, the write role follows the mode", async () => {
    const base = ["hub.url=wss://hub.example/agent", "clusterName=prod", "token=0123456789abcdef0123"];
    const at = async (...set: string[]) =>
      (await render(HELM, "kube-mcp-agent", { set: [...base, ...set] })).docs;
    const readOnly = await at();
    const read = rules(readOnly, "-read");
    expect(read.flatMap((r) => r.resources)).not.toContain("secrets");
    expect(read.flatMap((r) => r.verbs).every((v) => ["get", "list", "watch"].includes(v))).toBe(true);
    // A "*" over the core group would include Secrets; other groups hold none.
    expect(
      read.filter((r) => r.apiGroups.includes("") || r.apiGroups.includes("*")).flatMap((r) => r.resources),
    ).not.toContain("*");
    expect(ofKind(readOnly, "ClusterRole").map((r) => r.metadata.name)).toEqual([
      "r-kube-mcp-agent-read",
      "r-kube-mcp-agent-view",
    ]);
    expect(grants(rules(await at("rbac.readSecrets=true"), "-read"), "", "secrets")).toEqual([
      "get",
      "list",
      "watch",
    ]);

    const nd = rules(await at("config.mode=non-destructive"), "-write");
    expect(grants(nd, "apps", "deployments")).toEqual(["create", "update", "patch"]);
    expect(nd.flatMap((r) => r.verbs)).not.toContain("delete");
    expect(nd.flatMap((r) => r.resources)).not.toContain("pods/exec");
    const full = rules(await at("config.mode=full"), "-write");
    expect(grants(full, "apps", "deployments")).toContain("delete");
    for (const sub of ["pods/exec", "pods/portforward", "pods/eviction", "pods/ephemeralcontainers", "nodes"])
      expect(grants(full, "", sub).length, sub).toBeGreaterThan(0);
    expect(full.flatMap((r) => r.resources)).not.toContain("secrets");
    expect(
      ofKind(await at("config.mode=full", "rbac.write=false"), "ClusterRole").map((r) => r.metadata.name),
    ).not.toContain("r-kube-mcp-agent-write");
    const scoped = await at("config.mode=non-destructive", "rbac.writeNamespaces={shop,data}");
    expect(ofKind(scoped, "RoleBinding").map((b) => b.metadata.namespace)).toEqual(["shop", "data"]);
    expect(ofKind(scoped, "ClusterRoleBinding").map((b) => b.metadata.name)).not.toContain(
      "r-kube-mcp-agent-write",
    );
    // The agent reads its token from the chart's Secret, mounted as a file.
    const c = container(one(readOnly, "Deployment"));
    expect(c.env).toContainEqual({ name: "AGENT_TOKEN_FILE", value: "/etc/kube-mcp/agent/token" });
    expect(c.env).toContainEqual({ name: "CENTRAL_SERVER_URL", value: "wss://hub.example/agent" });
  });

  it("hub replicas: NATS by URL or installed, rolling updates, a PDB and anti-affinity by default", async () => {
    const r = await render(HELM, "kube-mcp-hub", {
      values: ciValues("kube-mcp-hub").filter((v) => /replicas/.test(v)),
    });
    expect(r.code, r.stderr).toBe(0);
    const d = one(r.docs, "Deployment");
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.strategy).toEqual({
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
    });
    expect(container(d).env).toEqual(
      expect.arrayContaining([
        { name: "KUBE_MCP_NATS_URL", value: "nats://nats.nats.svc:4222,nats://nats-2.nats.svc:4222" },
        { name: "KUBE_MCP_NATS_CREDS", value: "/etc/kube-mcp/nats/nats.creds" },
      ]),
    );
    const volume = d.spec.template.spec.volumes.find((v: { name: string }) => v.name === "nats-creds");
    expect(volume.secret).toMatchObject({
      secretName: "hub-nats",
      items: [{ key: "hub.creds", path: "nats.creds" }],
    });
    expect(d.spec.template.spec.affinity.podAntiAffinity).toBeDefined();
    expect(one(r.docs, "PodDisruptionBudget").spec.maxUnavailable).toBe(1);
    const egress = one(r.docs, "NetworkPolicy").spec.egress as { ports: { port: number }[] }[];
    expect(egress.flatMap((e) => e.ports.map((p) => p.port))).toContain(4222);
    // The hub process takes what the chart passes: the env and the rendered config file.
    const file = parseYaml(one(r.docs, "ConfigMap").data["config.yaml"]);
    expect(
      ConfigSchema.safeParse({ ...file, hub: { nats: { urls: ["nats://x:4222"] } } }).error,
    ).toBeUndefined();

    // nats.install: one NATS server in the release, which only the hub's pods may reach.
    const i = await render(HELM, "kube-mcp-hub", {
      set: ["replicaCount=2", "nats.install=true", "networkPolicy.enabled=true"],
    });
    expect(i.code, i.stderr).toBe(0);
    const hub = one(i.docs, "Deployment", "kube-mcp-hub");
    const nats = one(i.docs, "Deployment", "-nats");
    expect(container(hub).env).toContainEqual({
      name: "KUBE_MCP_NATS_URL",
      value: "nats://r-kube-mcp-hub-nats:4222",
    });
    expect(one(i.docs, "Service", "-nats").spec.selector).toEqual(nats.spec.selector.matchLabels);
    // Neither Deployment's selector matches the other's pods.
    const matches = (sel: Record<string, string>, labels: Record<string, string>) =>
      Object.entries(sel).every(([k, v]) => labels[k] === v);
    expect(matches(hub.spec.selector.matchLabels, nats.spec.template.metadata.labels)).toBe(false);
    expect(matches(nats.spec.selector.matchLabels, hub.spec.template.metadata.labels)).toBe(false);
    expect(one(i.docs, "NetworkPolicy", "-nats").spec.ingress[0].from[0].podSelector.matchLabels).toEqual(
      hub.spec.selector.matchLabels,
    );
    // One replica: Recreate, no PDB unless asked.
    const single = await render(HELM, "kube-mcp-hub");
    expect(one(single.docs, "Deployment").spec.strategy).toEqual({ type: "Recreate" });
    expect(ofKind(single.docs, "PodDisruptionBudget")).toEqual([]);
  });

  it("agent: identity.impersonate sets the agent's identity and grants impersonate, limited as asked", async () => {
    const base = ["hub.url=wss://hub.example/agent", "clusterName=prod", "token=0123456789abcdef0123"];
    const docs = (await render(HELM, "kube-mcp-agent", { set: [...base, "identity.impersonate=true"] })).docs;
    const config = parseYaml(one(docs, "ConfigMap", "kube-mcp-agent").data["config.yaml"]);
    expect(config).toMatchObject({ identity: "impersonate", mode: "read-only" });
    expect(rules(docs, "-impersonate")).toEqual([
      { apiGroups: [""], resources: ["users"], verbs: ["impersonate"] },
      { apiGroups: [""], resources: ["groups"], verbs: ["impersonate"] },
      { apiGroups: ["authentication.k8s.io"], resources: ["userextras/kube-mcp"], verbs: ["impersonate"] },
    ]);
    expect(one(docs, "ClusterRoleBinding", "-impersonate").subjects[0].name).toBe("r-kube-mcp-agent");
    const limited = (
      await render(HELM, "kube-mcp-agent", {
        set: [
          ...base,
          "identity.impersonate=true",
          "identity.groups={team-a,team-b}",
          "identity.users={alice}",
        ],
      })
    ).docs;
    expect(
      rules(limited, "-impersonate").map((r) => (r as { resourceNames?: string[] }).resourceNames),
    ).toEqual([["alice"], ["team-a", "team-b"], undefined]);
    const off = (await render(HELM, "kube-mcp-agent", { set: base })).docs;
    expect(ofKind(off, "ClusterRole").map((r) => r.metadata.name)).not.toContain(
      "r-kube-mcp-agent-impersonate",
    );
    expect(parseYaml(one(off, "ConfigMap", "kube-mcp-agent").data["config.yaml"]).identity).toBeUndefined();
  });

  it("agent: capi serves the workload clusters, reading Clusters and only the named namespaces' Secrets", async () => {
    const base = ["hub.url=wss://hub.example/agent", "clusterName=mgmt", "token=0123456789abcdef0123"];
    const r = await render(HELM, "kube-mcp-agent", {
      set: [...base, "capi.enabled=true", "capi.namespaces={org-a,org-b}"],
    });
    expect(r.code, r.stderr).toBe(0);
    const config = parseYaml(one(r.docs, "ConfigMap", "kube-mcp-agent").data["config.yaml"]);
    expect(config.capi).toEqual({
      managementClusters: ["mgmt"],
      namespaces: ["org-a", "org-b"],
      refreshSeconds: 30,
    });
    expect(ConfigSchema.safeParse(config).error).toBeUndefined();
    expect(rules(r.docs, "-capi")).toEqual([
      { apiGroups: ["cluster.x-k8s.io"], resources: ["clusters"], verbs: ["get", "list", "watch"] },
    ]);
    const roles = ofKind(r.docs, "Role").filter((m) => m.metadata.name.endsWith("-capi-secrets"));
    expect(roles.map((m) => m.metadata.namespace)).toEqual(["org-a", "org-b"]);
    for (const m of roles)
      expect(m.rules).toEqual([{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] }]);
    expect(
      ofKind(r.docs, "RoleBinding").filter((m) => m.metadata.name.endsWith("-capi-secrets")),
    ).toHaveLength(2);
    // No ClusterRole of the agent's grants Secrets.
    for (const m of ofKind(r.docs, "ClusterRole"))
      expect(grants(m.rules ?? [], "", "secrets"), m.metadata.name).toEqual([]);
    const unnamed = await render(HELM, "kube-mcp-agent", { set: [...base, "capi.enabled=true"] });
    expect(unnamed.code).not.toBe(0);
    expect(unnamed.stderr).toContain("capi.namespaces: name the namespaces");
    const glob = await render(HELM, "kube-mcp-agent", {
      set: [...base, "capi.enabled=true", "capi.namespaces={org-*}"],
    });
    expect(glob.code).not.toBe(0);
  });

  it.each(["rbac.yaml", "impersonate.yaml"])("agent and serve share %s word for word", (file) => {
    const agent = readFileSync(join(CHARTS_DIR, "kube-mcp-agent/templates", file), "utf8");
    const serve = readFileSync(join(CHARTS_DIR, "kube-mcp/templates", file), "utf8");
    expect(serve).toBe(agent.replaceAll('"kube-mcp-agent.', '"kube-mcp.'));
  });

  it("serve: identity.impersonate sets the identity and grants impersonate, as the agent's does", async () => {
    const docs = (
      await render(HELM, "kube-mcp", { set: ["identity.impersonate=true", "identity.groups={ops}"] })
    ).docs;
    expect(parseYaml(one(docs, "ConfigMap", "kube-mcp").data["config.yaml"]).identity).toBe("impersonate");
    expect(rules(docs, "-impersonate").map((r) => r.resources[0])).toEqual([
      "users",
      "groups",
      "userextras/kube-mcp",
    ]);
    expect(one(docs, "ClusterRoleBinding", "-impersonate").subjects[0].name).toBe("r-kube-mcp");
  });

  it.each<[Chart, string[], RegExp]>([
    ["kube-mcp-hub", ["config.http.apiKey=0123456789abcdef0123"], /config\/http\/apiKey/],
    ["kube-mcp-hub", ["replicaCount=2"], /nats/],
    ["kube-mcp-hub", ["nats.url=http://nats:4222"], /nats\/url/],
    ["kube-mcp-hub", ["auth.apiKey=short"], /auth\/apiKey/],
    ["kube-mcp-hub", ["clusterTokens.prod=short"], /clusterTokens\/prod/],
    ["kube-mcp-hub", ["config.mood=full"], /mood/],
    ["kube-mcp-agent", ["hub.url=wss://h/agent", "clusterName=prod"], /set `token`/],
    ["kube-mcp-agent", ["clusterName=prod", "token=0123456789abcdef0123"], /set hub.url/],
    [
      "kube-mcp-agent",
      ["hub.url=https://h/agent", "clusterName=prod", "token=0123456789abcdef0123"],
      /hub\/url/,
    ],
    ["kube-mcp", ["config.mode=careful"], /config\/mode/],
  ])("%s refuses %j", async (chart, set, why) => {
    const r = await render(HELM, chart, { set });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(why);
  });
});

// ---------------------------------------------------------------------------------------------------
// Against the test bed's cluster alpha: server-side dry run, install, RBAC, and the charts' processes.

const TOKEN = `sim-token-${id}-0123456789abcdef`;
const procs: Proc[] = [];
const sessions: Session[] = [];

beforeAll(async () => {
  ok(await kubectl(["create", "namespace", NS]));
}, 30_000);
afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close().catch(() => {})));
  await Promise.all(procs.map((p) => p.stop()));
  await Promise.all(
    ["hub", "ro", "nd", "srv"].map((rel) =>
      helm("uninstall", rel, "--namespace", NS, "--wait", "--timeout", "60s"),
    ),
  );
  await kubectl(["delete", "namespace", NS, "--wait=false"]);
}, 90_000);

describe("charts on the test bed", () => {
  it("every rendered manifest passes a server-side dry run (ServiceMonitor skipped: no Prometheus Operator CRD)", async () => {
    const cases = CHARTS.flatMap((chart) => ciValues(chart).map((values) => ({ chart, values })));
    const results = await Promise.all(
      cases.map(async ({ chart, values }, i) => {
        const r = await render(HELM, chart, { release: `dry${i}`, namespace: NS, values: [values] });
        const docs = r.docs.filter((d) => d.kind !== "ServiceMonitor");
        const input = docs.map((d) => JSON.stringify(d)).join("\n");
        const applied = await kubectl(["apply", "--dry-run=server", "-f", "-"], input);
        return { what: `${chart} ${values}`, applied, count: docs.length };
      }),
    );
    for (const { what, applied, count } of results) {
      expect(applied.code, `${what}\n${applied.stderr}`).toBe(0);
      expect(applied.stdout.trim().split("\n"), what).toHaveLength(count);
    }
  });

  it("the README quick start's values and flags render to what it says and pass a server-side dry run", async () => {
    const readme = readFileSync(join(CHARTS_DIR, "..", "README.md"), "utf8");
    const qs = readme.slice(
      readme.indexOf("<!-- quickstart:start -->"),
      readme.indexOf("<!-- quickstart:end -->"),
    );
    const token = (name: string) => `${name.toLowerCase()}-0123456789abcdef0123`;
    const hubValues = (/cat > hub-values.yaml <<EOF\n([\s\S]*?)\nEOF/.exec(qs)?.[1] ?? "").replace(
      /\$(\w+)_TOKEN/g,
      (_, n: string) => token(n),
    );
    const file = join(dir, "hub-values.yaml");
    writeFileSync(file, hubValues);
    const hub = await render(HELM, "kube-mcp-hub", {
      release: "kube-mcp-hub",
      namespace: NS,
      values: [file],
    });
    expect(hub.code, hub.stderr).toBe(0);
    expect(Object.keys(one(hub.docs, "Secret", "cluster-tokens").data)).toEqual(["prod", "staging"]);
    expect(one(hub.docs, "Secret", "kube-mcp-hub-api-key")).toBeDefined();
    const paths = one(hub.docs, "Ingress").spec.rules[0].http.paths.map((p: { path: string }) => p.path);
    expect(paths).toEqual(["/mcp", "/agent"]);
    const agents = [...qs.matchAll(/helm install kube-mcp-agent charts\/kube-mcp-agent .*\\\n(.*)/g)].map(
      (m) =>
        [...(m[1] as string).matchAll(/--set (\S+)/g)].map((x) =>
          (x[1] as string).replace(/\$(\w+)_TOKEN/, (_, n) => token(n)),
        ),
    );
    expect(agents).toHaveLength(2);
    const rendered = [
      hub,
      ...(await Promise.all(
        agents.map((set) =>
          render(HELM, "kube-mcp-agent", { release: "kube-mcp-agent", namespace: NS, set }),
        ),
      )),
    ];
    for (const r of rendered) {
      expect(r.code, r.stderr).toBe(0);
      const input = r.docs.map((d) => JSON.stringify(d)).join("\n");
      ok(await kubectl(["apply", "--dry-run=server", "-f", "-"], input));
    }
    expect(one(rendered[1]?.docs ?? [], "Deployment").metadata.name).toBe("kube-mcp-agent");
  });

  // Installed once for the tests below: the hub, a read-only and a non-destructive agent, and serve.
  let installed: Record<string, Manifest>;
  beforeAll(async () => {
    const install = (rel: string, chart: Chart, ...set: string[]) =>
      helm(
        "install",
        rel,
        join(CHARTS_DIR, chart),
        "--namespace",
        NS,
        "--wait",
        "--timeout",
        "60s",
        ...set.flatMap((s) => ["--set", s]),
      );
    const agent = ["hub.url=ws://127.0.0.1:1/agent", "clusterName=sim", `token=${TOKEN}`];
    const results = await Promise.all([
      install("hub", "kube-mcp-hub", `clusterTokens.sim=${TOKEN}`),
      install("ro", "kube-mcp-agent", ...agent),
      install(
        "nd",
        "kube-mcp-agent",
        ...agent,
        "config.mode=non-destructive",
        "identity.impersonate=true",
        "identity.groups={team-a}",
      ),
      install("srv", "kube-mcp"),
    ]);
    for (const r of results) ok(r);
    const list = JSON.parse(ok(await kubectl(["get", "deployments", "-n", NS, "-o", "json"]))) as {
      items: Manifest[];
    };
    installed = Object.fromEntries(
      list.items.map((d) => [d.metadata.labels?.["app.kubernetes.io/instance"], d]),
    );
  }, 90_000);

  const secretValue = async (name: string, key: string) => {
    const out = ok(await kubectl(["get", "secret", name, "-n", NS, "-o", `jsonpath={.data.${key}}`]));
    return Buffer.from(out, "base64").toString("utf8");
  };
  const configFile = async (deployment: Manifest, name: string) => {
    const cm = JSON.parse(
      ok(await kubectl(["get", "configmap", deployment.metadata.name, "-n", NS, "-o", "json"])),
    );
    const path = join(dir, name);
    writeFileSync(path, cm.data["config.yaml"]);
    return path;
  };
  /** A directory shaped like a pod's service-account mount, with a TokenRequest token for `sa`. */
  const serviceAccountDir = async (sa: string) => {
    const sadir = join(dir, `sa-${sa}`);
    mkdirSync(sadir, { recursive: true });
    writeFileSync(
      join(sadir, "token"),
      ok(await kubectl(["create", "token", sa, "-n", NS, "--duration", "10m"])).trim(),
    );
    const ca = ok(
      await kubectl([
        "config",
        "view",
        "--raw",
        "--minify",
        "-o",
        "jsonpath={.clusters[0].cluster.certificate-authority-data}",
      ]),
    );
    writeFileSync(join(sadir, "ca.crt"), Buffer.from(ca, "base64"));
    writeFileSync(join(sadir, "namespace"), NS);
    const server = new URL(
      ok(await kubectl(["config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}"])),
    );
    return {
      KUBE_MCP_SERVICE_ACCOUNT_DIR: sadir,
      KUBERNETES_SERVICE_HOST: server.hostname,
      KUBERNETES_SERVICE_PORT: server.port,
      // Nothing else to fall back on: no kubeconfig, no env credentials.
      KUBECONFIG: join(dir, "no-kubeconfig"),
      PATH: `${bin}:${process.env.PATH ?? ""}`,
    };
  };

  it("installs: every pod runs as its chart says", async () => {
    const pods = JSON.parse(ok(await kubectl(["get", "pods", "-n", NS, "-o", "json"]))).items as Manifest[];
    expect(pods.map((p) => p.metadata.labels?.["app.kubernetes.io/instance"]).sort()).toEqual([
      "hub",
      "nd",
      "ro",
      "srv",
    ]);
    for (const p of pods) {
      expect(p.status.phase, p.metadata.name).toBe("Running");
      expect(p.spec.securityContext.runAsUser).toBe(1000);
    }
    expect(Object.keys(installed).sort()).toEqual(["hub", "nd", "ro", "srv"]);
  });

  it("RBAC: agents read but never Secrets; writes and deletes only as their mode allows", async () => {
    const can = async (sa: string, ...a: string[]) =>
      (await kubectl(["auth", "can-i", ...a, `--as=system:serviceaccount:${NS}:${sa}`])).stdout.trim();
    const checks: [string, string[], string][] = [];
    for (const sa of ["ro-kube-mcp-agent", "nd-kube-mcp-agent", "srv-kube-mcp"]) {
      checks.push(
        [sa, ["list", "pods", "-A"], "yes"],
        [sa, ["list", "deployments.apps", "-n", "shop"], "yes"],
        [sa, ["get", "pods", "--subresource=log", "-n", "shop"], "yes"],
        [sa, ["list", "nodes"], "yes"],
        [sa, ["get", "secrets", "-n", "shop"], "no"],
        [sa, ["list", "secrets", "-A"], "no"],
        [sa, ["delete", "pods", "-n", "shop"], "no"],
        [sa, ["delete", "deployments.apps", "-n", "shop"], "no"],
        [sa, ["create", "pods", "--subresource=exec", "-n", "shop"], "no"],
      );
    }
    checks.push(
      ["ro-kube-mcp-agent", ["patch", "deployments.apps", "-n", "shop"], "no"],
      ["srv-kube-mcp", ["patch", "deployments.apps", "-n", "shop"], "no"],
      ["nd-kube-mcp-agent", ["patch", "deployments.apps", "-n", "shop"], "yes"],
      ["nd-kube-mcp-agent", ["update", "deployments.apps", "--subresource=scale", "-n", "shop"], "yes"],
      ["nd-kube-mcp-agent", ["create", "configmaps", "-n", "shop"], "yes"],
      ["nd-kube-mcp-agent", ["patch", "nodes"], "no"],
      ["nd-kube-mcp-agent", ["create", "pods", "--subresource=eviction", "-n", "shop"], "no"],
      // The hub has no business with the API at all.
      ["hub-kube-mcp-hub", ["list", "pods", "-n", "shop"], "no"],
      // identity.impersonate: any user, only the named groups; never without it.
      ["nd-kube-mcp-agent", ["impersonate", "users/alice"], "yes"],
      ["nd-kube-mcp-agent", ["impersonate", "groups/team-a"], "yes"],
      ["nd-kube-mcp-agent", ["impersonate", "groups/system:masters"], "no"],
      ["ro-kube-mcp-agent", ["impersonate", "users/alice"], "no"],
    );
    const answers = await Promise.all(checks.map(([sa, a]) => can(sa, ...a)));
    const got = checks.map(([sa, a], i) => `${sa} ${a.join(" ")}: ${answers[i]}`);
    expect(got).toEqual(checks.map(([sa, a, want]) => `${sa} ${a.join(" ")}: ${want}`));
  });

  it("identity.impersonate: the agent, run as its pod would, may impersonate as its start-up check asks", async () => {
    const agentCmd = podCommand(
      installed.nd as Manifest,
      {
        "/etc/kube-mcp/config.yaml": await configFile(installed.nd as Manifest, "agent-nd.yaml"),
        "/etc/kube-mcp/agent/token": join(dir, "nd-token"),
        "0.0.0.0:8081": "127.0.0.1:0",
      },
      () => "",
    );
    writeFileSync(join(dir, "nd-token"), TOKEN);
    const agent = spawnRole("agent", agentCmd.args, {
      ...agentCmd.env,
      ...(await serviceAccountDir("nd-kube-mcp-agent")),
    });
    procs.push(agent);
    // "agent starting" comes after the check; no hub listens there, so it then only retries.
    await agent.waitFor(/"msg":"agent starting"[^\n]*"identity":"impersonate"/);
    expect(agent.log()).not.toMatch(/may not impersonate|may impersonate no group/);
    await agent.stop();
  });

  it("the charts' hub and agent, run as their pods would, answer through MCP with the agent's ServiceAccount", async () => {
    const port = await freePort();
    // The hub: the installed Deployment's args and env, its ConfigMap, its Secrets (tokens as a mounted directory).
    const tokensDir = secretVolume(join(dir, "cluster-tokens"), {
      sim: await secretValue("hub-kube-mcp-hub-cluster-tokens", "sim"),
    });
    const hubCmd = podCommand(
      installed.hub as Manifest,
      {
        "/etc/kube-mcp/config.yaml": await configFile(installed.hub as Manifest, "hub.yaml"),
        "/etc/kube-mcp/cluster-tokens": tokensDir,
        "0.0.0.0:3000": `127.0.0.1:${port}`,
      },
      () => "",
    );
    const apiKey = await secretValue("hub-kube-mcp-hub-api-key", "api-key");
    hubCmd.env.MCP_API_KEY = apiKey;
    expect(hubCmd.role).toBe("hub");
    const hub = spawnRole("hub", hubCmd.args, hubCmd.env);
    procs.push(hub);
    await hub.waitFor(/"msg":"hub serving"/);

    // The agent: in-cluster style, with a TokenRequest token of the read-only release's ServiceAccount.
    const tokenFile = join(dir, "agent-token");
    writeFileSync(tokenFile, await secretValue("ro-kube-mcp-agent-token", "token"));
    const agentCmd = podCommand(
      installed.ro as Manifest,
      {
        "/etc/kube-mcp/config.yaml": await configFile(installed.ro as Manifest, "agent.yaml"),
        "/etc/kube-mcp/agent/token": tokenFile,
        "0.0.0.0:8081": "127.0.0.1:0",
      },
      () => "",
    );
    agentCmd.env.CENTRAL_SERVER_URL = `ws://127.0.0.1:${port}/agent`;
    const agent = spawnRole("agent", agentCmd.args, {
      ...agentCmd.env,
      ...(await serviceAccountDir("ro-kube-mcp-agent")),
    });
    procs.push(agent);
    await agent.waitFor(/registered with the hub/);
    expect(agent.log()).toMatch(/"mode":"read-only"/);
    const health = /"health":"([^"]+)"/.exec(agent.log())?.[1];
    expect((await fetch(`http://${health}/readyz`)).status).toBe(200);

    const s = await httpSession(`http://127.0.0.1:${port}/mcp`, { headers: { "x-api-key": apiKey } });
    sessions.push(s);
    const clusters = await call(s.client, "clusters_list");
    expect(clusters.text).toMatch(/sim/);
    const pods = await call(s.client, "resources_list", { cluster: "sim", kind: "pods", namespace: "shop" });
    expect(pods.isError, pods.text).toBe(false);
    expect(pods.text).toMatch(/web-/);
    const secret = await call(s.client, "resources_get", {
      cluster: "sim",
      kind: "Secret",
      namespace: "shop",
      name: "db-credentials",
    });
    expect(secret.isError).toBe(true);
    expect(secret.text).toMatch(/Forbidden/);
    expect(secret.text).toMatch(new RegExp(`system:serviceaccount:${NS}:ro-kube-mcp-agent`));
    expect(leaks(secret.text + pods.text)).toEqual([]);
    // Without the chart's API key the hub answers 401.
    expect((await fetch(`http://127.0.0.1:${port}/mcp`, { method: "POST" })).status).toBe(401);
  });

  it("the kube-mcp chart's serve, run as its pod would, serves its own cluster with its ServiceAccount", async () => {
    const cmd = podCommand(
      installed.srv as Manifest,
      { "/etc/kube-mcp/config.yaml": await configFile(installed.srv as Manifest, "serve.yaml") },
      () => "",
    );
    expect(cmd.role).toBe("serve");
    // startHttpServer adds --http 127.0.0.1:0 before the chart's args, which then set 0.0.0.0:8080: drop those.
    const args = cmd.args.filter((a) => !a.startsWith("--http="));
    const apiKey = await secretValue("srv-kube-mcp-api-key", "api-key");
    const server = await startHttpServer(args, {
      MCP_API_KEY: apiKey,
      ...(await serviceAccountDir("srv-kube-mcp")),
    });
    try {
      const s = await httpSession(server.url, { headers: { authorization: `Bearer ${apiKey}` } });
      sessions.push(s);
      const deployments = await call(s.client, "resources_list", { kind: "deployments", namespace: "shop" });
      expect(deployments.isError, deployments.text).toBe(false);
      expect(deployments.text).toMatch(/web/);
      const tools = (await s.client.listTools()).tools.map((t) => t.name);
      expect(tools).not.toContain("resources_apply");
    } finally {
      await server.stop();
    }
  });
});

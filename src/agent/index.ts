// `kube-mcp agent`: runs in (or beside) one cluster, dials OUT to the hub over WebSocket with its own
// token, and runs the hub's tool calls with its own credentials and its own policy (as the hub's caller,
// impersonated, when its own configuration says identity: impersonate). Reconnects with
// exponential backoff and jitter; /healthz says the process is alive, /readyz that it is connected and
// its API server answers.
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { ConfigError, loadConfig } from "../config/load.js";
import { helpText, SECRET_ENV } from "../config/options.js";
import type { Config } from "../config/schema.js";
import { impersonationCheck } from "../kube/access.js";
import { gatherClusters } from "../kube/sources.js";
import type { CapiInfo } from "../kube/types.js";
import type { ClusterEntry } from "../link/protocol.js";
import { createAudit } from "../obs/audit.js";
import { untilShutdown } from "../obs/lifecycle.js";
import { parseListen } from "../obs/listen.js";
import { createLogger, type Logger } from "../obs/log.js";
import { METRICS_CONTENT_TYPE, Metrics } from "../obs/metrics.js";
import { startTracing, tracer } from "../obs/tracing.js";
import { toolsFor } from "../policy/modes.js";
import { aliasTable, withAliases } from "../policy/toolsets.js";
import type { Cluster, Clusters } from "../targets/clusters.js";
import { followCapi, newClusters } from "../targets/local.js";
import { cliTools } from "../tools/cli.js";
import { ALL_TOOLS } from "../tools/index.js";
import { version } from "../version.js";
import { CallRunner } from "./calls.js";
import { type AgentSettings, HubConnection } from "./connection.js";

const NOTES = [
  "The agent's cluster: the in-cluster service account when present, otherwise the usual kubeconfig",
  "sources with K8S_CONTEXT choosing the context. Its mode (default read-only) is enforced here,",
  "whatever the hub asks. The token comes from AGENT_TOKEN or --token-file. With --identity impersonate",
  "it acts as each hub caller (its account needs the impersonate verb; checked at start-up).",
];

const MAX_FURTHER = 2000;

/** The agent's further clusters as the hub learns them: name, the agent's policy, and CAPI's account. */
function furtherClusters(clusters: Clusters, own: string): ClusterEntry[] {
  // The link's limit: beyond it a hello would be refused as malformed (and the agent with it).
  return clusters
    .all()
    .filter((c) => c.name !== own)
    .slice(0, MAX_FURTHER)
    .map((c) => {
      const { caOnly: _, ...capi } = c.spec.capi ?? ({} as Partial<CapiInfo>);
      return {
        name: c.name,
        policy: {
          mode: c.mode,
          namespace: c.namespace,
          revealSecrets: c.revealSecrets,
          identity: c.identity ?? "service",
          ...(c.scope?.active ? { scope: [...c.scope.layers] } : {}),
        },
        ...(c.spec.capi ? { capi: capi as CapiInfo } : {}),
      };
    });
}

function settings(config: Readonly<Config>, env: NodeJS.ProcessEnv): AgentSettings {
  const a = config.agent;
  const missing = [
    !a.hubUrl && "CENTRAL_SERVER_URL (--hub-url)",
    !a.clusterName && "CLUSTER_NAME (--cluster-name)",
    !a.tokenFile && !env[SECRET_ENV.agentToken] && "AGENT_TOKEN (or AGENT_TOKEN_FILE)",
  ].filter(Boolean);
  if (missing.length) throw new ConfigError(`the agent needs ${missing.join(", ")}`);
  let token = env[SECRET_ENV.agentToken] ?? "";
  let ca: Buffer | undefined;
  try {
    if (a.tokenFile) token = readFileSync(a.tokenFile, "utf8").trim();
    if (a.caFile) ca = readFileSync(a.caFile);
  } catch (err) {
    throw new ConfigError(
      `cannot read ${(err as { path?: string }).path}: ${(err as NodeJS.ErrnoException).code}`,
    );
  }
  if (token.length < 16) throw new ConfigError("the agent token must be at least 16 characters");
  const urls = (a.hubUrl as string)
    .split(",")
    .map((u) => u.trim())
    .filter(Boolean);
  const bad = urls.find((u) => !/^wss?:\/\//.test(u));
  if (bad) throw new ConfigError(`the hub URL "${bad}" must start with wss:// (or ws:// for development)`);
  return { urls, name: a.clusterName as string, token, ...(ca ? { ca } : {}) };
}

/** The one cluster this agent serves, renamed to its name at the hub, and its registry (for callers' views). */
function localCluster(config: Readonly<Config>, name: string, log: Logger): [Cluster, Clusters] {
  const env = {
    ...process.env,
    ...(config.kube.kubeconfig ? { KUBECONFIG: config.kube.kubeconfig } : {}),
    ...(config.kube.context ? { K8S_CONTEXT: config.kube.context } : {}),
  };
  const found = gatherClusters(env);
  for (const w of found.warnings) log.warn(w);
  const spec =
    found.clusters.find((c) => c.source === "in-cluster") ??
    found.clusters.find((c) => c.name === found.defaultCluster);
  if (!spec)
    throw new ConfigError(
      "no cluster to serve: run in a pod with a service account, or give a kubeconfig (K8S_CONTEXT picks the context)",
    );
  const clusters = newClusters(config);
  clusters.replace([{ ...spec, name }], name);
  return [clusters.select(name)[0] as Cluster, clusters];
}

/**
 * An impersonating agent whose account may not impersonate would fail every call: say so once, at
 * start-up, rather than serve the hub's callers a Forbidden each (and never serve them as itself).
 */
async function checkImpersonation(cluster: Cluster, log: Logger): Promise<string | undefined> {
  const r = await impersonationCheck(cluster.api, cluster.namespace, "the agent's account");
  for (const w of r.warnings) log.warn(w);
  return r.error && `${r.error} (the agent chart's identity.impersonate), or set identity: service`;
}

interface Started {
  config: Readonly<Config>;
  s: AgentSettings;
  log: Logger;
  cluster: Cluster;
  clusters: Clusters;
}

/** The configuration, the hub settings and the one cluster, or the exit code when they are unusable. */
function loadOrExit(argv: string[]): Started | number {
  try {
    const loaded = loadConfig(argv, process.env, "read-only", "agent");
    if (loaded.help) {
      process.stdout.write(helpText("agent", "In-cluster agent that dials out to a kube-mcp hub.", NOTES));
      return 0;
    }
    const config = loaded.config;
    const s = settings(config, process.env);
    const log = createLogger(config.logLevel, { role: "agent", cluster: s.name });
    const [cluster, clusters] = localCluster(config, s.name, log);
    return { config, s, log, cluster, clusters };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`kube-mcp agent: ${err.message}\n`);
    return 2;
  }
}

/** What an agent cannot do, said at start-up (exit code 2); warnings about an insecure hub link. */
async function refusal({ config, s, log, cluster }: Started): Promise<string | undefined> {
  if (config.capi?.credentials === "ca")
    return "capi.credentials: ca needs each caller's own token, which a hub never sends on; use the kubeconfig Secrets (capi.credentials: kubeconfig)";
  if (cluster.identity === "passthrough")
    return "identity passthrough is not available on an agent (a hub never sends callers' tokens on); use impersonate";
  if (cluster.identity === "impersonate") {
    const problem = await checkImpersonation(cluster, log);
    if (problem) {
      log.error(problem);
      return problem;
    }
  }
  if (config.agent.insecureTls)
    log.warn(
      "INSECURE_TLS is set: the hub's certificate is NOT verified. Anyone on the path can impersonate the hub. Development only.",
    );
  if (s.urls.some((u) => u.startsWith("ws://") && !/^ws:\/\/(127\.|localhost|\[::1\])/.test(u)))
    log.warn("the hub URL is plain ws:// over the network: the token and every call travel unencrypted");
  return undefined;
}

export async function run(argv: string[]): Promise<number> {
  const started = loadOrExit(argv);
  if (typeof started === "number") return started;
  const problem = await refusal(started);
  if (problem) {
    process.stderr.write(`kube-mcp agent: ${problem}\n`);
    return 2;
  }
  const { config, s, log, cluster, clusters } = started;
  const mode = config.mode ?? "read-only";
  const tools = [...toolsFor(mode, ALL_TOOLS), ...cliTools(mode, config)].filter((t) => t.perCluster);
  // An older hub still calls renamed tools by their old names.
  const aliases = aliasTable(ALL_TOOLS);
  const known = new Set([...ALL_TOOLS, ...cliTools("full", config)].map((t) => t.name));
  for (const old of aliases.keys()) known.add(old);
  const audit = createAudit("agent");
  const metrics = new Metrics("agent", version(), { cluster: s.name });
  await startTracing(config, "agent", log, metrics);
  const runner = new CallRunner(
    cluster,
    (caller, name = s.name) => clusters.as(caller).select(name)[0] as Cluster,
    withAliases(new Map(tools.map((t) => [t.name, t])), aliases),
    known,
    config,
    log,
    (r) => {
      audit(r);
      metrics.call(r.tool, r.outcome, r.ms);
    },
    (name) => (name === s.name ? undefined : clusters.all().find((c) => c.name === name)),
  );
  const link = new HubConnection(
    s,
    config,
    cluster,
    tools.map((t) => t.name),
    runner,
    log,
    undefined,
    () => furtherClusters(clusters, s.name),
  );
  // An agent in a management cluster serves its Cluster API workload clusters as further clusters.
  const stopCapi = config.capi
    ? followCapi(
        { ...config.capi, managementClusters: [s.name] },
        clusters,
        { local: [cluster.spec], defaultName: s.name, workloads: [] },
        log,
        () => link.clustersChanged(),
      )
    : () => {};
  metrics.gauge("kube_mcp_hub_connected", "1 while registered with the hub.", () => (link.connected ? 1 : 0));
  const health = await serveHealth(config.agent.healthListen, link, cluster, metrics, log);
  const addr = health.address();
  log.info("agent starting", {
    hub: s.urls.join(","),
    mode,
    identity: cluster.identity ?? "service",
    health: typeof addr === "object" && addr ? `${addr.address}:${addr.port}` : "",
  });
  link.start();

  return untilShutdown(log, () => {
    link.stop();
    stopCapi();
    runner.cancelAll("the agent is shutting down");
    health.close();
    return tracer().shutdown();
  }).done;
}

/** /healthz: the process is alive; /readyz: connected to the hub and its API server answers; /metrics. */
async function serveHealth(
  listen: string,
  link: HubConnection,
  cluster: Cluster,
  metrics: Metrics,
  log: Logger,
): Promise<Server> {
  const health = createServer((req, res) => {
    if (req.url === "/healthz") return void res.writeHead(200).end("ok\n");
    if (req.url === "/metrics")
      return void res.writeHead(200, { "content-type": METRICS_CONTENT_TYPE }).end(metrics.render());
    if (req.url === "/readyz") {
      if (!link.connected) return void res.writeHead(503).end("not connected to the hub\n");
      cluster.api
        .json({ path: "/version", timeoutMs: 3_000 })
        .then(() => res.writeHead(200).end("ready\n"))
        .catch(() => res.writeHead(503).end("the API server does not answer\n"));
      return;
    }
    res.writeHead(404).end();
  });
  const { host, port } = parseListen(listen);
  await new Promise<void>((resolve, reject) => {
    health.once("error", reject);
    health.listen(port, host, () => resolve());
  }).catch((err: Error) => {
    log.error(`cannot serve health checks on ${listen}: ${err.message}`);
    throw err;
  });
  return health;
}

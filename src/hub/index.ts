// `kube-mcp hub`: one MCP endpoint (streamable HTTP at /mcp) for a fleet. Agents dial in over WebSocket
// at the agent path; every cluster tool takes `cluster` and runs on the agents (or on local clusters
// given with --kubeconfig), merged and rendered exactly as `serve` does.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { ConfigError, loadConfig } from "../config/load.js";
import { helpText } from "../config/options.js";
import type { Config } from "../config/schema.js";
import { PortForwards } from "../kube/portforward.js";
import { watchFiles } from "../kube/sources.js";
import { authKinds } from "../mcp/auth-kinds.js";
import { type HttpHandle, startHttp } from "../mcp/http.js";
import { scopedServers } from "../mcp/scoped.js";
import { createAudit } from "../obs/audit.js";
import { untilShutdown } from "../obs/lifecycle.js";
import { StartupError } from "../obs/listen.js";
import { createLogger, type Logger } from "../obs/log.js";
import { Metrics } from "../obs/metrics.js";
import { startTracing, tracer } from "../obs/tracing.js";
import type { Clusters } from "../targets/clusters.js";
import { followCapi, loadClusters, newClusters, type Sources } from "../targets/local.js";
import { classedTools, modeRefusals, serverTools, type ToolSelection } from "../tools/cli.js";
import { ALL_TOOLS } from "../tools/index.js";
import { INSTRUCTIONS } from "../tools/instructions.js";
import { PROMPTS } from "../tools/prompts.js";
import { version } from "../version.js";
import { Agents } from "./agents.js";
import { hubClustersList } from "./clusters-list.js";
import type { Replicas } from "./replicas.js";
import { loadTokens, tokenFiles } from "./tokens.js";

/** Tools that make no sense through a hub: clusters_list is the hub's own; a port-forward binds locally. */
const NOT_ROUTED = new Set(["clusters_list", "pods_port_forward"]);

const NOTES = [
  'Agents: give each cluster a token (CLUSTER_TOKENS=\'{"prod":"…"}\' or --cluster-tokens-path), then run',
  "`kube-mcp agent` in that cluster with CENTRAL_SERVER_URL=wss://HUB/agent, CLUSTER_NAME and AGENT_TOKEN.",
  "Clients: http(s)://HUB/mcp with MCP_API_KEY as X-Api-Key or Authorization: Bearer.",
  "Local clusters are served beside the agents only when --kubeconfig is given.",
];

/** The configuration and the agents' tokens, or the exit code when there is none to serve with. */
function loadOrExit(argv: string[]): { config: Readonly<Config>; tokens: Record<string, string> } | number {
  try {
    const loaded = loadConfig(argv, process.env, "read-only", "hub");
    if (loaded.help) {
      process.stdout.write(
        helpText("hub", "One MCP endpoint for a fleet of clusters reached through agents.", NOTES),
      );
      return 0;
    }
    return { config: loaded.config, tokens: loadTokens(loaded.config) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`kube-mcp hub: ${err.message}\n`);
    return 2;
  }
}

export async function run(argv: string[]): Promise<number> {
  const loaded = loadOrExit(argv);
  if (typeof loaded === "number") return loaded;
  const { config, tokens } = loaded;
  const log = createLogger(config.logLevel, { role: "hub" });
  const mode = config.mode ?? "read-only";
  const clusters = newClusters(config);
  const sources: Sources = { local: [], workloads: [] };
  if (config.kube.kubeconfig) loadClusters(config, clusters, log, sources);
  // Cluster API workload clusters of the hub's own (kubeconfig) management clusters.
  const stopCapi = config.capi ? followCapi(config.capi, clusters, sources, log) : () => {};
  const agents = new Agents(config, tokens, log.child({ component: "agents" }));
  const fleet = await remoteClusters(config, agents, clusters, log);
  if (typeof fleet === "number") return fleet;
  const stopWatching = watchTokens(config, agents, fleet.refresh, log);
  if (!Object.keys(tokens).length && !clusters.all().length)
    log.warn("no cluster tokens and no local clusters: no agent can connect (set CLUSTER_TOKENS)");
  const routed = ALL_TOOLS.filter((t) => !NOT_ROUTED.has(t.name));
  let selection: ToolSelection;
  try {
    // The agents run the CLI tools, so whether the hub's machine has a binary says nothing: all listed.
    selection = serverTools(mode, config, [hubClustersList(agents, fleet.withNats), ...routed]);
    selection.tools = selection.tools.map(({ installed: _, ...t }) => t);
  } catch (err) {
    process.stderr.write(`kube-mcp hub: ${(err as Error).message}\n`);
    return 2;
  }
  const deps = {
    name: "kube-mcp-hub",
    version: version(),
    instructions: INSTRUCTIONS,
    hidden: modeRefusals(mode, config, routed, selection.tools),
    prompts: PROMPTS,
    config,
    clusters,
    log,
    forwards: new PortForwards(log),
    audit: createAudit("hub"),
    metrics: new Metrics("hub", version()),
  };
  hubMetrics(deps.metrics, agents, fleet.withNats);
  await startTracing(config, "hub", log, deps.metrics);
  const http = await serveHttp(config, scopedServers(deps, mode, selection, classedTools(selection.tools)), {
    log,
    metrics: deps.metrics,
    // A replica is ready once it has joined the others; a NATS outage later only degrades it.
    ready: () => !config.hub.nats || fleet.replicas() !== undefined,
  });
  if (!http) return 1;
  http.server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? "/", "http://hub").pathname;
    if (path === config.hub.agentPath) return agents.upgrade(req, socket, head);
    socket.end("HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
  });
  log.info("hub serving", {
    url: http.url,
    agentPath: config.hub.agentPath,
    clusters: Object.keys(tokens),
    local: clusters
      .all()
      .filter((c) => !c.remote)
      .map((c) => c.name),
    mode,
    auth: authKinds(config),
    ...(config.hub.nats ? { nats: config.hub.nats.urls } : {}),
  });

  return untilShutdown(log, () => {
    fleet.stop();
    stopWatching();
    stopCapi();
    agents.close();
    return Promise.all([http.close(), fleet.replicas()?.close()]).then(() => tracer().shutdown());
  }).done;
}

/**
 * The remote clusters in the registry: the agents' and, with NATS, also those other replicas serve (the
 * NATS client loads only then). The exit code 2 when the NATS credentials cannot be read.
 */
async function remoteClusters(
  config: Readonly<Config>,
  agents: Agents,
  clusters: Clusters,
  log: Logger,
): Promise<
  | {
      refresh: () => void;
      replicas: () => Replicas | undefined;
      /** Set with NATS only: the replicas once joined (what clusters_list asks). */
      withNats: (() => Replicas | undefined) | undefined;
      stop: () => void;
    }
  | number
> {
  let replicas: Replicas | undefined;
  let stopping = false;
  const refresh = () => clusters.setRemote(replicas ? replicas.clusters() : agents.clusters());
  refresh();
  agents.onClusters = refresh;
  if (config.hub.nats) {
    const nats = await import("./replicas.js");
    try {
      nats.natsOptions(config.hub.nats);
    } catch (err) {
      process.stderr.write(`kube-mcp hub: cannot read the NATS credentials: ${(err as Error).message}\n`);
      return 2;
    }
    void nats.Replicas.start(
      config,
      agents,
      log.child({ component: "replicas" }),
      refresh,
      () => stopping,
    ).then((r) => {
      replicas = r;
      refresh();
    });
  }
  return {
    refresh,
    replicas: () => replicas,
    withNats: config.hub.nats ? () => replicas : undefined,
    stop: () => {
      stopping = true;
    },
  };
}

/** Tokens from a file or a mounted Secret are re-read when they change (a new cluster needs no restart). */
function watchTokens(config: Readonly<Config>, agents: Agents, refresh: () => void, log: Logger): () => void {
  const tokensPath = config.hub.tokensPath;
  if (!tokensPath) return () => {};
  return watchFiles(tokenFiles(tokensPath), () => {
    try {
      agents.setTokens(loadTokens(config));
      refresh();
      log.info("cluster tokens reloaded", { clusters: [...agents.links.keys()] });
    } catch (err) {
      log.error("cluster tokens could not be reloaded; keeping the previous ones", { err });
    }
  });
}

/** The fleet's gauges and counters: agents connected and known, and with NATS the replicas' traffic. */
function hubMetrics(m: Metrics, agents: Agents, withNats: (() => Replicas | undefined) | undefined): void {
  m.gauge("kube_mcp_agents_connected", "Agents connected to this hub.", () =>
    [...agents.links.values()].reduce((n, l) => n + (l.connected ? 1 : 0), 0),
  );
  m.gauge("kube_mcp_agents_known", "Clusters this hub has an agent token for.", () => agents.links.size);
  if (!withNats) return;
  m.gauge("kube_mcp_nats_connected", "1 while this replica's NATS connection is up.", () =>
    withNats()?.natsConnected ? 1 : 0,
  );
  m.gauge(
    "kube_mcp_hub_replicas_seen",
    "Other hub replicas heard on NATS.",
    () => withNats()?.peerCount ?? 0,
  );
  m.counter(
    "kube_mcp_nats_calls_in_total",
    "Calls other replicas routed here.",
    () => withNats()?.routedIn ?? 0,
  );
  m.counter(
    "kube_mcp_nats_calls_out_total",
    "Calls routed to other replicas.",
    () => withNats()?.routedOut ?? 0,
  );
}

/** The MCP endpoint on the hub's port; undefined when it could not start (logged). */
async function serveHttp(
  config: Readonly<Config>,
  { factory, safety, onListChanged, cancel }: ReturnType<typeof scopedServers>,
  o: { log: Logger; metrics: Metrics; ready: () => boolean },
): Promise<HttpHandle | undefined> {
  const listen = config.http.listen ?? `0.0.0.0:${config.hub.port}`;
  const mode = config.mode ?? "read-only";
  try {
    return await startHttp({
      factory,
      config: { ...config, mode, http: { ...config.http, listen } },
      ...o,
      safety,
      onListChanged,
      cancel,
    });
  } catch (err) {
    if (!(err instanceof StartupError)) throw err;
    o.log.error(err.message);
    return undefined;
  }
}

// `kube-mcp hub`: one MCP endpoint (streamable HTTP at /mcp) for a fleet. Agents dial in over WebSocket
// at the agent path; every cluster tool takes `cluster` and runs on the agents (or on local clusters
// given with --kubeconfig), merged and rendered exactly as `serve` does.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { ConfigError, loadConfig } from "../config/load.js";
import { helpText } from "../config/options.js";
import { PortForwards } from "../kube/portforward.js";
import { watchFiles } from "../kube/sources.js";
import { authKinds } from "../mcp/auth-kinds.js";
import { startHttp } from "../mcp/http.js";
import { scopedServers } from "../mcp/scoped.js";
import { createAudit } from "../obs/audit.js";
import { untilShutdown } from "../obs/lifecycle.js";
import { StartupError } from "../obs/listen.js";
import { createLogger } from "../obs/log.js";
import { Metrics } from "../obs/metrics.js";
import { startTracing, tracer } from "../obs/tracing.js";
import { followCapi, loadClusters, newClusters, type Sources } from "../targets/local.js";
import { classedTools, modeRefusals, serverTools, type ToolSelection } from "../tools/cli.js";
import { ALL_TOOLS } from "../tools/index.js";
import { INSTRUCTIONS } from "../tools/instructions.js";
import { PROMPTS } from "../tools/prompts.js";
import { version } from "../version.js";
import { Agents } from "./agents.js";
import { hubClustersList } from "./clusters-list.js";
import { loadTokens, tokenFiles } from "./tokens.js";

/** Tools that make no sense through a hub: clusters_list is the hub's own; a port-forward binds locally. */
const NOT_ROUTED = new Set(["clusters_list", "pods_port_forward"]);

const NOTES = [
  'Agents: give each cluster a token (CLUSTER_TOKENS=\'{"prod":"…"}\' or --cluster-tokens-path), then run',
  "`kube-mcp agent` in that cluster with CENTRAL_SERVER_URL=wss://HUB/agent, CLUSTER_NAME and AGENT_TOKEN.",
  "Clients: http(s)://HUB/mcp with MCP_API_KEY as X-Api-Key or Authorization: Bearer.",
  "Local clusters are served beside the agents only when --kubeconfig is given.",
];

export async function run(argv: string[]): Promise<number> {
  let config: ReturnType<typeof loadConfig>["config"];
  let tokens: Record<string, string>;
  try {
    const loaded = loadConfig(argv, process.env, "read-only", "hub");
    if (loaded.help) {
      process.stdout.write(
        helpText("hub", "One MCP endpoint for a fleet of clusters reached through agents.", NOTES),
      );
      return 0;
    }
    config = loaded.config;
    tokens = loadTokens(config);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`kube-mcp hub: ${err.message}\n`);
    return 2;
  }
  const log = createLogger(config.logLevel, { role: "hub" });
  const mode = config.mode ?? "read-only";
  const clusters = newClusters(config);
  const sources: Sources = { local: [], workloads: [] };
  if (config.kube.kubeconfig) loadClusters(config, clusters, log, sources);
  // Cluster API workload clusters of the hub's own (kubeconfig) management clusters.
  const stopCapi = config.capi ? followCapi(config.capi, clusters, sources, log) : () => {};
  const agents = new Agents(config, tokens, log.child({ component: "agents" }));
  // With NATS, the registry also holds the clusters other replicas serve; the client loads only then.
  let replicas: import("./replicas.js").Replicas | undefined;
  const refresh = () => clusters.setRemote(replicas ? replicas.clusters() : agents.clusters());
  refresh();
  agents.onClusters = refresh;
  let stopping = false;
  if (config.hub.nats) {
    const { natsOptions, Replicas } = await import("./replicas.js");
    try {
      natsOptions(config.hub.nats);
    } catch (err) {
      process.stderr.write(`kube-mcp hub: cannot read the NATS credentials: ${(err as Error).message}\n`);
      return 2;
    }
    void Replicas.start(config, agents, log.child({ component: "replicas" }), refresh, () => stopping).then(
      (r) => {
        replicas = r;
        refresh();
      },
    );
  }
  // Tokens from a file or a mounted Secret are re-read when they change (a new cluster needs no restart).
  const tokensPath = config.hub.tokensPath;
  const stopWatching = tokensPath
    ? watchFiles(tokenFiles(tokensPath), () => {
        try {
          agents.setTokens(loadTokens(config));
          refresh();
          log.info("cluster tokens reloaded", { clusters: [...agents.links.keys()] });
        } catch (err) {
          log.error("cluster tokens could not be reloaded; keeping the previous ones", { err });
        }
      })
    : () => {};
  if (!Object.keys(tokens).length && !clusters.all().length)
    log.warn("no cluster tokens and no local clusters: no agent can connect (set CLUSTER_TOKENS)");

  const withNats = config.hub.nats ? () => replicas : undefined;
  const routed = ALL_TOOLS.filter((t) => !NOT_ROUTED.has(t.name));
  let selection: ToolSelection;
  try {
    // The agents run the CLI tools, so whether the hub's machine has a binary says nothing: all listed.
    selection = serverTools(mode, config, [hubClustersList(agents, withNats), ...routed]);
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
  deps.metrics.gauge("kube_mcp_agents_connected", "Agents connected to this hub.", () =>
    [...agents.links.values()].reduce((n, l) => n + (l.connected ? 1 : 0), 0),
  );
  deps.metrics.gauge(
    "kube_mcp_agents_known",
    "Clusters this hub has an agent token for.",
    () => agents.links.size,
  );
  if (config.hub.nats) {
    const m = deps.metrics;
    m.gauge("kube_mcp_nats_connected", "1 while this replica's NATS connection is up.", () =>
      replicas?.natsConnected ? 1 : 0,
    );
    m.gauge(
      "kube_mcp_hub_replicas_seen",
      "Other hub replicas heard on NATS.",
      () => replicas?.peerCount ?? 0,
    );
    m.counter(
      "kube_mcp_nats_calls_in_total",
      "Calls other replicas routed here.",
      () => replicas?.routedIn ?? 0,
    );
    m.counter(
      "kube_mcp_nats_calls_out_total",
      "Calls routed to other replicas.",
      () => replicas?.routedOut ?? 0,
    );
  }
  await startTracing(config, "hub", log, deps.metrics);
  const listen = config.http.listen ?? `0.0.0.0:${config.hub.port}`;
  let http: Awaited<ReturnType<typeof startHttp>>;
  try {
    const { factory, safety, onListChanged, cancel } = scopedServers(
      deps,
      mode,
      selection,
      classedTools(selection.tools),
    );
    http = await startHttp({
      factory,
      config: { ...config, mode, http: { ...config.http, listen } },
      log,
      // A replica is ready once it has joined the others; a NATS outage later only degrades it.
      ready: () => !config.hub.nats || replicas !== undefined,
      metrics: deps.metrics,
      safety,
      onListChanged,
      cancel,
    });
  } catch (err) {
    if (!(err instanceof StartupError)) throw err;
    log.error(err.message);
    return 1;
  }
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
    stopping = true;
    stopWatching();
    stopCapi();
    agents.close();
    return Promise.all([http.close(), replicas?.close()]).then(() => tracer().shutdown());
  }).done;
}

// `kube-mcp serve`: the MCP server for the clusters in kubeconfig, env credentials or the in-cluster
// service account, over stdio (default) or streamable HTTP.
import { ConfigError, loadConfig } from "../config/load.js";
import { helpText } from "../config/options.js";
import type { Config } from "../config/schema.js";
import { PortForwards } from "../kube/portforward.js";
import { authKinds } from "../mcp/auth-kinds.js";
import { scopedServers } from "../mcp/scoped.js";
import { createAudit } from "../obs/audit.js";
import { untilShutdown } from "../obs/lifecycle.js";
import { StartupError } from "../obs/listen.js";
import { createLogger, type Logger } from "../obs/log.js";
import { Metrics } from "../obs/metrics.js";
import { startTracing, tracer } from "../obs/tracing.js";
import type { Clusters } from "../targets/clusters.js";
import { localClusters } from "../targets/local.js";
import { classedTools, modeRefusals, serverTools, type ToolSelection } from "../tools/cli.js";
import { ALL_TOOLS } from "../tools/index.js";
import { INSTRUCTIONS } from "../tools/instructions.js";
import { PROMPTS } from "../tools/prompts.js";
import { version } from "../version.js";

/** The configuration, or the exit code when there is none to serve with (help shown: 0; invalid: 2). */
function loadConfigOrExit(argv: string[]): ReturnType<typeof loadConfig> | number {
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig(argv, process.env, "non-destructive");
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`kube-mcp serve: ${err.message}\n`);
    return 2;
  }
  if (loaded.help) {
    process.stdout.write(
      helpText(
        "serve",
        "MCP server over stdio (default) or streamable HTTP for the clusters in your kubeconfig.",
      ),
    );
    return 0;
  }
  return loaded;
}

export async function run(argv: string[]): Promise<number> {
  const loaded = loadConfigOrExit(argv);
  if (typeof loaded === "number") return loaded;
  const { config, warnings } = loaded;
  const log = createLogger(config.logLevel, { role: "serve" });
  for (const w of warnings) log.warn(w);
  const mode = config.mode ?? "non-destructive";
  let selection: ToolSelection;
  try {
    selection = serverTools(mode, config, ALL_TOOLS);
  } catch (err) {
    log.error((err as Error).message);
    return 2;
  }
  const { clusters, stopWatching } = localClusters(config, log);
  const forwards = new PortForwards(log.child({ component: "port-forward" }));
  const { deps, ...servers } = serveServers(config, selection, clusters, log, forwards);
  await startTracing(config, "serve", log, deps.metrics);
  const close = await listen(config, servers, {
    log,
    metrics: deps.metrics,
    ready: () => clusters.all().length > 0,
  });
  if (!close) {
    stopWatching();
    return 1;
  }
  const { done, shutdown } = untilShutdown(log, () => {
    stopWatching();
    forwards.stopAll("shutdown");
    return close().finally(() => tracer().shutdown());
  });
  if (!config.http.listen) process.stdin.once("end", () => void shutdown("stdin closed"));
  return done;
}

/** Serves over HTTP when --http is given, else over stdio; undefined when HTTP could not start (logged). */
async function listen(
  config: Readonly<Config>,
  { factory, safety, onListChanged, cancel }: ReturnType<typeof scopedServers>,
  o: { log: Logger; metrics: Metrics; ready: () => boolean },
): Promise<(() => Promise<void>) | undefined> {
  const { log } = o;
  const mode = config.mode ?? "non-destructive";
  if (!config.http.listen) {
    const { startStdio } = await import("../mcp/stdio.js");
    const h = startStdio(factory, log, onListChanged);
    log.info("serving stdio", { mode });
    return () => h.close();
  }
  const { startHttp } = await import("../mcp/http.js");
  try {
    const h = await startHttp({ factory, config, ...o, safety, onListChanged, cancel });
    log.info("serving streamable HTTP", { url: h.url, mode, auth: authKinds(config) });
    return () => h.close();
  } catch (err) {
    if (!(err instanceof StartupError)) throw err;
    log.error(err.message);
    return undefined;
  }
}

/** The servers `serve` answers with, for these clusters; the in-process test harness builds the same. */
export function serveServers(
  config: Readonly<Config>,
  selection: ToolSelection,
  clusters: Clusters,
  log: Logger,
  forwards: PortForwards,
) {
  const mode = config.mode ?? "non-destructive";
  const deps = {
    name: "kube-mcp",
    version: version(),
    instructions: INSTRUCTIONS,
    hidden: modeRefusals(mode, config, ALL_TOOLS, selection.tools),
    prompts: PROMPTS,
    config,
    clusters,
    log,
    forwards,
    metrics: new Metrics("serve", version()),
    ...(config.audit ? { audit: createAudit("serve") } : {}),
  };
  return { deps, ...scopedServers(deps, mode, selection, classedTools(selection.tools)) };
}

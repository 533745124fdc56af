// Local targets: the clusters of kubeconfig, env credentials or the in-cluster account, reloaded when
// kubeconfig files change, and the Cluster API workload clusters of those. Used by serve, by a hub that
// also serves local clusters, and by an agent (its one cluster and its workload clusters).
import type { Config } from "../config/schema.js";
import { ToolError } from "../errors.js";
import { impersonationCheck } from "../kube/access.js";
import type { Transport } from "../kube/api.js";
import { Credentials } from "../kube/credentials.js";
import { KubeHttp } from "../kube/http.js";
import { gatherClusters, watchFiles } from "../kube/sources.js";
import type { ClusterSpec } from "../kube/types.js";
import type { Logger } from "../obs/log.js";
import { capiWatchTargets, discoverWorkloads } from "./capi.js";
import { follow } from "./capi-watch.js";
import { type Cluster, Clusters } from "./clusters.js";

/** A workload cluster CAPI cannot give a connection for: every request says why, and what then. */
function unusable(
  spec: ClusterSpec,
  problem: string,
  hint = "kube-mcp reads its Cluster and Secrets again as soon as they change; retrying before that will not help. clusters_list shows the other clusters.",
): Transport {
  const err = new ToolError(`Cluster ${spec.name} cannot be used: ${problem}.`, hint);
  const fail = () => Promise.reject(err);
  const t: Transport = { request: fail, stream: fail, impersonating: () => t };
  return t;
}

export function newClusters(config: Readonly<Config>): Clusters {
  return new Clusters(config, (spec) => {
    const credentials = new Credentials(spec);
    if (spec.capi?.problem) return { transport: unusable(spec, spec.capi.problem), credentials };
    // A caller's token (passthrough) is the only credential a CA-only workload cluster is ever sent.
    if (spec.capi?.caOnly && !spec.auth.token)
      return {
        transport: unusable(
          spec,
          "kube-mcp holds no credentials for it (capi.credentials: ca); only a caller's own OAuth token reaches it (identity: passthrough)",
          "Call over HTTP with an OAuth access token its API server trusts.",
        ),
        credentials,
      };
    const { qps, burst } = config.kube;
    return {
      transport: new KubeHttp(spec, credentials, {
        ...(qps ? { qps } : {}),
        ...(burst ? { burst } : {}),
      }),
      credentials,
    };
  });
}

/** What the registry is built from: kubeconfig (or env) clusters, and Cluster API workload clusters. */
export interface Sources {
  local: ClusterSpec[];
  defaultName?: string | undefined;
  workloads: ClusterSpec[];
}

function publish(clusters: Clusters, s: Sources): void {
  const own = new Set(s.local.map((c) => c.name));
  clusters.replace([...s.local, ...s.workloads.filter((w) => !own.has(w.name))], s.defaultName);
}

export function loadClusters(
  config: Readonly<Config>,
  clusters: Clusters,
  log: Logger,
  sources: Sources = { local: [], workloads: [] },
): string[] {
  const env = {
    ...process.env,
    ...(config.kube.kubeconfig ? { KUBECONFIG: config.kube.kubeconfig } : {}),
    ...(config.kube.context ? { K8S_CONTEXT: config.kube.context } : {}),
    ...(config.kube.namespace ? { K8S_NAMESPACE: config.kube.namespace } : {}),
  };
  const found = gatherClusters(env, config.kube.contexts ? { contexts: config.kube.contexts } : {});
  for (const w of found.warnings) log.warn(w);
  sources.local = found.clusters;
  sources.defaultName = found.defaultCluster;
  publish(clusters, sources);
  log.info("clusters loaded", { clusters: found.clusters.map((c) => c.name), default: clusters.default });
  void checkGrants(clusters.all(), log);
  return found.files;
}

/**
 * Clusters that impersonate callers need kube-mcp's own account to hold the impersonate verb: said at
 * start-up, naming the cluster, rather than as a Forbidden on every call.
 */
async function checkGrants(all: Cluster[], log: Logger): Promise<void> {
  for (const c of all.filter((x) => x.identity === "impersonate" && !x.remote)) {
    const r = await impersonationCheck(c.api, c.namespace, `kube-mcp's account on cluster ${c.name}`);
    for (const w of r.warnings) log.warn(w);
    if (r.error) log.error(r.error);
  }
}

export function localClusters(
  config: Readonly<Config>,
  log: Logger,
): { clusters: Clusters; stopWatching: () => void } {
  const clusters = newClusters(config);
  const sources: Sources = { local: [], workloads: [] };
  const files = loadClusters(config, clusters, log, sources);
  const stopFiles = watchFiles(files, () => {
    log.info("kubeconfig changed; reloading clusters");
    try {
      loadClusters(config, clusters, log, sources);
    } catch (err) {
      log.error("kubeconfig reload failed; keeping the previous clusters", { err });
    }
  });
  const stopCapi = config.capi ? followCapi(config.capi, clusters, sources, log) : () => {};
  return {
    clusters,
    stopWatching: () => {
      stopFiles();
      stopCapi();
    },
  };
}

/**
 * Rediscovers the workload clusters of the management clusters when a watch says a Cluster object or a
 * Secret it may use changed (capi-watch.ts), and every refreshSeconds regardless (the resync). At most
 * one discovery runs at a time, and changes arriving meanwhile make one more; the registry is rebuilt
 * only when what it would hold changes (new, gone, or a cluster's connection, credentials or problem).
 */
export function followCapi(
  capi: NonNullable<Config["capi"]>,
  clusters: Clusters,
  sources: Sources,
  log: Logger,
  /** Called after each change of the workload clusters (an agent tells its hub). */
  published: () => void = () => {},
): () => void {
  const ac = new AbortController();
  const watches = new Map<Cluster, AbortController>();
  let seen = "";
  const refresh = async () => {
    const found = clusters.all().filter((c) => capi.managementClusters.includes(c.name) && !c.spec.capi);
    const missing = capi.managementClusters.filter((m) => !found.some((c) => c.name === m));
    if (missing.length) log.warn("Cluster API: management clusters not found", { missing });
    watchManagers(watches, found, { namespaces: capi.namespaces, changed, log, signal: ac.signal });
    const { specs, warnings } = await discoverWorkloads(
      found,
      {
        namespaces: capi.namespaces,
        prefix: capi.managementClusters.length > 1,
        credentials: capi.credentials,
        ...(capi.endpoints ? { endpoints: capi.endpoints } : {}),
      },
      ac.signal,
    );
    for (const w of warnings) log.warn(w);
    const now = JSON.stringify(specs.map((s) => [s.name, s.server, s.revision, s.capi?.problem]));
    if (now === seen || ac.signal.aborted) return;
    seen = now;
    sources.workloads = specs;
    publish(clusters, sources);
    log.info("Cluster API workload clusters", { clusters: specs.map((s) => s.name) });
    published();
  };
  const tick = serialized(refresh, (err) => log.error("Cluster API discovery failed", { err }), ac.signal);
  // A burst of events (a Secret and its Cluster written together) makes one discovery.
  const changed = debounced(tick, 200);
  tick();
  const timer = setInterval(tick, capi.refreshSeconds * 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    changed.cancel();
    ac.abort();
  };
}

/** Runs `task` now, or once more after the running one if asked meanwhile: never two at a time. */
function serialized(
  task: () => Promise<void>,
  onError: (err: unknown) => void,
  signal: AbortSignal,
): () => void {
  let running: Promise<void> | undefined;
  let again = false;
  const tick = () => {
    if (running) {
      again = true;
      return;
    }
    running = task()
      .catch(onError)
      .finally(() => {
        running = undefined;
        if (again && !signal.aborted) {
          again = false;
          tick();
        }
      });
  };
  return tick;
}

/** Calls `fn` once, `ms` after the first of a burst of calls. */
function debounced(fn: () => void, ms: number): { (): void; cancel(): void } {
  let soon: NodeJS.Timeout | undefined;
  const call = () => {
    soon ??= setTimeout(() => {
      soon = undefined;
      fn();
    }, ms);
  };
  return Object.assign(call, { cancel: () => clearTimeout(soon) });
}

/** One pair of watches per management cluster connection; a replaced connection's watches stop. */
function watchManagers(
  watches: Map<Cluster, AbortController>,
  found: Cluster[],
  o: { namespaces: readonly string[]; changed: () => void; log: Logger; signal: AbortSignal },
): void {
  for (const [c, w] of watches)
    if (!found.includes(c)) {
      w.abort();
      watches.delete(c);
    }
  for (const c of found.filter((x) => !watches.has(x))) {
    const w = new AbortController();
    o.signal.addEventListener("abort", () => w.abort(), { once: true });
    watches.set(c, w);
    for (const target of capiWatchTargets(o.namespaces))
      void follow(c.api.unscoped(), target, o.changed, o.log.child({ management: c.name }), w.signal);
  }
}

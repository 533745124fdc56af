// The clusters of kubeconfig, env credentials or the in-cluster account, reloaded when kubeconfig
// files change. Used by serve, and by a hub that also serves local clusters.
import type { Config } from "../config/schema.js";
import { impersonationCheck } from "../kube/access.js";
import { Credentials } from "../kube/credentials.js";
import { KubeHttp } from "../kube/http.js";
import { gatherClusters, watchFiles } from "../kube/sources.js";
import type { Logger } from "../obs/log.js";
import { type Cluster, Clusters } from "../targets/clusters.js";

export function newClusters(config: Readonly<Config>): Clusters {
  return new Clusters(config, (spec) => {
    const credentials = new Credentials(spec);
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

export function loadClusters(config: Readonly<Config>, clusters: Clusters, log: Logger): string[] {
  const env = {
    ...process.env,
    ...(config.kube.kubeconfig ? { KUBECONFIG: config.kube.kubeconfig } : {}),
    ...(config.kube.context ? { K8S_CONTEXT: config.kube.context } : {}),
    ...(config.kube.namespace ? { K8S_NAMESPACE: config.kube.namespace } : {}),
  };
  const found = gatherClusters(env, config.kube.contexts ? { contexts: config.kube.contexts } : {});
  for (const w of found.warnings) log.warn(w);
  clusters.replace(found.clusters, found.defaultCluster);
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
  const files = loadClusters(config, clusters, log);
  const stopWatching = watchFiles(files, () => {
    log.info("kubeconfig changed; reloading clusters");
    try {
      loadClusters(config, clusters, log);
    } catch (err) {
      log.error("kubeconfig reload failed; keeping the previous clusters", { err });
    }
  });
  return { clusters, stopWatching };
}

// Runs one per-cluster operation across the selected clusters: bounded concurrency, a deadline per
// cluster, cancellation from the caller, and a progress notification each time a cluster finishes.
import type { Config } from "../config/schema.js";
import { describeError } from "../kube/errors.js";
import { tracer } from "../obs/tracing.js";
import type { Cluster } from "./clusters.js";
import { deadlines } from "./deadline.js";

export interface Settled<D> {
  cluster: Cluster;
  value?: D;
  error?: string;
  hint?: string;
}

/** What a fan-out needs of the call it runs in (a tool's env is one). */
export interface FanOutEnv {
  config: Pick<Readonly<Config>, "fanout">;
  signal: AbortSignal;
  progress: (done: number, total: number, message: string) => void;
}

export async function fanOut<D>(
  targets: Cluster[],
  env: FanOutEnv,
  run: (cluster: Cluster, signal: AbortSignal) => Promise<D>,
): Promise<Settled<D>[]> {
  const results: Settled<D>[] = new Array(targets.length);
  const { concurrency, agentConcurrency, clusterTimeoutMs } = env.config.fanout;
  let done = 0;
  const per = deadlines(env.signal);
  const worker = async (queue: number[]) => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
      const cluster = targets[i] as Cluster;
      const d = per.deadline(clusterTimeoutMs);
      try {
        // A child span per cluster, so a slow or failing cluster stands out in a fan-out's trace.
        const value = await tracer().span(
          `cluster ${cluster.name}`,
          { "k8s.cluster.name": cluster.name, "kube_mcp.remote": cluster.remote !== undefined },
          () => run(cluster, d.signal),
        );
        results[i] = { cluster, value };
      } catch (err) {
        const te = describeError(d.signal.aborted && !env.signal.aborted ? d.signal.reason : err, {
          cluster: cluster.name,
        });
        results[i] = { cluster, error: te.message, ...(te.hint ? { hint: te.hint } : {}) };
      } finally {
        d.clear();
      }
      done++;
      if (targets.length > 1)
        env.progress(done, targets.length, `${cluster.name} ${results[i]?.error ? "failed" : "done"}`);
    }
  };
  // Clusters this process reads itself share one bound (its API connections and CPU); clusters behind
  // agents run on the agents, so they have their own, much larger bound: a fan-out over a fleet takes
  // about its slowest cluster's time, not (clusters / concurrency) round trips.
  const pools: [number[], number][] = [
    [[...targets.keys()].filter((i) => !targets[i]?.remote), concurrency],
    [[...targets.keys()].filter((i) => targets[i]?.remote), agentConcurrency],
  ];
  try {
    await Promise.all(
      pools.flatMap(([queue, limit]) =>
        Array.from({ length: Math.min(limit, queue.length) }, () => worker(queue)),
      ),
    );
  } finally {
    per.close();
  }
  return results;
}

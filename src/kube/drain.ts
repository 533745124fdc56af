// Cordon and drain through the Eviction API, so PodDisruptionBudgets are honoured: a pod whose
// eviction the budget forbids is retried until the deadline and then reported, never deleted.
import { type KubeApi, KubeApiError } from "./api.js";
import { checkName } from "./names.js";
import { corePath } from "./resolve.js";
import { fieldValue } from "./selectors.js";

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are open-ended JSON.
type Obj = Record<string, any>;

export async function setUnschedulable(
  api: KubeApi,
  node: string,
  value: boolean,
  signal: AbortSignal,
): Promise<void> {
  await api.patch(
    corePath("nodes", undefined, node),
    { spec: { unschedulable: value } },
    {
      type: "strategic",
      signal,
    },
  );
}

export interface DrainPlan {
  evict: Obj[];
  daemonSet: Obj[];
  unmanaged: Obj[];
}

const NODES = { group: "", resource: "nodes", kind: "Node" };

export async function drainPlan(api: KubeApi, node: string, signal: AbortSignal): Promise<DrainPlan> {
  const pods = await api.json<{ items: Obj[] }>({
    path: corePath("pods"),
    query: { fieldSelector: `spec.nodeName=${fieldValue(checkName(node, NODES))}` },
    signal,
  });
  const plan: DrainPlan = { evict: [], daemonSet: [], unmanaged: [] };
  for (const p of pods.items) {
    if (p.metadata.annotations?.["kubernetes.io/config.mirror"]) continue;
    const owner = (p.metadata.ownerReferences ?? []).find((o: Obj) => o.controller);
    if (owner?.kind === "DaemonSet") plan.daemonSet.push(p);
    else if (!owner) plan.unmanaged.push(p);
    else plan.evict.push(p);
  }
  return plan;
}

export type EvictOutcome = "evicted" | "blocked";

/** One eviction; a 429 means a PodDisruptionBudget does not allow it (yet). */
export async function evict(
  api: KubeApi,
  pod: Obj,
  o: { dryRun: boolean; gracePeriodSeconds?: number; signal: AbortSignal },
): Promise<EvictOutcome> {
  const { name, namespace } = pod.metadata;
  try {
    await api.json({
      method: "POST",
      path: corePath("pods", namespace, name, "eviction"),
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        apiVersion: "policy/v1",
        kind: "Eviction",
        metadata: { name, namespace },
        deleteOptions: {
          ...(o.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: o.gracePeriodSeconds } : {}),
          ...(o.dryRun ? { dryRun: ["All"] } : {}),
        },
      }),
      signal: o.signal,
    });
    return "evicted";
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 429) return "blocked";
    if (err instanceof KubeApiError && err.status === 404) return "evicted";
    throw err;
  }
}

// Cordon and drain through the Eviction API, so PodDisruptionBudgets are honoured: a pod whose
// eviction the budget forbids is retried until the deadline and then reported, never deleted.
import { ToolError } from "../errors.js";
import type { KubeApi } from "./api.js";
import { KubeApiError } from "./api-error.js";
import { describeError } from "./errors.js";
import { checkName } from "./names.js";
import type { Obj } from "./objects.js";
import { poll } from "./poll.js";
import { corePath } from "./resolve.js";
import { fieldValue } from "./selectors.js";

const names = (pods: Obj[]) => pods.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).join(", ");

export interface DrainOptions {
  /** Evict pods no controller would recreate too. */
  force: boolean;
  gracePeriodSeconds?: number | undefined;
  dryRun: boolean;
  /** How long to retry evictions a PodDisruptionBudget blocks. */
  forMs: number;
  signal: AbortSignal;
  progress: (done: number, total: number, message: string) => void;
}

/** Cordons or uncordons a node and says so. */
export async function cordonNode(
  api: KubeApi,
  node: string,
  cordon: boolean,
  o: { dryRun: boolean; signal: AbortSignal },
): Promise<string> {
  try {
    if (!o.dryRun) await setUnschedulable(api, node, cordon, o.signal);
  } catch (err) {
    throw describeError(err, { cluster: api.cluster, verb: "drain", resource: "node", name: node });
  }
  return `Node ${node} ${cordon ? "cordoned" : "uncordoned"}${o.dryRun ? " (dry run: nothing changed)" : ""}.`;
}

/**
 * Cordons the node and evicts its pods, retrying those a budget blocks until `forMs` has passed;
 * says what was evicted, what stays, and what is still blocked. Refuses, changing nothing, when
 * unmanaged pods would be lost and `force` is not set.
 */
export async function drainNode(api: KubeApi, node: string, o: DrainOptions): Promise<string> {
  try {
    const plan = await drainPlan(api, node, o.signal);
    if (plan.unmanaged.length && !o.force) {
      throw new ToolError(
        `Node ${node} runs pods no controller would recreate: ${names(plan.unmanaged)}. Nothing was changed.`,
        "Pass force: true to evict them anyway (they will not come back).",
      );
    }
    if (!o.dryRun) await setUnschedulable(api, node, true, o.signal);
    const { evicted, pending } = await evictAll(api, [...plan.evict, ...(o.force ? plan.unmanaged : [])], o);
    const dry = o.dryRun;
    return [
      `Node ${node} ${dry ? "would be cordoned and drained (dry run: nothing changed)" : "cordoned"}.`,
      `${dry ? "Would evict" : "Evicted"}: ${evicted.length ? names(evicted) : "none"}.`,
      ...(plan.daemonSet.length ? [`Left in place (DaemonSet): ${names(plan.daemonSet)}.`] : []),
      ...(pending.length
        ? [
            `Blocked by a PodDisruptionBudget until the deadline: ${names(pending)}. The node stays cordoned; retry later or relax the budget.`,
          ]
        : []),
    ].join("\n");
  } catch (err) {
    throw describeError(err, { cluster: api.cluster, verb: "drain", resource: "node", name: node });
  }
}

/** Evicts every pod, in rounds every 2 s until none is blocked or time runs out (a dry run: one round). */
async function evictAll(api: KubeApi, pods: Obj[], o: DrainOptions) {
  const pending = [...pods];
  const evicted: Obj[] = [];
  const grace = o.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: o.gracePeriodSeconds } : {};
  await poll({ everyMs: 2000, forMs: o.forMs, signal: o.signal }, async () => {
    for (const pod of [...pending]) {
      if ((await evict(api, pod, { dryRun: o.dryRun, ...grace, signal: o.signal })) !== "evicted") continue;
      pending.splice(pending.indexOf(pod), 1);
      evicted.push(pod);
    }
    const message = `${evicted.length} evicted, ${pending.length} waiting`;
    o.progress(evicted.length, evicted.length + pending.length, message);
    return { done: !pending.length || o.dryRun, message };
  });
  return { evicted, pending };
}

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

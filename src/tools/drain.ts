// nodes_drain: cordon, uncordon, or drain a node with evictions that respect PodDisruptionBudgets.
import * as z from "zod";
import { ToolError } from "../errors.js";
import { drainPlan, evict, setUnschedulable } from "../kube/drain.js";
import { describeError } from "../kube/errors.js";
import { textTool } from "./cluster-tool.js";
import { nameParam } from "./params.js";

// biome-ignore lint/suspicious/noExplicitAny: pods are open-ended JSON here.
const names = (pods: Record<string, any>[]) =>
  pods.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).join(", ");

export const nodesDrain = textTool({
  name: "nodes_drain",
  toolset: "workloads",
  title: "Cordon, uncordon or drain a node",
  description:
    "Cordon, uncordon or drain a node. Drain evicts through the Eviction API (PodDisruptionBudgets honoured, blocked pods retried until timeoutSeconds); DaemonSet pods stay; unmanaged pods need force.",
  safety: "destructive",
  idempotent: true,
  input: z.object({
    name: nameParam,
    action: z.enum(["cordon", "uncordon", "drain"]),
    force: z.boolean().optional().describe("Evict unmanaged pods too"),
    gracePeriodSeconds: z.number().int().min(0).max(3600).optional(),
    timeoutSeconds: z.number().int().min(1).max(600).optional().describe("Default 60"),
    dryRun: z.boolean().optional(),
  }),
  async run(args, cluster, ctx) {
    const api = cluster.api;
    const dry = args.dryRun ?? ctx.config.dryRun;
    try {
      if (args.action !== "drain") {
        if (!dry) await setUnschedulable(api, args.name, args.action === "cordon", ctx.signal);
        return {
          text: `Node ${args.name} ${args.action === "cordon" ? "cordoned" : "uncordoned"}${dry ? " (dry run: nothing changed)" : ""}.`,
        };
      }
      const plan = await drainPlan(api, args.name, ctx.signal);
      if (plan.unmanaged.length && !args.force) {
        throw new ToolError(
          `Node ${args.name} runs pods no controller would recreate: ${names(plan.unmanaged)}. Nothing was changed.`,
          "Pass force: true to evict them anyway (they will not come back).",
        );
      }
      if (!dry) await setUnschedulable(api, args.name, true, ctx.signal);
      const pending = [...plan.evict, ...(args.force ? plan.unmanaged : [])];
      const evicted: typeof pending = [];
      const deadline = Date.now() + (args.timeoutSeconds ?? 60) * 1000;
      while (pending.length) {
        for (const pod of [...pending]) {
          if (
            (await evict(api, pod, {
              dryRun: dry,
              ...(args.gracePeriodSeconds !== undefined
                ? { gracePeriodSeconds: args.gracePeriodSeconds }
                : {}),
              signal: ctx.signal,
            })) === "evicted"
          ) {
            pending.splice(pending.indexOf(pod), 1);
            evicted.push(pod);
          }
        }
        ctx.progress(
          evicted.length,
          evicted.length + pending.length,
          `${evicted.length} evicted, ${pending.length} waiting`,
        );
        if (!pending.length || Date.now() >= deadline || dry) break;
        await new Promise((r) => setTimeout(r, 2000));
        ctx.signal.throwIfAborted();
      }
      const lines = [
        `Node ${args.name} ${dry ? "would be cordoned and drained (dry run: nothing changed)" : "cordoned"}.`,
        `${dry ? "Would evict" : "Evicted"}: ${evicted.length ? names(evicted) : "none"}.`,
        ...(plan.daemonSet.length ? [`Left in place (DaemonSet): ${names(plan.daemonSet)}.`] : []),
        ...(pending.length
          ? [
              `Blocked by a PodDisruptionBudget until the deadline: ${names(pending)}. The node stays cordoned; retry later or relax the budget.`,
            ]
          : []),
      ];
      return { text: lines.join("\n") };
    } catch (err) {
      throw describeError(err, { cluster: cluster.name, verb: "drain", resource: "node", name: args.name });
    }
  },
});

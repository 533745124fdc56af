// nodes_drain: cordon, uncordon, or drain a node with evictions that respect PodDisruptionBudgets.
import * as z from "zod";
import { cordonNode, drainNode } from "../kube/drain.js";
import { textTool } from "./cluster-tool.js";
import { dryRunParam, gracePeriodParam, nameParam } from "./params.js";

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
    gracePeriodSeconds: gracePeriodParam,
    timeoutSeconds: z.number().int().min(1).max(600).optional().describe("Default 60"),
    dryRun: dryRunParam,
  }),
  async run(args, cluster, ctx) {
    const { signal, progress } = ctx;
    const dryRun = args.dryRun ?? ctx.config.dryRun;
    if (args.action !== "drain")
      return { text: await cordonNode(cluster.api, args.name, args.action === "cordon", { dryRun, signal }) };
    const force = args.force ?? false;
    const forMs = (args.timeoutSeconds ?? 60) * 1000;
    const grace = { gracePeriodSeconds: args.gracePeriodSeconds };
    return {
      text: await drainNode(cluster.api, args.name, { force, ...grace, dryRun, forMs, signal, progress }),
    };
  },
});

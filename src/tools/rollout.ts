// Rollouts of workloads: rollout_status reads (status, waiting bounded; history), rollout changes
// (restart, undo, pause, resume), so a read-only server keeps the reads.
import * as z from "zod";
import {
  changeRollout,
  getWorkload,
  rolloutHistory,
  type WorkloadKind,
  waitRollout,
} from "../kube/rollout.js";
import type { Cluster } from "../targets/clusters.js";
import { textTool, writeCtx } from "./cluster-tool.js";
import { nameParam, namespaceParam } from "./params.js";

const kindParam = z.enum(["deployment", "statefulset", "daemonset"]);

type Target = { kind: WorkloadKind; name: string; namespace?: string | undefined };
const workload = (cluster: Cluster, a: Target, signal: AbortSignal) =>
  getWorkload(cluster.api, a.kind, a.name, a.namespace ?? cluster.namespace, signal);

export const rolloutStatus = textTool({
  name: "rollout_status",
  toolset: "write",
  title: "Rollout status and history",
  description:
    "Rollout status of a Deployment, StatefulSet or DaemonSet (waits up to timeoutSeconds), or its history (Deployments).",
  safety: "read",
  input: z.object({
    action: z.enum(["status", "history"]),
    kind: kindParam,
    name: nameParam,
    namespace: namespaceParam.optional(),
    timeoutSeconds: z
      .number()
      .int()
      .min(0)
      .max(300)
      .optional()
      .describe("Wait for status; default 60, 0: once"),
  }),
  async run(args, cluster, ctx) {
    const w = await workload(cluster, args, ctx.signal);
    if (args.action === "history") return { text: await rolloutHistory(cluster.api, w, ctx.signal) };
    const forMs = (args.timeoutSeconds ?? 60) * 1000;
    const { signal, progress } = ctx;
    return { text: await waitRollout(cluster.api, w, { everyMs: 1000, forMs, signal, progress }) };
  },
});

export const rollout = textTool({
  name: "rollout_change",
  aliases: ["rollout"],
  toolset: "write",
  title: "Restart, undo, pause or resume a rollout",
  description:
    "Restart a Deployment, StatefulSet or DaemonSet; undo (to a revision, default the previous), pause or resume a Deployment.",
  safety: "write",
  input: z.object({
    action: z.enum(["restart", "undo", "pause", "resume"]),
    kind: kindParam,
    name: nameParam,
    namespace: namespaceParam.optional(),
    toRevision: z.number().int().min(1).optional().describe("For undo"),
  }),
  async run(args, cluster, ctx) {
    const w = await workload(cluster, args, ctx.signal);
    const { action, toRevision } = args;
    const write = writeCtx(cluster, ctx);
    return {
      text: await changeRollout(cluster.api, w, { action, toRevision, dryRun: ctx.config.dryRun, write }),
    };
  },
});

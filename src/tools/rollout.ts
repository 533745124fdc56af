// Rollouts of workloads: rollout_status reads (status, waiting bounded; history), rollout changes
// (restart, undo, pause, resume), so a read-only server keeps the reads.
import * as z from "zod";
import { ToolError } from "../errors.js";
import { renderTable } from "../format/table.js";
import { describeError } from "../kube/errors.js";
import { plannedPatch } from "../kube/plan.js";
import { resourcePath } from "../kube/resolve.js";
import { replicaSetsOf, revision, rolloutState, undoTemplate } from "../kube/rollout.js";
import type { Cluster } from "../targets/clusters.js";
import { textTool, writeCtx } from "./cluster-tool.js";
import { nameParam, namespaceParam } from "./params.js";
import { getObject } from "./resources.js";

const KINDS = { deployment: "deployments", statefulset: "statefulsets", daemonset: "daemonsets" } as const;

const kindParam = z.enum(["deployment", "statefulset", "daemonset"]);

/** The one workload a rollout call is about, and the name `kubectl rollout` would print for it. */
async function workload(
  cluster: Cluster,
  args: { kind: keyof typeof KINDS; name: string; namespace?: string | undefined },
  signal: AbortSignal,
) {
  const found = await getObject(cluster, KINDS[args.kind], args.name, args.namespace, signal);
  return { ...found, label: `${found.r.resource}.apps/${args.name}` };
}

function deploymentOnly(kind: string, action: string): void {
  if (kind !== "Deployment")
    throw new ToolError(
      `${action} is supported for Deployments here; for a ${kind}, use the kubectl tool's rollout ${action}.`,
    );
}

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
    const { r, ns, obj, label } = await workload(cluster, args, ctx.signal);
    if (args.action === "history") {
      deploymentOnly(r.kind, "history");
      const sets = await replicaSetsOf(cluster.api, obj, ctx.signal);
      const rows = sets.map((rs) => [
        String(revision(rs)),
        rs.metadata.annotations?.["kubernetes.io/change-cause"] ?? "<none>",
        (rs.spec.template.spec.containers ?? []).map((c: { image: string }) => c.image).join(","),
      ]);
      return {
        text: rows.length
          ? renderTable(["revision", "change-cause", "images"], rows)
          : `${label} has no revisions yet.`,
      };
    }
    const waitS = args.timeoutSeconds ?? 60;
    const started = Date.now();
    let current = obj;
    for (;;) {
      const state = rolloutState(r.kind, current);
      if (state.done || Date.now() - started >= waitS * 1000)
        return { text: `${label}: ${state.text}${state.done ? "" : " (stopped waiting)"}.` };
      // Progress counts the seconds waited out of the bound; the message says where the rollout stands.
      const waited = Math.round((Date.now() - started) / 100) / 10;
      ctx.progress(Math.max(0.1, Math.min(waitS, waited)), waitS, state.text);
      await new Promise((res) => setTimeout(res, 1000));
      ctx.signal.throwIfAborted();
      current = (await getObject(cluster, KINDS[args.kind], args.name, ns, ctx.signal)).obj;
    }
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
    const { r, ns, obj, label } = await workload(cluster, args, ctx.signal);
    const path = resourcePath(r, ns, args.name);
    const patch = async (body: unknown) => {
      try {
        // plan → guard → apply: an undo to a template that mounts a Secret is judged like any write.
        const dryRun = ctx.config.dryRun;
        await plannedPatch(cluster.api, r, path, body, { type: "strategic", dryRun }, writeCtx(cluster, ctx));
      } catch (err) {
        throw describeError(err, {
          cluster: cluster.name,
          verb: "patch",
          resource: r.kind,
          name: args.name,
          ...(ns ? { namespace: ns } : {}),
        });
      }
    };
    switch (args.action) {
      case "restart":
        await patch({
          spec: {
            template: {
              metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": new Date().toISOString() } },
            },
          },
        });
        return { text: `${label} restarted (a new rollout has begun; follow it with rollout_status).` };
      case "undo": {
        deploymentOnly(r.kind, "undo");
        const { template, revision: to } = undoTemplate(
          await replicaSetsOf(cluster.api, obj, ctx.signal),
          args.toRevision,
        );
        await patch({ spec: { template } });
        return { text: `${label} rolled back to revision ${to}.` };
      }
      case "pause":
      case "resume":
        deploymentOnly(r.kind, args.action);
        await patch({ spec: { paused: args.action === "pause" } });
        return { text: `${label} ${args.action === "pause" ? "paused" : "resumed"}.` };
    }
  },
});

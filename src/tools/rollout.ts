// rollout: status (waits, bounded), history, restart, undo, pause, resume for workloads.
import * as z from "zod";
import { renderTable } from "../format/table.js";
import { describeError } from "../kube/errors.js";
import { plannedPatch } from "../kube/plan.js";
import { resourcePath } from "../kube/resolve.js";
import { replicaSetsOf, revision, rolloutState, undoTemplate } from "../kube/rollout.js";
import { textTool, writeCtx } from "./cluster-tool.js";
import { ToolError } from "./define.js";
import { nameParam, namespaceParam } from "./params.js";
import { getObject } from "./resources.js";

const KINDS = { deployment: "deployments", statefulset: "statefulsets", daemonset: "daemonsets" } as const;

export const rollout = textTool({
  name: "rollout",
  title: "Rollout of a workload",
  description:
    "Manage the rollout of a Deployment, StatefulSet or DaemonSet: status (waits until done, bounded by timeoutSeconds), history (Deployments), restart, undo (Deployments; to a revision or the previous one), pause and resume (Deployments).",
  safety: "write",
  input: z.object({
    action: z.enum(["status", "history", "restart", "undo", "pause", "resume"]),
    kind: z.enum(["deployment", "statefulset", "daemonset"]),
    name: nameParam,
    namespace: namespaceParam.optional(),
    toRevision: z.number().int().min(1).optional().describe("For undo"),
    timeoutSeconds: z
      .number()
      .int()
      .min(0)
      .max(300)
      .optional()
      .describe("For status: how long to wait (default 60; 0 checks once)"),
  }),
  async run(args, cluster, ctx) {
    const { r, ns, obj } = await getObject(cluster, KINDS[args.kind], args.name, args.namespace, ctx.signal);
    const path = resourcePath(r, ns, args.name);
    const label = `${r.resource}.apps/${args.name}`;
    const deploymentOnly = () => {
      if (r.kind !== "Deployment")
        throw new ToolError(
          `${args.action} is supported for Deployments here; for a ${r.kind}, use the kubectl tool's rollout ${args.action}.`,
        );
    };
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
      case "status": {
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
      }
      case "history": {
        deploymentOnly();
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
      case "restart":
        await patch({
          spec: {
            template: {
              metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": new Date().toISOString() } },
            },
          },
        });
        return { text: `${label} restarted (a new rollout has begun; check it with action status).` };
      case "undo": {
        deploymentOnly();
        const { template, revision: to } = undoTemplate(
          await replicaSetsOf(cluster.api, obj, ctx.signal),
          args.toRevision,
        );
        await patch({ spec: { template } });
        return { text: `${label} rolled back to revision ${to}.` };
      }
      case "pause":
      case "resume":
        deploymentOnly();
        await patch({ spec: { paused: args.action === "pause" } });
        return { text: `${label} ${args.action === "pause" ? "paused" : "resumed"}.` };
    }
  },
});

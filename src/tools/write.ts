// Write tools: server-side apply, patch and scale. Each goes plan → guard → apply (src/kube/plan.ts):
// the server's dry run is the plan, the guard (src/policy/guard.ts) refuses what the cluster's mode and
// policy forbid (deleting or stopping, gaining privilege, reaching Secrets), and only then is it applied.
import * as z from "zod";
import { ToolError } from "../errors.js";
import { lineDiff } from "../format/diff.js";
import { KubeApiError } from "../kube/api-error.js";
import { applyManifest, planView } from "../kube/apply.js";
import { describeError } from "../kube/errors.js";
import { lookupKind } from "../kube/lookup.js";
import { plannedPatch } from "../kube/plan.js";
import { resourceLabel, resourcePath } from "../kube/resolve.js";
import { textTool, writeCtx } from "./cluster-tool.js";
import { kindParam, nameParam, namespaceParam } from "./params.js";

const dryRun = z.boolean().optional().describe("Only show the plan (a diff)");

export const resourcesApply = textTool({
  name: "resources_apply",
  toolset: "write",
  title: "Apply manifests (server-side apply)",
  description:
    "Server-side apply of YAML or JSON documents (field manager kube-mcp); all validated before any is applied. force takes over fields other managers own.",
  safety: "write",
  idempotent: true,
  input: z.object({
    manifest: z.string().min(1).max(1_000_000),
    namespace: namespaceParam.optional().describe("Where documents name none"),
    force: z.boolean().optional(),
    dryRun,
  }),
  async run(args, cluster, ctx) {
    const dry = args.dryRun ?? ctx.config.dryRun;
    const text = await applyManifest(cluster.api, args.manifest, {
      namespace: args.namespace ?? cluster.namespace,
      dryRun: dry,
      force: args.force ?? false,
      write: writeCtx(cluster, ctx),
    });
    return { text };
  },
});

export const resourcesPatch = textTool({
  name: "resources_patch",
  toolset: "write",
  title: "Patch a resource",
  description: "Patch one object: merge, strategic (built-in kinds) or JSON patch.",
  safety: "write",
  input: z.object({
    kind: kindParam,
    name: nameParam,
    namespace: namespaceParam.optional(),
    patch: z.string().min(2).max(100_000).describe("JSON: an object, or a list of JSON patch ops"),
    type: z
      .enum(["merge", "strategic", "json"])
      .optional()
      .describe("Default strategic (merge for custom kinds)"),
    dryRun,
  }),
  async run(args, cluster, ctx) {
    try {
      JSON.parse(args.patch);
    } catch (err) {
      throw new ToolError(`The patch is not valid JSON: ${(err as Error).message}. Nothing was changed.`);
    }
    const r = await lookupKind(cluster.api, args.kind, ctx.signal, "patch");
    const ns = r.namespaced ? (args.namespace ?? cluster.namespace) : undefined;
    const type = args.type ?? (r.group.includes(".") && !r.group.endsWith(".k8s.io") ? "merge" : "strategic");
    const path = resourcePath(r, ns, args.name);
    const dry = args.dryRun ?? ctx.config.dryRun;
    const label = `${resourceLabel(r)}/${args.name}`;
    try {
      const w = writeCtx(cluster, ctx);
      const { before, after } = await plannedPatch(
        cluster.api,
        r,
        path,
        args.patch,
        { type, dryRun: dry },
        w,
      );
      if (!dry) return { text: `${label} patched (${type} patch).` };
      const diff = lineDiff(planView(before, w.secrets.add), planView(after, w.secrets.add));
      return { text: `${label}: ${diff ? "would change" : "no change"} (dry run)${diff ? `\n${diff}` : ""}` };
    } catch (err) {
      if (err instanceof KubeApiError && (err.status === 422 || err.status === 400 || err.status === 415)) {
        throw new ToolError(
          `The ${type} patch does not apply to ${label}: ${err.message}. Nothing was changed.`,
        );
      }
      throw describeError(err, {
        cluster: cluster.name,
        verb: "patch",
        resource: r.kind,
        name: args.name,
        ...(ns ? { namespace: ns } : {}),
      });
    }
  },
});

export const resourcesScale = textTool({
  name: "resources_scale",
  toolset: "write",
  title: "Scale a workload",
  description:
    "Set the replicas of a Deployment, StatefulSet, ReplicaSet or any kind with a scale subresource (zero needs full mode).",
  safety: "write",
  idempotent: true,
  input: z.object({
    kind: kindParam,
    name: nameParam,
    namespace: namespaceParam.optional(),
    replicas: z.number().int().min(0).max(10_000),
    dryRun,
  }),
  async run(args, cluster, ctx) {
    const r = await lookupKind(cluster.api, args.kind, ctx.signal);
    if (!r.subresources.includes("scale"))
      throw new ToolError(`${resourceLabel(r)} cannot be scaled (it has no scale subresource).`);
    const ns = r.namespaced ? (args.namespace ?? cluster.namespace) : undefined;
    const path = resourcePath(r, ns, args.name, "scale");
    const dry = args.dryRun ?? ctx.config.dryRun;
    try {
      const { before } = await plannedPatch(
        cluster.api,
        r,
        path,
        { spec: { replicas: args.replicas } },
        { type: "merge", dryRun: dry, subresource: "scale" },
        writeCtx(cluster, ctx),
      );
      return {
        text: `${resourceLabel(r)}/${args.name} ${dry ? "would be scaled" : "scaled"} from ${before.spec?.replicas ?? 0} to ${args.replicas}${dry ? " (dry run)" : ""}.`,
      };
    } catch (err) {
      throw describeError(err, {
        cluster: cluster.name,
        verb: "update",
        resource: `${r.kind}/scale`,
        name: args.name,
        ...(ns ? { namespace: ns } : {}),
      });
    }
  },
});

// Write tools: server-side apply, patch and scale. Each goes plan → guard → apply (src/kube/plan.ts):
// the server's dry run is the plan, the guard (src/policy/guard.ts) refuses what the cluster's mode and
// policy forbid (deleting or stopping, gaining privilege, reaching Secrets), and only then is it applied.
import * as z from "zod";
import { applyManifest } from "../kube/apply.js";
import { patchObject, scaleObject } from "../kube/patch.js";
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
    const dryRun = args.dryRun ?? ctx.config.dryRun;
    const namespace = args.namespace ?? cluster.namespace;
    return { text: await patchObject(cluster.api, { ...args, namespace, dryRun }, writeCtx(cluster, ctx)) };
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
    const dryRun = args.dryRun ?? ctx.config.dryRun;
    const namespace = args.namespace ?? cluster.namespace;
    return { text: await scaleObject(cluster.api, { ...args, namespace, dryRun }, writeCtx(cluster, ctx)) };
  },
});

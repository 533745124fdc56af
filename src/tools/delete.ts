// resources_delete: by name or by selector; a selector that matches more than a few objects must be
// confirmed with the exact count, so a typo cannot empty a namespace.
import * as z from "zod";
import { ToolError } from "../errors.js";
import { describeError } from "../kube/errors.js";
import { lookupKind } from "../kube/lookup.js";
import { resourceLabel, resourcePath } from "../kube/resolve.js";
import { listTable } from "../kube/table.js";
import { textTool } from "./cluster-tool.js";
import { kindParam, labelSelectorParam, nameParam, namespaceParam } from "./params.js";

const CONFIRM_ABOVE = 3;

export const resourcesDelete = textTool({
  name: "resources_delete",
  toolset: "workloads",
  title: "Delete resources",
  description: `Delete one object by name, or those a label selector matches in a namespace (more than ${CONFIRM_ABOVE} need confirm: their count).`,
  safety: "destructive",
  idempotent: true,
  input: z.object({
    kind: kindParam,
    name: nameParam.optional(),
    labelSelector: labelSelectorParam.min(1).optional().describe("Instead of name"),
    namespace: namespaceParam.optional(),
    propagationPolicy: z.enum(["Foreground", "Background", "Orphan"]).optional(),
    gracePeriodSeconds: z.number().int().min(0).max(3600).optional(),
    confirm: z.number().int().min(0).optional().describe("How many a selector deletes"),
    dryRun: z.boolean().optional(),
  }),
  async run(args, cluster, ctx) {
    if (!args.name === !args.labelSelector) throw new ToolError("Give exactly one of name or labelSelector.");
    const r = await lookupKind(cluster.api, args.kind, ctx.signal, "delete");
    const ns = r.namespaced ? (args.namespace ?? cluster.namespace) : undefined;
    const dry = args.dryRun ?? ctx.config.dryRun;
    const names = args.name
      ? [args.name]
      : (
          await listTable(cluster.api, r, {
            ...(ns ? { namespace: ns } : {}),
            labelSelector: args.labelSelector,
            limit: 500,
            signal: ctx.signal,
          })
        ).names;
    if (!names.length)
      return {
        text: `No ${resourceLabel(r)} match ${args.labelSelector}${ns ? ` in namespace ${ns}` : ""}; nothing deleted.`,
      };
    if (args.labelSelector && names.length > CONFIRM_ABOVE && args.confirm !== names.length) {
      throw new ToolError(
        `This would delete ${names.length} ${resourceLabel(r)}${ns ? ` in namespace ${ns}` : ""}: ${names.slice(0, 20).join(", ")}${names.length > 20 ? ", …" : ""}. Nothing was deleted.`,
        `If that is intended, call again with confirm: ${names.length}.`,
      );
    }
    const body = JSON.stringify({
      kind: "DeleteOptions",
      apiVersion: "v1",
      ...(args.propagationPolicy ? { propagationPolicy: args.propagationPolicy } : {}),
      ...(args.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: args.gracePeriodSeconds } : {}),
      ...(dry ? { dryRun: ["All"] } : {}),
    });
    const done: string[] = [];
    for (const name of names) {
      try {
        await cluster.api.json({
          method: "DELETE",
          path: resourcePath(r, ns, name),
          headers: { "content-type": "application/json" },
          body,
          signal: ctx.signal,
        });
        done.push(name);
      } catch (err) {
        const te = describeError(err, {
          cluster: cluster.name,
          verb: "delete",
          resource: r.kind,
          name,
          ...(ns ? { namespace: ns } : {}),
        });
        throw new ToolError(
          `${done.length ? `Deleted ${done.join(", ")}; then ` : ""}${te.message}`,
          te.hint,
        );
      }
    }
    return {
      text: `${dry ? "Would delete (dry run)" : "Deleted"} ${resourceLabel(r)}${ns ? ` in ${ns}` : ""}: ${done.join(", ")}.`,
    };
  },
});

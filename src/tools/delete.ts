// resources_delete: by name or by selector; a selector that matches more than a few objects must be
// confirmed with the exact count, so a typo cannot empty a namespace.
import * as z from "zod";
import { CONFIRM_ABOVE, deleteObjects } from "../kube/delete.js";
import { textTool } from "./cluster-tool.js";
import {
  dryRunParam,
  gracePeriodParam,
  kindParam,
  labelSelectorParam,
  nameParam,
  namespaceParam,
} from "./params.js";

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
    gracePeriodSeconds: gracePeriodParam,
    confirm: z.number().int().min(0).optional().describe("How many a selector deletes"),
    dryRun: dryRunParam,
  }),
  async run(args, cluster, ctx) {
    const dryRun = args.dryRun ?? ctx.config.dryRun;
    const namespace = args.namespace ?? cluster.namespace;
    return { text: await deleteObjects(cluster.api, { ...args, namespace, dryRun, signal: ctx.signal }) };
  },
});

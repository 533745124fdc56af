// events_list: what happened recently, newest first, repeats collapsed, messages fenced as cluster data.
import * as z from "zod";
import { eventTable } from "../kube/events.js";
import { lookupKind } from "../kube/lookup.js";
import { tableTool } from "./cluster-tool.js";
import { kindParam, listNamespaceParam, nameParam } from "./params.js";

export const eventsList = tableTool({
  name: "events_list",
  toolset: "core",
  title: "List events",
  description:
    "Recent events, newest first, repeats collapsed. Filter by namespace, involved object (kind, name) and type (Warning for problems).",
  safety: "read",
  input: z.object({
    namespace: listNamespaceParam,
    kind: kindParam.optional().describe("Of the involved object"),
    name: nameParam.optional(),
    type: z.enum(["Warning", "Normal"]).optional(),
    limit: z.number().int().min(1).max(500).optional().describe("Default 50"),
  }),
  async run(args, cluster, ctx) {
    const kind = args.kind ? (await lookupKind(cluster.api, args.kind, ctx.signal)).kind : undefined;
    const q = { ...args, ...(kind ? { kind } : {}), signal: ctx.signal };
    const { capped, ...table } = await eventTable(cluster.api, q, Math.min(args.limit ?? 50, ctx.rowLimit));
    const what = [args.type, "events"].filter(Boolean).join(" ");
    const about = `${args.namespace ? ` in namespace ${args.namespace}` : ""}${args.name ? ` for ${args.kind ?? ""} ${args.name}` : ""}`;
    return {
      ...table,
      notes: capped
        ? ["Only the 5,000 most recent events were scanned; filter by namespace or object to see older ones."]
        : [],
      untrusted: "event messages",
      empty: `No ${what}${about}.`,
    };
  },
});

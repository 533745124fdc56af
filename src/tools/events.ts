// events_list: what happened recently, newest first, repeats collapsed, messages fenced as cluster data.
import * as z from "zod";
import { age, cell } from "../format/table.js";
import { describeError } from "../kube/errors.js";
import { fetchEvents } from "../kube/events.js";
import { lookupKind } from "../kube/lookup.js";
import { tableTool } from "./cluster-tool.js";
import { kindParam, nameParam, namespaceParam } from "./params.js";

export const eventsList = tableTool({
  name: "events_list",
  toolset: "core",
  title: "List events",
  description:
    "Recent events, newest first, repeats collapsed. Filter by namespace, involved object (kind, name) and type (Warning for problems).",
  safety: "read",
  input: z.object({
    namespace: namespaceParam.optional().describe("Default: all"),
    kind: kindParam.optional().describe("Of the involved object"),
    name: nameParam.optional(),
    type: z.enum(["Warning", "Normal"]).optional(),
    limit: z.number().int().min(1).max(500).optional().describe("Default 50"),
  }),
  async run(args, cluster, ctx) {
    const kind = args.kind ? (await lookupKind(cluster.api, args.kind, ctx.signal)).kind : undefined;
    try {
      const { events, capped } = await fetchEvents(cluster.api, {
        ...args,
        ...(kind ? { kind } : {}),
        signal: ctx.signal,
      });
      const limit = Math.min(args.limit ?? 50, ctx.rowLimit);
      const shown = events.slice(0, limit);
      const allNs = !args.namespace;
      const rows = shown.map((e) => [
        ...(allNs ? [e.namespace] : []),
        age(e.last),
        e.type,
        e.reason,
        e.object,
        String(e.count),
        cell(e.message),
      ]);
      const notes = capped
        ? ["Only the 5,000 most recent events were scanned; filter by namespace or object to see older ones."]
        : [];
      const what = [args.type, "events"].filter(Boolean).join(" ");
      return {
        columns: [
          ...(allNs ? ["namespace"] : []),
          "last seen",
          "type",
          "reason",
          "object",
          "count",
          "message",
        ],
        rows,
        total: events.length,
        notes,
        untrusted: "event messages",
        empty: `No ${what}${args.namespace ? ` in namespace ${args.namespace}` : ""}${args.name ? ` for ${args.kind ?? ""} ${args.name}` : ""}.`,
      };
    } catch (err) {
      throw describeError(err, {
        cluster: cluster.name,
        verb: "list",
        resource: "events",
        ...(args.namespace ? { namespace: args.namespace } : {}),
      });
    }
  },
});

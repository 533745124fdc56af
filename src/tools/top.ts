// top: CPU and memory of nodes or pods from the metrics API (metrics-server), heaviest first.
import * as z from "zod";
import { readUsage } from "../kube/metrics.js";
import { tableTool } from "./cluster-tool.js";
import { labelSelectorParam, listNamespaceParam } from "./params.js";

const fmtCpu = (m: number) => `${Math.round(m)}m`;
const fmtMem = (b: number) => `${Math.round(b / 1024 ** 2)}Mi`;

export const top = tableTool({
  name: "resources_top",
  aliases: ["top"],
  toolset: "inspect",
  title: "Resource usage (top)",
  description: "CPU and memory of nodes or pods, heaviest first, like kubectl top (needs metrics-server).",
  safety: "read",
  input: z.object({
    kind: z.enum(["nodes", "pods"]),
    namespace: listNamespaceParam,
    sortBy: z.enum(["cpu", "memory"]).optional(),
    labelSelector: labelSelectorParam.optional(),
  }),
  async run(args, cluster, ctx) {
    const sortBy = args.sortBy ?? "cpu";
    const used = await readUsage(cluster.api, args.kind, { ...args, sortBy, signal: ctx.signal });
    const withNs = args.kind === "pods" && !args.namespace;
    return {
      columns: [...(withNs ? ["namespace"] : []), "name", "cpu", "memory"],
      rows: used
        .slice(0, ctx.rowLimit)
        .map((u) => [...(withNs ? [u.namespace ?? ""] : []), u.name, fmtCpu(u.cpu), fmtMem(u.mem)]),
      total: used.length,
      untrusted: "metrics.k8s.io",
      empty: `No ${args.kind} metrics reported yet.`,
    };
  },
});

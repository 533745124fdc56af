// top: CPU and memory of nodes or pods from the metrics API (metrics-server), heaviest first.
import * as z from "zod";
import { ToolError } from "../errors.js";
import { KubeApiError } from "../kube/api.js";
import { describeError } from "../kube/errors.js";
import { checkLabelSelector } from "../kube/names.js";
import { resourcePath } from "../kube/resolve.js";
import { tableTool } from "./cluster-tool.js";
import { labelSelectorParam, namespaceParam } from "./params.js";

interface Usage {
  cpu?: string;
  memory?: string;
}
interface Metric {
  metadata: { name: string; namespace?: string };
  usage?: Usage;
  containers?: { usage: Usage }[];
}

/** Kubernetes quantity → millicores / bytes. */
export function quantity(q: string | undefined, unit: "cpu" | "bytes"): number {
  if (!q) return 0;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q);
  if (!m) return 0;
  const n = Number(m[1]);
  const suffix: Record<string, number> = {
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    "": 1,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
  };
  const v = n * (suffix[m[2] ?? ""] ?? 1);
  return unit === "cpu" ? v * 1000 : v;
}

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
    namespace: namespaceParam.optional().describe("Default: all"),
    sortBy: z.enum(["cpu", "memory"]).optional(),
    labelSelector: labelSelectorParam.optional(),
  }),
  async run(args, cluster, ctx) {
    const metrics = { group: "metrics.k8s.io", version: "v1beta1", resource: args.kind };
    const ns = args.kind === "pods" ? args.namespace : undefined;
    const path = resourcePath({ ...metrics, namespaced: ns !== undefined }, ns);
    const labelSelector =
      args.labelSelector === undefined ? undefined : checkLabelSelector(args.labelSelector);
    let list: { items: Metric[] };
    try {
      list = await cluster.api.json({
        path,
        query: { labelSelector },
        signal: ctx.signal,
      });
    } catch (err) {
      if (err instanceof KubeApiError && (err.status === 404 || err.status === 503)) {
        throw new ToolError(
          `The metrics API (metrics.k8s.io) is not available on cluster ${cluster.name}, so usage cannot be shown.`,
          "Install metrics-server in the cluster, or use resources_describe kind=nodes for capacity and requests.",
        );
      }
      throw describeError(err, {
        cluster: cluster.name,
        verb: "list",
        resource: `${args.kind}.metrics.k8s.io`,
      });
    }
    const rows = list.items.map((m) => {
      const usages = m.usage ? [m.usage] : (m.containers ?? []).map((c) => c.usage);
      const cpu = usages.reduce((s, u) => s + quantity(u.cpu, "cpu"), 0);
      const mem = usages.reduce((s, u) => s + quantity(u.memory, "bytes"), 0);
      return { m, cpu, mem };
    });
    rows.sort((a, b) => (args.sortBy === "memory" ? b.mem - a.mem : b.cpu - a.cpu));
    const withNs = args.kind === "pods" && !args.namespace;
    return {
      columns: [...(withNs ? ["namespace"] : []), "name", "cpu", "memory"],
      rows: rows
        .slice(0, ctx.rowLimit)
        .map((r) => [
          ...(withNs ? [r.m.metadata.namespace ?? ""] : []),
          r.m.metadata.name,
          fmtCpu(r.cpu),
          fmtMem(r.mem),
        ]),
      total: rows.length,
      untrusted: "metrics.k8s.io",
      empty: `No ${args.kind} metrics reported yet.`,
    };
  },
});

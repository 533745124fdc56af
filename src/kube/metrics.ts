// CPU and memory from the metrics API (metrics-server), summed per node or pod, with Kubernetes
// quantities turned into numbers.
import { ToolError } from "../errors.js";
import type { KubeApi } from "./api.js";
import { KubeApiError } from "./api-error.js";
import { describeError } from "./errors.js";
import { checkLabelSelector } from "./names.js";
import { resourcePath } from "./resolve.js";

const SUFFIX: Record<string, number> = {
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

/** Kubernetes quantity → millicores / bytes; 0 for what is missing or unreadable. */
export function quantity(q: string | undefined, unit: "cpu" | "bytes"): number {
  if (!q) return 0;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q);
  if (!m) return 0;
  const v = Number(m[1]) * (SUFFIX[m[2] ?? ""] ?? 1);
  return unit === "cpu" ? v * 1000 : v;
}

interface Usage {
  cpu?: string;
  memory?: string;
}
interface Metric {
  metadata: { name: string; namespace?: string };
  usage?: Usage;
  containers?: { usage: Usage }[];
}

export interface Used {
  name: string;
  namespace?: string | undefined;
  /** Millicores. */
  cpu: number;
  /** Bytes. */
  mem: number;
}

/** Usage of every node or pod (in `namespace`, or all), heaviest first by `sortBy`. */
export async function readUsage(
  api: KubeApi,
  kind: "nodes" | "pods",
  o: {
    namespace?: string | undefined;
    labelSelector?: string | undefined;
    sortBy: "cpu" | "memory";
    signal: AbortSignal;
  },
): Promise<Used[]> {
  const ns = kind === "pods" ? o.namespace : undefined;
  const path = resourcePath(
    { group: "metrics.k8s.io", version: "v1beta1", resource: kind, namespaced: ns !== undefined },
    ns,
  );
  const labelSelector = o.labelSelector === undefined ? undefined : checkLabelSelector(o.labelSelector);
  let list: { items: Metric[] };
  try {
    list = await api.json({ path, query: { labelSelector }, signal: o.signal });
  } catch (err) {
    if (err instanceof KubeApiError && (err.status === 404 || err.status === 503))
      throw new ToolError(
        `The metrics API (metrics.k8s.io) is not available on cluster ${api.cluster}, so usage cannot be shown.`,
        "Install metrics-server in the cluster, or use resources_describe kind=nodes for capacity and requests.",
      );
    throw describeError(err, { cluster: api.cluster, verb: "list", resource: `${kind}.metrics.k8s.io` });
  }
  const used = list.items.map((m) => {
    const usages = m.usage ? [m.usage] : (m.containers ?? []).map((c) => c.usage);
    const cpu = usages.reduce((s, u) => s + quantity(u.cpu, "cpu"), 0);
    const mem = usages.reduce((s, u) => s + quantity(u.memory, "bytes"), 0);
    return { name: m.metadata.name, namespace: m.metadata.namespace, cpu, mem };
  });
  return used.sort((a, b) => (o.sortBy === "memory" ? b.mem - a.mem : b.cpu - a.cpu));
}

// cluster_health: API server health checks, node readiness, pods that are not running, recent warnings.
import * as z from "zod";
import { renderTable } from "../format/table.js";
import { fetchEvents } from "../kube/events.js";
import { textTool } from "./cluster-tool.js";

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are open-ended JSON.
type Obj = Record<string, any>;

async function checks(api: Obj, path: string, signal: AbortSignal): Promise<string> {
  try {
    const text: string = await api.text({ path, query: { verbose: true }, signal });
    const failed = text.split("\n").filter((l) => l.startsWith("[-]"));
    return failed.length ? `failing: ${failed.map((l) => l.slice(3)).join("; ")}` : "ok";
  } catch (err) {
    return `failed: ${(err as Error).message}`;
  }
}

export const clusterHealth = textTool({
  name: "cluster_health",
  toolset: "inspect",
  title: "Cluster health",
  description:
    "A cluster at a glance: version, API server checks, node readiness and pressure, pods not running, frequent warnings.",
  safety: "read",
  input: z.object({}),
  async run(_args, cluster, ctx) {
    const api = cluster.api;
    const [version, readyz, livez, nodes, pods, warnings] = await Promise.all([
      api.json<{ gitVersion?: string }>({ path: "/version", signal: ctx.signal }),
      checks(api, "/readyz", ctx.signal),
      checks(api, "/livez", ctx.signal),
      api.json<{ items: Obj[] }>({ path: "/api/v1/nodes", signal: ctx.signal }),
      api.json<{ items: Obj[] }>({
        path: "/api/v1/pods",
        query: { fieldSelector: "status.phase!=Running,status.phase!=Succeeded", limit: 500 },
        signal: ctx.signal,
      }),
      fetchEvents(api, { type: "Warning", signal: ctx.signal }),
    ]);
    const ready = nodes.items.filter((n) =>
      n.status?.conditions?.some((c: Obj) => c.type === "Ready" && c.status === "True"),
    );
    const pressure = nodes.items.flatMap((n) =>
      (n.status?.conditions ?? [])
        .filter((c: Obj) => c.type !== "Ready" && c.status === "True")
        .map((c: Obj) => `${n.metadata.name}: ${c.type}`),
    );
    const unschedulable = nodes.items.filter((n) => n.spec?.unschedulable).map((n) => n.metadata.name);
    const byReason = new Map<string, number>();
    for (const e of warnings.events) byReason.set(e.reason, (byReason.get(e.reason) ?? 0) + e.count);
    const topReasons = [...byReason.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
    const lines = [
      `Cluster:  ${cluster.name} (${version.gitVersion ?? "unknown version"})`,
      `readyz:   ${readyz}`,
      `livez:    ${livez}`,
      `Nodes:    ${ready.length}/${nodes.items.length} Ready${unschedulable.length ? `; cordoned: ${unschedulable.join(", ")}` : ""}`,
      ...(pressure.length ? [`Pressure: ${pressure.join(", ")}`] : []),
      `Pods not running: ${pods.items.length}${pods.items.length === 500 ? "+" : ""}`,
    ];
    if (pods.items.length) {
      const rows = pods.items
        .slice(0, 10)
        .map((p) => [
          `${p.metadata.namespace}/${p.metadata.name}`,
          p.status?.phase ?? "",
          p.status?.conditions?.find((c: Obj) => c.status === "False")?.reason ?? "",
        ]);
      lines.push(renderTable(["pod", "phase", "reason"], rows));
    }
    lines.push(
      topReasons.length
        ? `Warnings by reason: ${topReasons.map(([r, n]) => `${r} ×${n}`).join(", ")}`
        : "Warnings: none recorded",
    );
    return {
      text: lines.join("\n"),
      notes: ["Details: events_list type=Warning, resources_describe on a failing object."],
    };
  },
});

// A cluster at a glance: version, API server checks, node readiness and pressure, pods not running,
// and the most frequent warnings, read in parallel.
import { renderTable } from "../format/table.js";
import type { KubeApi } from "./api.js";
import { type Ev, fetchEvents } from "./events.js";
import type { Obj } from "./objects.js";

const MAX_PODS = 500;

/** "ok", the checks that fail, or why the endpoint could not be read. */
async function checks(api: KubeApi, path: string, signal: AbortSignal): Promise<string> {
  try {
    const text = await api.text({ path, query: { verbose: true }, signal });
    const failed = text.split("\n").filter((l) => l.startsWith("[-]"));
    return failed.length ? `failing: ${failed.map((l) => l.slice(3)).join("; ")}` : "ok";
  } catch (err) {
    return `failed: ${(err as Error).message}`;
  }
}

export async function healthReport(api: KubeApi, signal: AbortSignal): Promise<string> {
  const [version, readyz, livez, nodes, pods, warnings] = await Promise.all([
    api.json<{ gitVersion?: string }>({ path: "/version", signal }),
    checks(api, "/readyz", signal),
    checks(api, "/livez", signal),
    api.json<{ items: Obj[] }>({ path: "/api/v1/nodes", signal }),
    api.json<{ items: Obj[] }>({
      path: "/api/v1/pods",
      query: { fieldSelector: "status.phase!=Running,status.phase!=Succeeded", limit: MAX_PODS },
      signal,
    }),
    fetchEvents(api, { type: "Warning", signal }),
  ]);
  return [
    `Cluster:  ${api.cluster} (${version.gitVersion ?? "unknown version"})`,
    `readyz:   ${readyz}`,
    `livez:    ${livez}`,
    ...nodeLines(nodes.items),
    `Pods not running: ${pods.items.length}${pods.items.length === MAX_PODS ? "+" : ""}`,
    ...(pods.items.length ? [podTable(pods.items)] : []),
    warningLine(warnings.events),
  ].join("\n");
}

function nodeLines(nodes: Obj[]): string[] {
  const ready = nodes.filter((n) =>
    n.status?.conditions?.some((c: Obj) => c.type === "Ready" && c.status === "True"),
  );
  const pressure = nodes.flatMap((n) =>
    (n.status?.conditions ?? [])
      .filter((c: Obj) => c.type !== "Ready" && c.status === "True")
      .map((c: Obj) => `${n.metadata.name}: ${c.type}`),
  );
  const cordoned = nodes.filter((n) => n.spec?.unschedulable).map((n) => n.metadata.name);
  return [
    `Nodes:    ${ready.length}/${nodes.length} Ready${cordoned.length ? `; cordoned: ${cordoned.join(", ")}` : ""}`,
    ...(pressure.length ? [`Pressure: ${pressure.join(", ")}`] : []),
  ];
}

/** The first ten pods not running, with the reason of a condition that is false. */
const podTable = (pods: Obj[]) =>
  renderTable(
    ["pod", "phase", "reason"],
    pods
      .slice(0, 10)
      .map((p) => [
        `${p.metadata.namespace}/${p.metadata.name}`,
        p.status?.phase ?? "",
        p.status?.conditions?.find((c: Obj) => c.status === "False")?.reason ?? "",
      ]),
  );

function warningLine(events: Ev[]): string {
  const byReason = new Map<string, number>();
  for (const e of events) byReason.set(e.reason, (byReason.get(e.reason) ?? 0) + e.count);
  const top = [...byReason.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
  return top.length
    ? `Warnings by reason: ${top.map(([r, n]) => `${r} ×${n}`).join(", ")}`
    : "Warnings: none recorded";
}

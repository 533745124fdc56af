// What `kubectl describe` shows, built from the object itself: identity, key state per kind, conditions,
// the pods behind a workload, container states and restarts, and the object's recent events.
import { stringify } from "yaml";
import { age, cell, renderTable } from "../format/table.js";
import type { KubeApi } from "./api.js";
import { corePath } from "./resolve.js";
import { fieldValue, type LabelSelector, selectorString } from "./selectors.js";

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are open-ended JSON.
type Obj = Record<string, any>;

const kv = (m: Record<string, string> | undefined) =>
  Object.entries(m ?? {})
    .map(([k, v]) => `${k}=${cell(v)}`)
    .join(", ") || "<none>";

function conditions(o: Obj): string[] {
  const cs = (o.status?.conditions ?? []) as Obj[];
  if (!cs.length) return [];
  const rows = cs.map((c) => [
    c.type,
    c.status,
    c.reason ?? "",
    age(c.lastTransitionTime ?? c.lastUpdateTime),
    cell(c.message ?? ""),
  ]);
  return ["Conditions:", indent(renderTable(["type", "status", "reason", "age", "message"], rows))];
}

const indent = (t: string) =>
  t
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");

function containerState(s: Obj | undefined): string {
  if (!s) return "unknown";
  if (s.running) return `Running since ${age(s.running.startedAt)} ago`;
  if (s.waiting)
    return `Waiting: ${s.waiting.reason ?? ""}${s.waiting.message ? ` (${cell(s.waiting.message)})` : ""}`;
  if (s.terminated)
    return `Terminated: ${s.terminated.reason ?? ""} exit ${s.terminated.exitCode}${s.terminated.finishedAt ? `, ${age(s.terminated.finishedAt)} ago` : ""}`;
  return "unknown";
}

function podDetails(o: Obj): string[] {
  const statuses = new Map<string, Obj>(
    ((o.status?.containerStatuses ?? []) as Obj[]).map((s) => [s.name, s]),
  );
  const lines = [
    `Node:        ${o.spec?.nodeName ?? "<not scheduled>"}`,
    `Phase:       ${o.status?.phase ?? ""}${o.status?.reason ? ` (${o.status.reason})` : ""}`,
    `IP:          ${o.status?.podIP ?? "<none>"}`,
    `QoS:         ${o.status?.qosClass ?? ""}`,
    "Containers:",
  ];
  for (const c of (o.spec?.containers ?? []) as Obj[]) {
    const s = statuses.get(c.name);
    lines.push(`  ${c.name}:`, `    Image:     ${c.image}`, `    State:     ${containerState(s?.state)}`);
    if (s?.lastState?.terminated) lines.push(`    Last:      ${containerState(s.lastState)}`);
    lines.push(`    Ready:     ${s?.ready ?? false}`, `    Restarts:  ${s?.restartCount ?? 0}`);
    const env = (c.env ?? []) as Obj[];
    if (env.length)
      lines.push(
        `    Env:       ${env.map((e) => (e.valueFrom ? `${e.name} (from ${Object.keys(e.valueFrom)[0]})` : `${e.name}=${cell(e.value)}`)).join(", ")}`,
      );
    const res = c.resources ?? {};
    if (res.requests || res.limits)
      lines.push(`    Resources: requests ${kv(res.requests)}; limits ${kv(res.limits)}`);
  }
  if (o.spec?.nodeSelector) lines.push(`Node-Selectors: ${kv(o.spec.nodeSelector)}`);
  return lines;
}

function workloadStatus(kind: string, o: Obj): string[] {
  const s = o.status ?? {};
  const sp = o.spec ?? {};
  switch (kind) {
    case "Deployment":
      return [
        `Replicas:    ${sp.replicas ?? 1} desired | ${s.updatedReplicas ?? 0} updated | ${s.readyReplicas ?? 0} ready | ${s.availableReplicas ?? 0} available | ${s.unavailableReplicas ?? 0} unavailable`,
        `Strategy:    ${sp.strategy?.type ?? ""}`,
      ];
    case "StatefulSet":
    case "ReplicaSet":
      return [
        `Replicas:    ${sp.replicas ?? 1} desired | ${s.readyReplicas ?? 0} ready | ${s.availableReplicas ?? 0} available`,
      ];
    case "DaemonSet":
      return [
        `Nodes:       ${s.desiredNumberScheduled ?? 0} desired | ${s.currentNumberScheduled ?? 0} current | ${s.numberReady ?? 0} ready | ${s.numberMisscheduled ?? 0} misscheduled`,
      ];
    case "Job":
      return [
        `Completions: ${s.succeeded ?? 0}/${sp.completions ?? 1} succeeded | ${s.failed ?? 0} failed | ${s.active ?? 0} active`,
      ];
    case "CronJob":
      return [
        `Schedule:    ${sp.schedule}${sp.suspend ? " (suspended)" : ""}`,
        `Last run:    ${s.lastScheduleTime ? `${age(s.lastScheduleTime)} ago` : "never"}`,
        `Active jobs: ${(s.active ?? []).length}`,
      ];
    default:
      return [];
  }
}

async function podsOf(api: KubeApi, o: Obj, signal: AbortSignal): Promise<string[]> {
  const sel = selectorString(o.spec?.selector as LabelSelector | undefined);
  if (!sel) return [];
  const ns = o.metadata.namespace as string;
  const list = await api.json<{ items: Obj[] }>({
    path: corePath("pods", ns),
    query: { labelSelector: sel, limit: 50 },
    signal,
  });
  if (!list.items.length) return ["Pods: none"];
  const rows = list.items.map((p) => {
    const cs = (p.status?.containerStatuses ?? []) as Obj[];
    const waiting = cs.find((c) => c.state?.waiting)?.state.waiting.reason;
    return [
      p.metadata.name,
      `${cs.filter((c) => c.ready).length}/${(p.spec?.containers ?? []).length}`,
      waiting ?? p.status?.phase ?? "",
      String(cs.reduce((n, c) => n + (c.restartCount ?? 0), 0)),
      age(p.metadata.creationTimestamp),
      p.spec?.nodeName ?? "<none>",
    ];
  });
  return [
    `Pods (${list.items.length}):`,
    indent(renderTable(["name", "ready", "status", "restarts", "age", "node"], rows)),
  ];
}

async function nodeDetails(api: KubeApi, o: Obj, signal: AbortSignal): Promise<string[]> {
  const pods = await api
    .json<{ items: unknown[] }>({
      path: "/api/v1/pods",
      query: { fieldSelector: `spec.nodeName=${fieldValue(o.metadata.name)}`, limit: 500 },
      signal,
    })
    .catch(() => ({ items: [] }));
  return [
    `Addresses:   ${((o.status?.addresses ?? []) as Obj[]).map((a) => `${a.type}=${a.address}`).join(", ")}`,
    `Capacity:    ${kv(o.status?.capacity)}`,
    `Allocatable: ${kv(o.status?.allocatable)}`,
    `Taints:      ${((o.spec?.taints ?? []) as Obj[]).map((t) => `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`).join(", ") || "<none>"}`,
    `Unschedulable: ${o.spec?.unschedulable ?? false}`,
    `Pods:        ${pods.items.length}${pods.items.length === 500 ? "+" : ""}`,
    `Kubelet:     ${o.status?.nodeInfo?.kubeletVersion ?? ""}`,
  ];
}

function serviceDetails(o: Obj): string[] {
  const ports = ((o.spec?.ports ?? []) as Obj[]).map(
    (p) => `${p.name ? `${p.name} ` : ""}${p.port}/${p.protocol ?? "TCP"}→${p.targetPort ?? p.port}`,
  );
  return [
    `Type:        ${o.spec?.type}`,
    `ClusterIP:   ${o.spec?.clusterIP}`,
    `Ports:       ${ports.join(", ") || "<none>"}`,
    `Selector:    ${kv(o.spec?.selector)}`,
  ];
}

/** The describe text for a (redacted) object; `events` is rendered separately by the caller. */
export async function describeObject(
  api: KubeApi,
  kind: string,
  apiVersion: string,
  o: Obj,
  signal: AbortSignal,
): Promise<string> {
  const m = o.metadata ?? {};
  const lines = [
    `Name:        ${m.name}`,
    ...(m.namespace ? [`Namespace:   ${m.namespace}`] : []),
    `Kind:        ${kind} (${apiVersion})`,
    `Created:     ${m.creationTimestamp} (${age(m.creationTimestamp)} ago)`,
    `Labels:      ${kv(m.labels)}`,
    ...(m.ownerReferences?.length
      ? [`Owned by:    ${(m.ownerReferences as Obj[]).map((r) => `${r.kind}/${r.name}`).join(", ")}`]
      : []),
  ];
  const workloads = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"];
  if (kind === "Pod") lines.push(...podDetails(o));
  else if (workloads.includes(kind)) {
    lines.push(...workloadStatus(kind, o));
    if (o.spec?.selector) lines.push(`Selector:    ${selectorString(o.spec.selector)}`);
    const tmpl = o.spec?.template?.spec ?? o.spec?.jobTemplate?.spec?.template?.spec;
    if (tmpl)
      lines.push(
        `Images:      ${((tmpl.containers ?? []) as Obj[]).map((c) => `${c.name}=${c.image}`).join(", ")}`,
      );
  } else if (kind === "Node") lines.push(...(await nodeDetails(api, o, signal)));
  else if (kind === "Service") lines.push(...serviceDetails(o));
  else if (o.spec || o.data) {
    const body = stringify(o.spec ?? o.data, { lineWidth: 0 }).trimEnd();
    lines.push(
      o.spec ? "Spec:" : "Data:",
      indent(
        body.length > 4000 ? `${body.slice(0, 4000)}\n… (cut; use resources_get for the full object)` : body,
      ),
    );
  }
  lines.push(...conditions(o));
  if (workloads.includes(kind) && kind !== "CronJob") lines.push(...(await podsOf(api, o, signal)));
  return lines.join("\n");
}

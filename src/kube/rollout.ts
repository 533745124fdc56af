// Rollouts of Deployments, StatefulSets and DaemonSets: progress, history and undo from ReplicaSets,
// and the changes `kubectl rollout` makes (restart, undo, pause, resume), each a guarded patch.
import { ToolError } from "../errors.js";
import { renderTable } from "../format/table.js";
import type { KubeApi } from "./api.js";
import { describeError } from "./errors.js";
import { type Found, getObject, type Obj } from "./objects.js";
import { plannedPatch, type WriteCtx } from "./plan.js";
import { type PollOptions, poll } from "./poll.js";
import { resourcePath } from "./resolve.js";
import { selectorString } from "./selectors.js";

export const WORKLOADS = {
  deployment: "deployments",
  statefulset: "statefulsets",
  daemonset: "daemonsets",
} as const;
export type WorkloadKind = keyof typeof WORKLOADS;

/** The one workload a rollout call is about, and the name `kubectl rollout` would print for it. */
export interface Workload extends Found {
  name: string;
  label: string;
}

export async function getWorkload(
  api: KubeApi,
  kind: WorkloadKind,
  name: string,
  namespace: string,
  signal: AbortSignal,
): Promise<Workload> {
  const found = await getObject(api, WORKLOADS[kind], name, namespace, signal);
  return { ...found, name, label: `${found.r.resource}.apps/${name}` };
}

/** Waits (bounded by `o.forMs`) for the rollout to complete; says where it stands either way. */
export async function waitRollout(api: KubeApi, w: Workload, o: PollOptions): Promise<string> {
  let fresh: Obj | undefined = w.obj;
  const last = await poll(o, async () => {
    const obj = fresh ?? (await getObject(api, w.r.resource, w.name, w.ns ?? "", o.signal)).obj;
    fresh = undefined;
    const state = rolloutState(w.r.kind, obj);
    return { done: state.done, message: state.text };
  });
  return `${w.label}: ${last.message}${last.done ? "" : " (stopped waiting)"}.`;
}

/** A Deployment's revisions, newest first, as a table (or a sentence when there are none). */
export async function rolloutHistory(api: KubeApi, w: Workload, signal: AbortSignal): Promise<string> {
  deploymentOnly(w.r.kind, "history");
  const rows = (await replicaSetsOf(api, w.obj, signal)).map((rs) => [
    String(revision(rs)),
    rs.metadata.annotations?.["kubernetes.io/change-cause"] ?? "<none>",
    (rs.spec.template.spec.containers ?? []).map((c: { image: string }) => c.image).join(","),
  ]);
  return rows.length
    ? renderTable(["revision", "change-cause", "images"], rows)
    : `${w.label} has no revisions yet.`;
}

export type RolloutAction = "restart" | "undo" | "pause" | "resume";

/** Makes the change (plan → guard → apply, like any write) and says what was done. */
export async function changeRollout(
  api: KubeApi,
  w: Workload,
  o: { action: RolloutAction; toRevision?: number | undefined; dryRun: boolean; write: WriteCtx },
): Promise<string> {
  const patch = (body: unknown) => patchWorkload(api, w, body, o);
  switch (o.action) {
    case "restart": {
      const annotations = { "kubectl.kubernetes.io/restartedAt": new Date().toISOString() };
      await patch({ spec: { template: { metadata: { annotations } } } });
      return `${w.label} restarted (a new rollout has begun; follow it with rollout_status).`;
    }
    case "undo": {
      deploymentOnly(w.r.kind, "undo");
      const sets = await replicaSetsOf(api, w.obj, o.write.signal);
      const { template, revision: to } = undoTemplate(sets, o.toRevision);
      await patch({ spec: { template } });
      return `${w.label} rolled back to revision ${to}.`;
    }
    case "pause":
    case "resume":
      deploymentOnly(w.r.kind, o.action);
      await patch({ spec: { paused: o.action === "pause" } });
      return `${w.label} ${o.action === "pause" ? "paused" : "resumed"}.`;
  }
}

async function patchWorkload(
  api: KubeApi,
  w: Workload,
  body: unknown,
  o: { dryRun: boolean; write: WriteCtx },
): Promise<void> {
  try {
    // An undo to a template that mounts a Secret is judged like any write.
    const path = resourcePath(w.r, w.ns, w.name);
    await plannedPatch(api, w.r, path, body, { type: "strategic", dryRun: o.dryRun }, o.write);
  } catch (err) {
    throw describeError(err, {
      cluster: api.cluster,
      verb: "patch",
      resource: w.r.kind,
      name: w.name,
      ...(w.ns ? { namespace: w.ns } : {}),
    });
  }
}

function deploymentOnly(kind: string, action: string): void {
  if (kind !== "Deployment")
    throw new ToolError(
      `${action} is supported for Deployments here; for a ${kind}, use the kubectl tool's rollout ${action}.`,
    );
}

/** Whether the rollout is complete, and a sentence saying where it stands (like `kubectl rollout status`). */
export function rolloutState(kind: string, o: Obj): { done: boolean; text: string } {
  const s = o.status ?? {};
  const want = kind === "DaemonSet" ? (s.desiredNumberScheduled ?? 0) : (o.spec?.replicas ?? 1);
  const updated = kind === "DaemonSet" ? (s.updatedNumberScheduled ?? 0) : (s.updatedReplicas ?? 0);
  const ready =
    kind === "DaemonSet"
      ? (s.numberAvailable ?? 0)
      : kind === "StatefulSet"
        ? (s.readyReplicas ?? 0)
        : (s.availableReplicas ?? 0);
  if ((s.observedGeneration ?? 0) < (o.metadata?.generation ?? 0))
    return { done: false, text: "waiting for the controller to observe the new spec" };
  if (o.spec?.paused) return { done: false, text: "the rollout is paused" };
  if (updated < want) return { done: false, text: `${updated} of ${want} updated replicas` };
  if (ready < want) return { done: false, text: `${ready} of ${want} updated replicas available` };
  return { done: true, text: `successfully rolled out (${want} replicas)` };
}

export async function replicaSetsOf(api: KubeApi, deploy: Obj, signal: AbortSignal): Promise<Obj[]> {
  const ns = deploy.metadata.namespace as string;
  const list = await api.json<{ items: Obj[] }>({
    path: resourcePath({ group: "apps", version: "v1", resource: "replicasets", namespaced: true }, ns),
    query: { labelSelector: selectorString(deploy.spec?.selector) },
    signal,
  });
  return list.items
    .filter((rs) => (rs.metadata.ownerReferences ?? []).some((r: Obj) => r.uid === deploy.metadata.uid))
    .sort((a, b) => revision(b) - revision(a));
}

export const revision = (rs: Obj) =>
  Number(rs.metadata?.annotations?.["deployment.kubernetes.io/revision"] ?? 0);

/** The pod template to roll back to: `to` or else the revision before the current one. */
export function undoTemplate(sets: Obj[], to?: number): { template: Obj; revision: number } {
  const target = to ? sets.find((rs) => revision(rs) === to) : sets[1];
  if (!target) {
    const known = sets.map(revision).join(", ");
    throw new ToolError(
      to
        ? `Revision ${to} does not exist (revisions: ${known || "none"}).`
        : `There is no previous revision to roll back to (revisions: ${known || "none"}).`,
    );
  }
  const template = structuredClone(target.spec.template) as Obj;
  delete template.metadata?.labels?.["pod-template-hash"];
  return { template, revision: revision(target) };
}

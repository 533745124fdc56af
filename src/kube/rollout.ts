// Rollouts of Deployments, StatefulSets and DaemonSets: progress, history and undo from ReplicaSets.
import { ToolError } from "../errors.js";
import type { KubeApi } from "./api.js";
import { resourcePath } from "./resolve.js";
import { selectorString } from "./selectors.js";

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are open-ended JSON.
type Obj = Record<string, any>;

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

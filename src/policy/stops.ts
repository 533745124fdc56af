// What a planned change deletes or stops, directly or through a controller: the guard's `deletes`
// rule (docs/security.md lists each case). Pure, like the rest of the guard.
import type { Change, Obj, Rule } from "./guard.js";
import { BUILT_IN } from "./rules.js";

type Add = (rule: Rule, what: string) => void;

export function deletions(c: Change, add: Add): void {
  const after = c.after as Obj;
  deletesAnyway(c, after, add);
  if (!c.before) return; // creating something stops nothing
  stops(c, c.before, after, add);
  evicts(c, c.before, after, add);
}

/** What deletes, even on a new object: a deletion, an owner, finalizers, retention and scaling policies. */
function deletesAnyway(c: Change, after: Obj, add: Add): void {
  const before = c.before;
  if (after.metadata?.deletionTimestamp && !before?.metadata?.deletionTimestamp) add("deletes", "deletes it");
  // The garbage collector finds an owner by apiVersion, kind, name and uid: changing any of them on
  // an existing reference points it at an owner that does not exist.
  const ref = (o: Obj) => JSON.stringify([o?.apiVersion, o?.kind, o?.name, o?.uid]);
  const owners = new Set((before?.metadata?.ownerReferences ?? []).map(ref));
  if ((after.metadata?.ownerReferences ?? []).some((o: Obj) => !owners.has(ref(o))))
    add(
      "deletes",
      "adds an owner reference, which lets the garbage collector delete it (at once if the owner does not exist)",
    );
  const kept = new Set<string>([...(after.metadata?.finalizers ?? []), ...(after.spec?.finalizers ?? [])]);
  const dropped = [...(before?.metadata?.finalizers ?? []), ...(before?.spec?.finalizers ?? [])].filter(
    (f: string) => !kept.has(f),
  );
  if (dropped.length)
    add("deletes", `removes finalizers (${dropped.join(", ")}), which can complete a deletion`);
  // Existing claims that match the StatefulSet's names are adopted, so even a new one can delete data.
  const pvcPolicy = (o: Obj | undefined) => o?.spec?.persistentVolumeClaimRetentionPolicy ?? {};
  for (const when of ["whenScaled", "whenDeleted"])
    if (pvcPolicy(after)[when] === "Delete" && pvcPolicy(before)[when] !== "Delete")
      add(
        "deletes",
        `sets persistentVolumeClaimRetentionPolicy.${when}: Delete, which deletes its volumes' claims`,
      );
  // An autoscaler allowed to reach zero (HPAScaleToZero) stops its target when its metric says so.
  if (
    c.kind === "HorizontalPodAutoscaler" &&
    after.spec?.minReplicas === 0 &&
    before?.spec?.minReplicas !== 0
  )
    add("deletes", "lets the autoscaler scale its target to zero (minReplicas: 0)");
}

const num = (v: unknown) => (typeof v === "number" ? v : undefined);

/** What stops a workload or makes its controller delete: zero replicas, suspension, deadlines, history. */
function stops(c: Change, before: Obj, after: Obj, add: Add): void {
  const was = num(before.spec?.replicas) ?? 1;
  // A Scale (autoscaling/v1) omits replicas when it is zero.
  const now = num(after.spec?.replicas) ?? (after.kind === "Scale" ? 0 : undefined);
  if (now === 0 && was > 0) add("deletes", "scales it to zero replicas");
  if (num(after.spec?.parallelism) === 0 && (num(before.spec?.parallelism) ?? 1) > 0)
    add("deletes", "sets parallelism to zero, which stops its pods");
  if (after.spec?.suspend === true && before.spec?.suspend !== true)
    add("deletes", "suspends it, which stops its pods or its schedule");
  for (const field of ["activeDeadlineSeconds", "ttlSecondsAfterFinished"]) {
    const now = num(after.spec?.[field]);
    const then = num(before.spec?.[field]);
    if (now !== undefined && (then === undefined || now < then))
      add("deletes", `sets or lowers spec.${field}, after which its pods are stopped or it is deleted`);
  }
  // Controllers delete what falls outside a history limit (old Jobs, ReplicaSets, revisions).
  for (const [field, dflt] of [
    ["successfulJobsHistoryLimit", 3],
    ["failedJobsHistoryLimit", 1],
    ["revisionHistoryLimit", 10],
  ] as const) {
    const now = num(after.spec?.[field]);
    if (now !== undefined && now < (num(before.spec?.[field]) ?? dflt))
      add("deletes", `lowers spec.${field}, after which its controller deletes older history`);
  }
  // A custom resource's scale can sit anywhere in its spec (size, instances, workers…): a number
  // that drops to zero on a kind the guard does not know is taken as a stop.
  if (!BUILT_IN(c.group)) {
    const zeroed = zeroedNumber(before.spec, after.spec, "spec");
    if (zeroed) add("deletes", `sets ${zeroed} to zero, which can stop a custom resource's workload`);
  }
}

/** What moves pods off their nodes or into another owner's hands, which then deletes them. */
function evicts(c: Change, before: Obj, after: Obj, add: Add): void {
  const evicting = (o: Obj | undefined) =>
    new Set(
      (o?.spec?.taints ?? [])
        .filter((t: Obj) => t?.effect === "NoExecute")
        .map((t: Obj) => `${t.key}=${t.value ?? ""}`),
    );
  const had = evicting(before);
  if ([...evicting(after)].some((t) => !had.has(t)))
    add("deletes", "adds a NoExecute taint, which evicts the node's pods");
  // Controllers own pods by label: a relabelled pod can be adopted by a ReplicaSet, Job or
  // StatefulSet that then deletes a pod to keep its count.
  if (c.group === "" && c.kind === "Pod" && labels(before) !== labels(after))
    add("deletes", "changes a pod's labels, which can make a controller adopt it and delete a pod");
  // Pods are named by ordinal: moving the start replaces every pod, and each one's claim with it.
  if (c.kind === "StatefulSet" && (before.spec?.ordinals?.start ?? 0) !== (after.spec?.ordinals?.start ?? 0))
    add("deletes", "moves its ordinals, which deletes every pod for one with a new name and claim");
  if (tracking(before) !== tracking(after))
    add("deletes", "marks it as part of an Argo CD application, which prunes what its source lacks");
  if (c.kind === "DaemonSet" && nodeSelection(before) !== nodeSelection(after))
    add("deletes", "changes which nodes run it, which can remove its pods from nodes");
}

/** The first number in `after` that is zero where `before` held a positive number (bounded walk). */
function zeroedNumber(before: unknown, after: unknown, path: string, depth = 0): string | undefined {
  if (depth > 16 || typeof after !== "object" || after === null) return undefined;
  if (typeof before !== "object" || before === null) return undefined;
  for (const [k, v] of Object.entries(after)) {
    const was = (before as Obj)[k];
    if (v === 0 && typeof was === "number" && was > 0) return `${path}.${k}`;
    const deeper = zeroedNumber(was, v, `${path}.${k}`, depth + 1);
    if (deeper) return deeper;
  }
  return undefined;
}

const labels = (o: Obj) => JSON.stringify(Object.entries(o.metadata?.labels ?? {}).sort());

// Argo CD owns what carries its tracking annotation or label, and prunes it when its source lacks it.
const TRACKING = ["argocd.argoproj.io/tracking-id", "argocd.argoproj.io/instance"];
const tracking = (o: Obj) =>
  JSON.stringify(TRACKING.map((k) => [o.metadata?.annotations?.[k], o.metadata?.labels?.[k]]));

// A DaemonSet's pods leave every node they no longer select or tolerate.
const nodeSelection = (o: Obj | undefined) => {
  const spec = o?.spec?.template?.spec ?? {};
  return JSON.stringify([
    spec.nodeSelector ?? null,
    spec.affinity?.nodeAffinity ?? null,
    spec.tolerations ?? null,
    spec.nodeName ?? null,
  ]);
};

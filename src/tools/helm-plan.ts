// What a helm write would do to the cluster, from helm's own manifests: the release's objects before
// (the current revision) and after (the rendered chart, or the revision a rollback restores). Every
// object it would write is judged by the guard against its live self, every object it would drop as a
// deletion; the same comparison is the plan shown for a dry run (added, changed with a diff, removed).
import { lineDiff } from "../format/diff.js";
import { type ApplyTarget, parseManifest, planView, resolveTargets } from "../kube/apply.js";
import { readLive, type WriteCtx } from "../kube/plan.js";
import { type Change, guard, type Obj } from "../policy/guard.js";
import { redactObject } from "../policy/redact.js";
import type { Cluster } from "../targets/clusters.js";

/** The objects of a manifest helm printed (none for an empty one). */
export const objectsOf = (manifest: unknown): Obj[] =>
  typeof manifest === "string" && manifest.trim() ? parseManifest(manifest) : [];

export interface ReleaseObjects {
  /** What the release will hold. */
  next: Obj[];
  /** What it holds now (empty for a new release). */
  previous: Obj[];
  /** Hooks helm runs (creates) during this operation. */
  hooks: Obj[];
  /** Written besides the release, e.g. the namespace of --create-namespace. */
  extra?: (Change & { label: string })[];
}

export interface HelmPlan {
  changes: Change[];
  added: string[];
  changed: { label: string; diff: string }[];
  unchanged: number;
  removed: string[];
  hooks: string[];
}

const key = (t: ApplyTarget) =>
  `${t.r.group}/${t.r.kind}/${t.obj.metadata?.namespace ?? ""}/${t.obj.metadata?.name}`;

/** Pairs the release's objects with their live selves; what helm would drop is a deletion. */
export async function planRelease(
  cluster: Cluster,
  o: ReleaseObjects,
  ns: string,
  w: WriteCtx,
): Promise<HelmPlan> {
  // Remembered so that a value the chart or --set put into a Secret is masked wherever it reappears.
  for (const obj of [...o.next, ...o.previous, ...o.hooks]) redactObject(obj, { collect: w.secrets.add });
  const api = cluster.api;
  const [next, previous, hooks] = await Promise.all(
    [o.next, o.previous, o.hooks].map((objs) => resolveTargets(api, objs, ns, w.signal)),
  );
  const kept = new Set((next ?? []).map(key));
  const before = new Map((previous ?? []).map((t) => [key(t), t]));
  const removed = (previous ?? []).filter((t) => !kept.has(key(t)));
  const written = [...(next ?? []), ...(hooks ?? [])];
  // Every live object at once: a chart may hold hundreds.
  const live = await Promise.all([...written, ...removed].map((t) => readLive(api, t.path, w)));
  const plan: HelmPlan = { changes: [], added: [], changed: [], unchanged: 0, removed: [], hooks: [] };
  for (const e of o.extra ?? []) {
    plan.changes.push(e);
    plan.added.push(e.label);
  }
  written.forEach((t, i) => {
    const now = live[i];
    plan.changes.push({ ...(now ? { before: now } : {}), after: t.obj, group: t.r.group, kind: t.r.kind });
  });
  for (const t of next ?? []) {
    const prev = before.get(key(t));
    if (!prev) plan.added.push(t.label);
    else {
      const diff = lineDiff(planView(prev.obj), planView(t.obj));
      if (diff) plan.changed.push({ label: t.label, diff });
      else plan.unchanged++;
    }
  }
  plan.hooks = (hooks ?? []).map((t) => t.label);
  removed.forEach((t, i) => {
    plan.changes.push({ before: live[written.length + i] ?? t.obj, group: t.r.group, kind: t.r.kind });
    plan.removed.push(t.label);
  });
  return plan;
}

/** The plan as text: what would be added, changed (a diff, secrets redacted) and removed, and the verdict. */
export function renderPlan(what: string, plan: HelmPlan, w: WriteCtx): string {
  const list = (title: string, labels: string[]) =>
    labels.length ? [`${title}:`, ...labels.map((l) => `  ${l}`)] : [];
  const refusal = guard(plan.changes, w.policy);
  return [
    `Plan for ${what} (dry run; nothing was changed):`,
    ...list("Added", plan.added),
    ...(plan.changed.length
      ? ["Changed:", ...plan.changed.flatMap((c) => [`  ${c.label}:`, c.diff.replace(/^/gm, "    ")])]
      : []),
    ...list("Removed (deleted by helm)", plan.removed),
    ...list("Hooks (created by helm while it runs)", plan.hooks),
    ...(plan.unchanged ? [`Unchanged: ${plan.unchanged} object(s).`] : []),
    "Secret values are shown redacted: a changed value may show no difference.",
    refusal
      ? `Running it would be refused:\n${refusal.replace(/^Refused on[^\n]*\n/, "")}`
      : `The guard allows it on cluster ${w.policy.cluster} (${w.policy.mode} mode).`,
  ].join("\n");
}

/** One line on what a planned helm write did, for its answer. */
export function summarize(plan: HelmPlan): string {
  const part = (verb: string, labels: string[]) => (labels.length ? [`${verb} ${labels.join(", ")}`] : []);
  const parts = [
    ...part("added", plan.added),
    ...part(
      "changed",
      plan.changed.map((c) => c.label),
    ),
    ...part("removed", plan.removed),
  ];
  return `Objects: ${parts.length ? parts.join("; ") : "none changed"}${plan.unchanged ? ` (${plan.unchanged} unchanged)` : ""}.`;
}

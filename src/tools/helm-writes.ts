// helm install, upgrade and rollback through plan → guard → apply. helm renders and applies charts
// itself, so the plan comes from helm: its server-side dry run for install and upgrade (the release it
// would make, with its manifest and hooks), the stored revision a rollback restores. helm-plan.ts judges
// every object it would write against its live self and every object it would drop as a deletion; only
// then does helm run for real, pinned to what was planned (the chart version, the revision).
// Charts come only from the operator's repositories, added by kube-mcp to the call's private Helm home.

import { ToolError } from "../errors.js";
import { enforce, readLive, type WriteCtx } from "../kube/plan.js";
import { lastFlag, type Parsed } from "../passthrough/grammar.js";
import { flagOn } from "../passthrough/helm.js";
import type { Obj } from "../policy/guard.js";
import type { Cluster } from "../targets/clusters.js";
import { cliJson, type Cli as Helm } from "./cli-json.js";
import { type HelmPlan, objectsOf, planRelease, renderPlan, summarize } from "./helm-plan.js";
import {
  history,
  hooksFor,
  planError,
  type Release,
  refusePending,
  release,
  upgradedFrom,
  type Wait,
} from "./helm-release.js";
import { chartSource, type HelmRegistry, type HelmRepository } from "./helm-repos.js";

/** What to do after planning: run helm with this argv, or answer with the plan (a dry run). */
export type Planned =
  | { argv: string[]; json: boolean; summary: string; release: string; wait: Wait }
  | { text: string };

export interface HelmWriteOpts {
  repositories: readonly HelmRepository[];
  registries: readonly HelmRegistry[];
  /** Seconds the helm process may run: helm's own --timeout is kept below it (see helmTimeout). */
  deadlineS: number;
  /** The server's dryRun setting: every write answers with its plan. */
  dryRun: boolean;
}

const GO_UNITS: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9 };

/**
 * helm's --timeout (its waits and each hook), kept below the process deadline: killed by kube-mcp,
 * helm could not record the failure and would leave the release pending; timing out itself, it marks
 * the revision failed (or, with --atomic, rolls it back) and says so.
 */
export function helmTimeout(asked: string | undefined, deadlineS: number): { seconds: number; cut: boolean } {
  let wanted = 300;
  if (asked !== undefined) {
    wanted = 0;
    for (const [, n, unit] of asked.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g))
      wanted += Number(n) * (GO_UNITS[unit as string] ?? 0);
  }
  const margin = Math.min(15, Math.max(1, Math.floor(deadlineS / 5)));
  const seconds = Math.max(1, Math.min(Math.ceil(wanted), deadlineS - margin));
  return { seconds, cut: seconds < wanted };
}

/** Reports progress every few seconds while helm applies a release (its waits and hooks print nothing). */
export async function reporting<T>(
  work: Promise<T>,
  what: string,
  deadlineS: number,
  progress: (done: number, total: number, message: string) => void,
): Promise<T> {
  const start = Date.now();
  const tick = setInterval(() => {
    const s = Math.round((Date.now() - start) / 1000);
    progress(s, deadlineS, `${what}: helm is applying it (${s} s of at most ${deadlineS} s)`);
  }, 5000);
  try {
    return await work;
  } finally {
    clearInterval(tick);
  }
}

/** Whether kube-mcp plans this helm command before it runs (an uninstall only to answer a dry run). */
export const isPlannedHelmWrite = (v: Parsed & { help?: boolean }, dryRun: boolean) =>
  !v.help &&
  (["install", "upgrade", "rollback"].includes(v.path[0] ?? "") ||
    (v.path[0] === "uninstall" && (dryRun || flagOn(v, "dry-run"))));

const INSTALL_HOOKS = ["pre-install", "post-install", "pre-upgrade", "post-upgrade"];
const ROLLBACK_HOOKS = ["pre-rollback", "post-rollback"];
const DELETE_HOOKS = ["pre-delete", "post-delete"];

/** helm uninstall leaves an object whose manifest says so. */
const kept = (o: Obj) =>
  String(o.metadata?.annotations?.["helm.sh/resource-policy"] ?? "")
    .trim()
    .toLowerCase() === "keep";

/** The argv of a planned command as flags kube-mcp re-spells, without the ones it drops. */
const flagsOf = (v: Parsed, drop: string[]) =>
  v.flags.filter((f) => !drop.includes(f.name)).map((f) => `--${f.name}=${f.value}`);

/**
 * Plans and guards a helm install, upgrade or rollback. Returns the argv helm should now run, pinned to
 * what was planned, or the plan itself for a dry run.
 */
export function planHelm(
  argv: string[],
  v: Parsed,
  helm: Helm,
  cluster: Cluster,
  w: WriteCtx,
  o: HelmWriteOpts,
): Promise<Planned> {
  if (v.path[0] === "rollback") return planRollback(v, helm, cluster, w, o);
  // An uninstall is planned only to answer a dry run: it needs full mode, where the guard allows deletes.
  if (v.path[0] === "uninstall") return planUninstall(v, helm, cluster, w);
  return planInstall(argv, v, helm, cluster, w, o);
}

function finish(
  what: string,
  plan: HelmPlan,
  v: Parsed,
  w: WriteCtx,
  argv: string[],
  o: HelmWriteOpts,
): Planned {
  if (o.dryRun || flagOn(v, "dry-run")) return { text: renderPlan(what, plan, w) };
  enforce(plan.changes, w);
  const wait = helmTimeout(lastFlag(v, "timeout"), o.deadlineS);
  return {
    argv: [...argv, `--timeout=${wait.seconds}s`],
    wait: { ...wait, deadlineS: o.deadlineS },
    json: v.path[0] !== "rollback",
    summary: summarize(plan),
    release: v.positionals[0] ?? "",
  };
}

async function planInstall(
  argv: string[],
  v: Parsed,
  helm: Helm,
  cluster: Cluster,
  w: WriteCtx,
  o: HelmWriteOpts,
): Promise<Planned> {
  const [name = "", chart = ""] = v.positionals;
  const source = chartSource(chart, o.repositories, o.registries, cluster);
  // The call's Helm home is private and new, so the repository is added (and its index fetched) afresh.
  if (source.repo) {
    const added = await helm(["repo", "add", source.repo.name, source.repo.url, "--force-update"]);
    if (added.code !== 0) throw planError(added, { name, chart, source: source.label });
  }
  const revs = await history(helm, name);
  refusePending(name, revs);
  const run = [...argv.filter((a) => !/^--dry-run(=.*)?$/.test(a)), ...source.args];
  const planned = await cliJson<Release>(helm, [...run, "--dry-run=server", "--output=json"], {
    what: `helm ${v.path[0]} --dry-run=server (the plan)`,
    failed: async (dry) => {
      throw await planError(dry, {
        name,
        chart,
        source: source.label,
        ...(lastFlag(v, "version") ? { version: lastFlag(v, "version") } : {}),
        ...(source.repo ? { versions: () => versionsOf(helm, chart) } : {}),
      });
    },
  });
  const ns = lastFlag(v, "namespace") ?? cluster.namespace;
  const current = await upgradedFrom(helm, name, revs);
  const nsPath = `/api/v1/namespaces/${encodeURIComponent(ns)}`;
  const newNs = flagOn(v, "create-namespace") && !(await readLive(cluster.api, nsPath, w));
  const plan = await planRelease(
    cluster,
    {
      next: objectsOf(planned.manifest),
      previous: objectsOf(current?.manifest),
      hooks: hooksFor(planned, INSTALL_HOOKS),
      ...(newNs
        ? {
            extra: [
              {
                after: { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } },
                group: "",
                kind: "Namespace",
                label: `namespaces/${ns}`,
              },
            ],
          }
        : {}),
    },
    ns,
    w,
  );
  const version = planned.chart?.metadata?.version;
  const what = `${v.path[0]} ${name} (chart ${chart}${typeof version === "string" ? ` ${version}` : ""})`;
  const pin = typeof version === "string" ? [`--version=${version}`] : [];
  return finish(what, plan, v, w, [...run, ...pin, "--output=json"], o);
}

/** The versions of a chart in the call's Helm home, or the charts of its repository when it has none. */
async function versionsOf(helm: Helm, chart: string): Promise<string> {
  const repo = chart.split("/")[0] ?? "";
  const found = (term: string) =>
    cliJson<{ name: string; version: string }[]>(
      helm,
      ["search", "repo", term, "--versions", "--devel", "--output=json"],
      { what: "helm search repo", failed: () => [] },
    );
  const versions = (await found(chart)).filter((c) => c.name === chart).map((c) => c.version);
  if (versions.length) return `Versions of ${chart}: ${versions.slice(0, 30).join(", ")}.`;
  const charts = [...new Set((await found(`${repo}/`)).map((c) => c.name))];
  return charts.length
    ? `Repository ${repo} has no chart ${chart}; its charts: ${charts.slice(0, 50).join(", ")}.`
    : `Repository ${repo} lists no charts.`;
}

async function planRollback(
  v: Parsed,
  helm: Helm,
  cluster: Cluster,
  w: WriteCtx,
  o: HelmWriteOpts,
): Promise<Planned> {
  const [name = "", rev] = v.positionals;
  const current = await release(helm, name);
  if (!current)
    throw new ToolError(
      `Release ${name} was not found in namespace ${lastFlag(v, "namespace") ?? cluster.namespace}; nothing was changed.`,
      "List releases with `helm list -A`.",
    );
  // helm's default target is the revision before the latest one, whatever its status.
  const target = rev && rev !== "0" ? Number(rev) : Number(current.version) - 1;
  const restored = target >= 1 ? await release(helm, name, target) : undefined;
  if (!restored)
    throw new ToolError(
      `Release ${name} has no revision ${target} to roll back to; nothing was changed.`,
      `See its revisions with \`helm history ${name}\`.`,
    );
  const ns = current.namespace ?? lastFlag(v, "namespace") ?? cluster.namespace;
  const plan = await planRelease(
    cluster,
    {
      next: objectsOf(restored.manifest),
      previous: objectsOf(current.manifest),
      hooks: hooksFor(restored, ROLLBACK_HOOKS),
    },
    ns,
    w,
  );
  // Pinned to the revision judged: helm's "previous" moves if another revision is made meanwhile.
  const argv = ["rollback", name, String(target), ...flagsOf(v, ["dry-run", "namespace", "timeout"])];
  return finish(`rollback ${name} from revision ${current.version} to ${target}`, plan, v, w, argv, o);
}

/** An uninstall's plan (a dry run only: uninstall needs full mode, where the guard allows deletes). */
async function planUninstall(v: Parsed, helm: Helm, cluster: Cluster, w: WriteCtx): Promise<Planned> {
  const plans: string[] = [];
  for (const name of v.positionals) {
    const current = await release(helm, name);
    if (!current) {
      plans.push(
        `Release ${name} was not found; uninstalling it would fail${flagOn(v, "ignore-not-found") ? " (ignored: --ignore-not-found)" : ""}.`,
      );
      continue;
    }
    const objects = objectsOf(current.manifest);
    const plan = await planRelease(
      cluster,
      {
        // What helm keeps is planned as unchanged: in the release before and after.
        next: objects.filter(kept),
        previous: objects,
        hooks: flagOn(v, "no-hooks") ? [] : hooksFor(current, DELETE_HOOKS),
      },
      current.namespace ?? lastFlag(v, "namespace") ?? cluster.namespace,
      w,
    );
    plans.push(renderPlan(`uninstall ${name} (revision ${current.version})`, plan, w));
  }
  return { text: plans.join("\n\n") };
}

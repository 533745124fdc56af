// helm install, upgrade and rollback through plan → guard → apply. helm renders and applies charts
// itself, so the plan comes from helm: its server-side dry run for install and upgrade (the release it
// would make, with its manifest and hooks), the stored revision a rollback restores. helm-plan.ts judges
// every object it would write against its live self and every object it would drop as a deletion; only
// then does helm run for real, pinned to what was planned (the chart version, the revision).
// Charts come only from the operator's repositories, added by kube-mcp to the call's private Helm home.

import { lastFlag, type Parsed } from "../exec/grammar.js";
import { flagOn } from "../exec/helm.js";
import { enforce, readLive, type WriteCtx } from "../kube/plan.js";
import type { Obj } from "../policy/guard.js";
import type { Cluster } from "../targets/clusters.js";
import { ToolError } from "./define.js";
import { type HelmPlan, objectsOf, planRelease, renderPlan, summarize } from "./helm-plan.js";
import type { Kubectl as Helm } from "./kubectl-writes.js";

export interface HelmRepository {
  name: string;
  url: string;
}

/** What to do after planning: run helm with this argv, or answer with the plan (a dry run). */
export type Planned = { argv: string[]; json: boolean; summary: string } | { text: string };

/** Whether kube-mcp plans this helm command before it runs (an uninstall only to answer a dry run). */
export const isPlannedHelmWrite = (v: Parsed & { help?: boolean }) =>
  !v.help &&
  (["install", "upgrade", "rollback"].includes(v.path[0] ?? "") ||
    (v.path[0] === "uninstall" && flagOn(v, "dry-run")));

async function helmOk(helm: Helm, argv: string[], what: string): Promise<string> {
  const r = await helm(argv);
  if (r.code !== 0)
    throw new ToolError(
      `helm ${what} failed; nothing was changed: ${(r.stderr || r.stdout).trim().slice(0, 2000)}`,
    );
  return r.stdout;
}

// biome-ignore lint/suspicious/noExplicitAny: helm's release JSON.
type Release = Record<string, any>;

/** A stored revision of the release (the latest without one), or undefined when there is none. */
async function release(helm: Helm, name: string, revision?: number): Promise<Release | undefined> {
  const r = await helm(["status", name, ...(revision ? [`--revision=${revision}`] : []), "--output=json"]);
  if (r.code === 0) return JSON.parse(r.stdout) as Release;
  if (/not found/i.test(r.stderr)) return undefined;
  throw new ToolError(
    `helm could not read release ${name}; nothing was changed: ${r.stderr.trim().slice(0, 2000)}`,
  );
}

/**
 * The revision an upgrade replaces, chosen as helm chooses it: the latest when deployed, else the
 * latest deployed one, else a failed or superseded latest. Its objects the new revision lacks are deleted.
 */
async function upgradedFrom(helm: Helm, name: string): Promise<Release | undefined> {
  const r = await helm(["history", name, "--output=json"]);
  if (r.code !== 0) {
    if (/not found/i.test(r.stderr)) return undefined;
    throw new ToolError(
      `helm history ${name} failed; nothing was changed: ${r.stderr.trim().slice(0, 2000)}`,
    );
  }
  const revisions = (JSON.parse(r.stdout) as { revision: number; status: string }[]).sort(
    (a, b) => b.revision - a.revision,
  );
  const last = revisions[0];
  const from =
    last?.status === "deployed"
      ? last
      : (revisions.find((x) => x.status === "deployed") ??
        (["failed", "superseded"].includes(last?.status ?? "") ? last : undefined));
  return from && release(helm, name, from.revision);
}

/** The objects of the hooks helm runs for these events. */
const hooksFor = (rel: Release, events: string[]): Obj[] =>
  (Array.isArray(rel.hooks) ? rel.hooks : [])
    .filter((h: Obj) => Array.isArray(h.events) && h.events.some((e: string) => events.includes(e)))
    .flatMap((h: Obj) => objectsOf(h.manifest));

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
  repositories: readonly HelmRepository[],
): Promise<Planned> {
  if (v.path[0] === "rollback") return planRollback(v, helm, cluster, w);
  if (v.path[0] === "uninstall") return planUninstall(v, helm, cluster, w);
  return planInstall(argv, v, helm, cluster, w, repositories);
}

function finish(what: string, plan: HelmPlan, dryRun: boolean, w: WriteCtx, argv: string[]): Planned {
  if (dryRun) return { text: renderPlan(what, plan, w) };
  enforce(plan.changes, w);
  return { argv, json: true, summary: summarize(plan) };
}

async function planInstall(
  argv: string[],
  v: Parsed,
  helm: Helm,
  cluster: Cluster,
  w: WriteCtx,
  repositories: readonly HelmRepository[],
): Promise<Planned> {
  const [name = "", chart = ""] = v.positionals;
  const repoName = chart.split("/")[0];
  const repo = repositories.find((r) => r.name === repoName);
  if (!repo)
    throw new ToolError(
      `Refused on cluster ${cluster.name}: chart repository "${repoName}" is not configured. ${
        repositories.length
          ? `Configured: ${repositories.map((r) => r.name).join(", ")}.`
          : "No chart repositories are configured."
      } Only the operator adds repositories (helm.repositories, --helm-repo NAME=URL).`,
    );
  // The call's Helm home is private and new, so the repository is added (and its index fetched) afresh.
  await helmOk(helm, ["repo", "add", repo.name, repo.url, "--force-update"], `repo add ${repo.name}`);
  const dryRun = flagOn(v, "dry-run");
  const run = argv.filter((a) => !/^--dry-run(=.*)?$/.test(a));
  const planned = JSON.parse(
    await helmOk(helm, [...run, "--dry-run=server", "--output=json"], "dry run (the plan)"),
  ) as Release;
  const ns = lastFlag(v, "namespace") ?? cluster.namespace;
  const current = await upgradedFrom(helm, name);
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
  return finish(what, plan, dryRun, w, [...run, ...pin, "--output=json"]);
}

async function planRollback(v: Parsed, helm: Helm, cluster: Cluster, w: WriteCtx): Promise<Planned> {
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
  const argv = ["rollback", name, String(target), ...flagsOf(v, ["dry-run", "namespace"])];
  const planned = finish(
    `rollback ${name} from revision ${current.version} to ${target}`,
    plan,
    flagOn(v, "dry-run"),
    w,
    argv,
  );
  return "argv" in planned ? { ...planned, json: false } : planned;
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

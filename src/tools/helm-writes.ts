// helm install and upgrade through plan → guard → apply. helm renders and applies charts itself, so the
// plan is helm's own server-side dry run (the release it would make, with its manifest and hooks); every
// rendered object is judged against its live self, an upgrade's objects missing from the new manifest
// are judged as deletions, and only then does helm run for real, pinned to the chart version it planned.
// Charts come only from the operator's repositories, added by kube-mcp to the call's private Helm home.

import { lastFlag, type Parsed } from "../exec/grammar.js";
import { type ApplyTarget, parseManifest, resolveTargets } from "../kube/apply.js";
import { enforce, readLive, type WriteCtx } from "../kube/plan.js";
import type { Change, Obj } from "../policy/guard.js";
import { redactObject } from "../policy/redact.js";
import type { Cluster } from "../targets/clusters.js";
import { ToolError } from "./define.js";
import type { Kubectl as Helm } from "./kubectl-writes.js";

export interface HelmRepository {
  name: string;
  url: string;
}

/** Whether kube-mcp plans this helm command before it runs. */
export const isPlannedHelmWrite = (v: Parsed & { help?: boolean }) =>
  !v.help && (v.path[0] === "install" || v.path[0] === "upgrade");

const isSet = (v: Parsed, name: string) =>
  !["false", "0", "f", "F", "FALSE", "False", undefined].includes(lastFlag(v, name));

async function helmOk(helm: Helm, argv: string[], what: string): Promise<string> {
  const r = await helm(argv);
  if (r.code !== 0)
    throw new ToolError(
      `helm ${what} failed; nothing was changed: ${(r.stderr || r.stdout).trim().slice(0, 2000)}`,
    );
  return r.stdout;
}

const objectsOf = (manifest: unknown): Obj[] =>
  typeof manifest === "string" && manifest.trim() ? parseManifest(manifest) : [];

const key = (t: ApplyTarget) =>
  `${t.r.group}/${t.r.kind}/${t.obj.metadata?.namespace ?? ""}/${t.obj.metadata?.name}`;

/**
 * Plans and guards a helm install/upgrade. Returns the argv helm should now run: pinned to the chart
 * version it planned, printing the release as JSON (redacted and rendered by the passthrough).
 */
export async function guardedHelm(
  argv: string[],
  v: Parsed,
  helm: Helm,
  cluster: Cluster,
  w: WriteCtx,
  repositories: readonly HelmRepository[],
): Promise<string[]> {
  const [release = "", chart = ""] = v.positionals;
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
  const planned = JSON.parse(
    await helmOk(helm, [...argv, "--dry-run=server", "--output=json"], "dry run (the plan)"),
  ) as Obj;
  const ns = lastFlag(v, "namespace") ?? cluster.namespace;
  const rendered = [
    ...objectsOf(planned.manifest),
    ...(Array.isArray(planned.hooks) ? planned.hooks.flatMap((h: Obj) => objectsOf(h.manifest)) : []),
  ];
  // Remembered so that a value the chart or --set put into a Secret is masked wherever it reappears.
  for (const o of rendered) redactObject(o, { collect: w.secrets.add });
  const api = cluster.api;
  const targets = await resolveTargets(api, rendered, ns, w.signal);
  const changes: (Change & { label: string })[] = [];
  const nsPath = `/api/v1/namespaces/${encodeURIComponent(ns)}`;
  if (isSet(v, "create-namespace") && !(await readLive(api, nsPath, w)))
    changes.push({
      after: { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } },
      group: "",
      kind: "Namespace",
      label: `namespaces/${ns}`,
    });
  for (const t of targets) {
    const before = await readLive(api, t.path, w);
    changes.push({
      ...(before ? { before } : {}),
      after: t.obj,
      group: t.r.group,
      kind: t.r.kind,
      label: t.label,
    });
  }
  changes.push(...(await removals(helm, release, targets, cluster, ns, w)));
  enforce(changes, w);
  const version = planned.chart?.metadata?.version;
  return [...argv, ...(typeof version === "string" ? [`--version=${version}`] : []), "--output=json"];
}

/** The objects of the release's current manifest that the new one lacks: helm deletes them. */
async function removals(
  helm: Helm,
  release: string,
  next: ApplyTarget[],
  cluster: Cluster,
  ns: string,
  w: WriteCtx,
): Promise<(Change & { label: string })[]> {
  const r = await helm(["get", "manifest", release]);
  if (r.code !== 0) {
    if (/not found/i.test(r.stderr)) return [];
    throw new ToolError(
      `helm get manifest ${release} failed; nothing was changed: ${r.stderr.trim().slice(0, 2000)}`,
    );
  }
  const kept = new Set(next.map(key));
  const current = await resolveTargets(cluster.api, objectsOf(r.stdout), ns, w.signal);
  const gone = current.filter((t) => !kept.has(key(t)));
  return Promise.all(
    gone.map(async (t) => ({
      before: (await readLive(cluster.api, t.path, w)) ?? t.obj,
      group: t.r.group,
      kind: t.r.kind,
      label: t.label,
    })),
  );
}

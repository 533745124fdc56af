// What kube-mcp reads of a helm release while planning a write, and the sentences it answers with when
// helm fails: each says what state helm left and what to do next. helm runs pinned to the call's
// cluster and private Helm home (the passthrough's runner).

import { ToolError } from "../errors.js";
import type { Obj } from "../policy/guard.js";
import { cliJson, type Cli as Helm } from "./cli-json.js";
import { objectsOf } from "./helm-plan.js";

// biome-ignore lint/suspicious/noExplicitAny: helm's release JSON.
export type Release = Record<string, any>;

export interface Revision {
  revision: number;
  status: string;
  description?: string;
}

const said = (r: { stdout: string; stderr: string }) =>
  (r.stderr || r.stdout)
    .trim()
    .replace(/^Error: /, "")
    .slice(0, 2000);

/** A stored revision of the release (the latest without one), or undefined when there is none. */
export async function release(helm: Helm, name: string, revision?: number): Promise<Release | undefined> {
  const argv = ["status", name, ...(revision ? [`--revision=${revision}`] : []), "--output=json"];
  return cliJson<Release | undefined>(helm, argv, {
    what: "helm status",
    failed(r) {
      if (/not found/i.test(r.stderr)) return undefined;
      throw new ToolError(`helm could not read release ${name}; nothing was changed: ${said(r)}`);
    },
  });
}

/** The release's revisions, newest first (none for a release that does not exist). */
export async function history(helm: Helm, name: string): Promise<Revision[]> {
  const revs = await cliJson<Revision[]>(helm, ["history", name, "--output=json"], {
    what: "helm history",
    failed(r) {
      if (/not found/i.test(r.stderr)) return [];
      throw new ToolError(`helm history ${name} failed; nothing was changed: ${said(r)}`);
    },
  });
  return revs.sort((a, b) => b.revision - a.revision);
}

/** How to get a release out of a state helm leaves it in, as a sentence. */
function nextStep(name: string, revs: Revision[]): string {
  const last = revs[0];
  const good = revs.find(
    (x) => x.revision !== last?.revision && x.status !== "failed" && !x.status.startsWith("pending"),
  );
  const back = good
    ? `roll back with \`helm rollback ${name} ${good.revision}\``
    : `uninstall it (full mode)`;
  if (last?.status.startsWith("pending"))
    return `If no helm operation is still running on it (an interrupted one leaves it so), ${back}; otherwise wait and check \`helm status ${name}\`.`;
  return `Fix the cause and upgrade again, or ${back}.`;
}

/**
 * Refuses to plan an install or upgrade of a release whose latest revision is pending: helm refuses it
 * too ("another operation is in progress"), and kube-mcp says what would unblock it.
 */
export function refusePending(name: string, revs: Revision[]): void {
  const last = revs[0];
  if (!last?.status.startsWith("pending")) return;
  throw new ToolError(
    `Release ${name} is ${last.status} at revision ${last.revision}: another helm operation is running on it or was interrupted; nothing was changed.`,
    nextStep(name, revs),
  );
}

/**
 * The revision an upgrade replaces, chosen as helm chooses it: the latest when deployed, else the
 * latest deployed one, else a failed or superseded latest. Its objects the new revision lacks are deleted.
 */
export async function upgradedFrom(helm: Helm, name: string, revs: Revision[]): Promise<Release | undefined> {
  const last = revs[0];
  const from =
    last?.status === "deployed"
      ? last
      : (revs.find((x) => x.status === "deployed") ??
        (["failed", "superseded"].includes(last?.status ?? "") ? last : undefined));
  return from && release(helm, name, from.revision);
}

/** The objects of the hooks helm runs for these events. */
export const hooksFor = (rel: Release, events: string[]): Obj[] =>
  (Array.isArray(rel.hooks) ? rel.hooks : [])
    .filter((h: Obj) => Array.isArray(h.events) && h.events.some((e: string) => events.includes(e)))
    .flatMap((h: Obj) => objectsOf(h.manifest));

/** What helm's planning error means, and what to do next. */
export function planError(
  r: { stdout: string; stderr: string },
  c: { name: string; chart: string; source: string; version?: string; versions?: () => Promise<string> },
): Promise<ToolError> | ToolError {
  const msg = said(r);
  if (/not a valid chart repository or cannot be reached|dial tcp|no such host|i\/o timeout/i.test(msg))
    return new ToolError(
      `Chart ${c.source} cannot be reached from kube-mcp; nothing was changed: ${msg}`,
      "Repositories are the operator's configuration (helm.repositories): try again later, or ask the operator to check it.",
    );
  if (c.chart.startsWith("oci://") && /not found/i.test(msg))
    return new ToolError(
      `Chart ${c.chart}${c.version ? ` version ${c.version}` : ""} is not in ${c.source}; nothing was changed: ${msg}`,
      "Check the chart's name and version (pass --version): a registry cannot be searched through kube-mcp.",
    );
  if (c.versions && /no chart version found|not found in .* index|no chart name found/i.test(msg))
    return c
      .versions()
      .then(
        (v) =>
          new ToolError(
            `Chart ${c.chart}${c.version ? ` version ${c.version}` : ""} is not in ${c.source}; nothing was changed: ${msg}`,
            v,
          ),
      );
  if (/cannot re-use a name that is still in use/.test(msg))
    return new ToolError(
      `Release ${c.name} already exists; nothing was changed.`,
      `Use \`helm upgrade ${c.name} ${c.chart}\` (or upgrade --install).`,
    );
  if (/has no deployed releases/.test(msg))
    return new ToolError(
      `Release ${c.name} has no deployed revision to upgrade; nothing was changed.`,
      `Install it with \`helm install ${c.name} ${c.chart}\`, or use upgrade --install.`,
    );
  if (
    /execution error|template: |parse error|error converting YAML|unable to build kubernetes objects|error validating|YAML parse error/i.test(
      msg,
    )
  )
    return new ToolError(
      `Chart ${c.chart} did not render into valid objects with these values; nothing was changed: ${msg}`,
      "Check the values given (--set, values) against the chart's own; the message names the template and line.",
    );
  return new ToolError(`helm's dry run (the plan) failed; nothing was changed: ${msg}`);
}

/** The --timeout kube-mcp gave helm, and whether it is shorter than asked (to end within the call's deadline). */
export interface Wait {
  seconds: number;
  cut: boolean;
  deadlineS: number;
}

/** After helm failed for real: why, when it ran out of time; the state it left the release in; what next. */
export async function failureState(helm: Helm, name: string, stderr: string, wait: Wait): Promise<string> {
  const timedOut = /context deadline exceeded|timed out waiting/i.test(stderr);
  const why = !timedOut
    ? ""
    : `\nhelm's --timeout (${wait.seconds} s) ran out before the release's objects were ready${
        wait.cut
          ? `; kube-mcp shortened it to end within the call's timeout (${wait.deadlineS} s): pass a larger timeout for a longer wait`
          : ""
      }.`;
  const revs = await history(helm, name).catch(() => undefined);
  if (!revs) return why;
  const last = revs[0];
  if (!last)
    return `${why}\nHelm left no release ${name} (an install that fails with --atomic is removed again).`;
  const desc = last.description ? ` (${last.description.slice(0, 300)})` : "";
  return `${why}\nHelm leaves release ${name} as it failed: revision ${last.revision} is ${last.status}${desc}; objects it had already applied stay. ${nextStep(name, revs)}`;
}

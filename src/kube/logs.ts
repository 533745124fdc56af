// Logs of a pod, or of every pod behind a workload: one bounded request per container, read in
// parallel, redacted before any filter sees them, newest lines kept. A container that fails says why
// in its own line; the others still answer.
import { ToolError } from "../errors.js";
import { sanitizeUntrusted } from "../format/fence.js";
import { redactText } from "../policy/redact-text.js";
import type { KubeApi } from "./api.js";
import { describeError } from "./errors.js";
import { lookupKind } from "./lookup.js";
import { getObject } from "./objects.js";
import { corePath } from "./resolve.js";
import { type LabelSelector, parseDuration, selectorString } from "./selectors.js";

/** Pods of one workload read at most; the answer says when there were more. */
export const MAX_PODS = 10;
const MAX_BYTES = 4 * 1024 * 1024;

interface Pod {
  metadata: { name: string; namespace: string };
  spec: { containers: { name: string }[] };
}

export interface LogOptions {
  container?: string | undefined;
  previous?: boolean | undefined;
  /** Lines per container. */
  tail: number;
  /** A duration like "10m". */
  since?: string | undefined;
  sinceTime?: string | undefined;
  /** Keeps the lines it matches; it sees lines already redacted, so it cannot probe a masked value. */
  filter?: ((line: string) => boolean) | undefined;
  signal: AbortSignal;
}

export interface Logs {
  /** Every container's lines in turn, each prefixed with [pod/container] when there are several. */
  lines: string[];
  containers: number;
  notes: string[];
}

export async function readLogs(
  api: KubeApi,
  kind: string,
  name: string,
  ns: string,
  o: LogOptions,
): Promise<Logs> {
  const sinceSeconds = o.since === undefined ? undefined : parseDuration(o.since);
  if (o.since !== undefined && !sinceSeconds)
    throw new ToolError(`"since" must be a duration like "30s", "10m" or "2h", got "${o.since}".`);
  const pods = await podsFor(api, kind, name, ns, o.signal);
  const streams = containers(pods.slice(0, MAX_PODS), name, o.container);
  const query = {
    previous: o.previous,
    tailLines: o.tail,
    sinceSeconds,
    sinceTime: o.sinceTime,
    limitBytes: MAX_BYTES,
  };
  const texts = await Promise.all(streams.map((s) => readStream(api, ns, s, query, o)));
  const multi = texts.length > 1;
  return {
    lines: texts.flatMap((t) =>
      t.lines.map((l) => (multi || t.failed ? `[${t.pod}/${t.container}] ${l}` : l)),
    ),
    containers: streams.length,
    notes:
      pods.length > MAX_PODS
        ? [`Showing logs of ${MAX_PODS} of ${pods.length} pods; name a pod to see another.`]
        : [],
  };
}

interface Stream {
  pod: string;
  container: string;
}

/** The containers to read: all of each pod's, or the one named (refused, naming them, when none has it). */
function containers(pods: Pod[], name: string, only: string | undefined): Stream[] {
  const streams = pods.flatMap((p) =>
    p.spec.containers
      .filter((c) => !only || c.name === only)
      .map((c) => ({ pod: p.metadata.name, container: c.name })),
  );
  if (streams.length) return streams;
  const names = [...new Set(pods.flatMap((p) => p.spec.containers.map((c) => c.name)))];
  throw new ToolError(`No container named "${only}" in ${name}.`, `Containers: ${names.join(", ")}.`);
}

/** One container's lines, or one line saying why they could not be read. */
async function readStream(
  api: KubeApi,
  ns: string,
  s: Stream,
  query: Record<string, string | number | boolean | undefined>,
  o: LogOptions,
): Promise<Stream & { lines: string[]; failed?: boolean }> {
  try {
    const path = corePath("pods", ns, s.pod, "log");
    const text = await api.text({ path, query: { container: s.container, ...query }, signal: o.signal });
    const lines = redactText(sanitizeUntrusted(text)).split("\n");
    return { ...s, lines: lines.filter((l) => l && (!o.filter || o.filter(l))) };
  } catch (err) {
    const where = { name: s.pod, namespace: ns };
    const error = describeError(err, { cluster: api.cluster, verb: "get", resource: "pods/log", ...where });
    return { ...s, lines: [error.message], failed: true };
  }
}

/** The pods a logs call reads: the pod named, or those the workload's selector matches right now. */
export async function podsFor(
  api: KubeApi,
  kind: string,
  name: string,
  ns: string,
  signal: AbortSignal,
): Promise<Pod[]> {
  const r = await lookupKind(api, kind, signal);
  if (r.kind === "Pod") return [(await getObject(api, "pods", name, ns, signal)).obj as Pod];
  const { obj } = await getObject(api, kind, name, ns, signal);
  const spec = obj.spec as { selector?: LabelSelector } | undefined;
  const selector = r.kind === "CronJob" ? undefined : selectorString(spec?.selector);
  if (!selector)
    throw new ToolError(
      `${r.kind} ${name} has no pod selector to find its pods.`,
      "Pass the pod's name with kind Pod instead (resources_list kind=pods).",
    );
  const list = await api.json<{ items: Pod[] }>({
    path: corePath("pods", ns),
    query: { labelSelector: selector },
    signal,
  });
  if (!list.items.length)
    throw new ToolError(
      `${r.kind} ${name} in namespace ${ns} has no pods right now.`,
      "Check events_list for why (e.g. scheduling or image problems).",
    );
  return list.items;
}

// pods_logs: logs of a pod, or of every pod behind a workload, bounded, filtered, newest lines kept.
import * as z from "zod";
import { ToolError } from "../errors.js";
import { sanitizeUntrusted } from "../format/fence.js";
import { compileRegex, type Matcher, RegexError } from "../format/regex.js";
import { describeError } from "../kube/errors.js";
import { lookupKind } from "../kube/lookup.js";
import { getObject } from "../kube/objects.js";
import { corePath } from "../kube/resolve.js";
import { type LabelSelector, parseDuration, selectorString } from "../kube/selectors.js";
import { redactText } from "../policy/redact-text.js";
import type { Cluster } from "../targets/clusters.js";
import { textTool } from "./cluster-tool.js";
import { kindParam, nameParam, namespaceParam } from "./params.js";

const MAX_PODS = 10;

interface Pod {
  metadata: { name: string; namespace: string };
  spec: { containers: { name: string }[] };
}

async function podsFor(
  cluster: Cluster,
  kind: string,
  name: string,
  ns: string,
  signal: AbortSignal,
): Promise<Pod[]> {
  const r = await lookupKind(cluster.api, kind, signal);
  if (r.kind === "Pod")
    return [(await getObject(cluster.api, "pods", name, ns, signal)).obj as unknown as Pod];
  const { obj } = await getObject(cluster.api, kind, name, ns, signal);
  const spec = obj.spec as { selector?: LabelSelector; jobTemplate?: unknown } | undefined;
  const selector = r.kind === "CronJob" ? undefined : selectorString(spec?.selector);
  if (!selector)
    throw new ToolError(
      `${r.kind} ${name} has no pod selector to find its pods.`,
      "Pass the pod's name with kind Pod instead (resources_list kind=pods).",
    );
  const list = await cluster.api.json<{ items: Pod[] }>({
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

export const podsLogs = textTool({
  name: "pods_logs",
  toolset: "core",
  title: "Pod logs",
  description:
    "Logs of a pod, or of every pod of a workload (kind Deployment, StatefulSet, DaemonSet, ReplicaSet, Job): tail per container, since, regex filter, previous instance. Newest lines kept.",
  safety: "read",
  input: z.object({
    name: nameParam.describe("Pod, or workload with kind"),
    kind: kindParam.optional().describe("Default Pod"),
    namespace: namespaceParam.optional(),
    container: z.string().min(1).max(253).optional(),
    previous: z.boolean().optional().describe("Previous (crashed) instance"),
    tail: z.number().int().min(1).max(5000).optional().describe("Default 100"),
    since: z.string().max(20).optional().describe('e.g. "10m"'),
    sinceTime: z.iso.datetime({ offset: true }).optional().describe("RFC 3339"),
    filter: z.string().max(300).optional().describe("Regex, case-insensitive"),
  }),
  async run(args, cluster, ctx) {
    const ns = args.namespace ?? cluster.namespace;
    const sinceSeconds = args.since === undefined ? undefined : parseDuration(args.since);
    if (args.since !== undefined && !sinceSeconds)
      throw new ToolError(`"since" must be a duration like "30s", "10m" or "2h", got "${args.since}".`);
    // The model's regex runs on a linear-time engine, and on redacted lines: matching raw lines would
    // tell it, line present or not, what a masked value starts with.
    let filter: Matcher | undefined;
    try {
      filter = args.filter ? compileRegex(args.filter, { ignoreCase: true }) : undefined;
    } catch (err) {
      if (err instanceof RegexError) throw new ToolError(`The filter is refused: ${err.message}`);
      throw err;
    }
    const pods = await podsFor(cluster, args.kind ?? "Pod", args.name, ns, ctx.signal);
    const streams = pods
      .slice(0, MAX_PODS)
      .flatMap((p) =>
        p.spec.containers
          .filter((c) => !args.container || c.name === args.container)
          .map((c) => ({ pod: p.metadata.name, container: c.name })),
      );
    if (!streams.length) {
      const names = [...new Set(pods.flatMap((p) => p.spec.containers.map((c) => c.name)))];
      throw new ToolError(
        `No container named "${args.container}" in ${args.name}.`,
        `Containers: ${names.join(", ")}.`,
      );
    }
    const tail = args.tail ?? 100;
    const texts = await Promise.all(
      streams.map(async (s) => {
        try {
          const text = await cluster.api.text({
            path: corePath("pods", ns, s.pod, "log"),
            query: {
              container: s.container,
              previous: args.previous,
              tailLines: tail,
              sinceSeconds,
              sinceTime: args.sinceTime,
              limitBytes: 4 * 1024 * 1024,
            },
            signal: ctx.signal,
          });
          return {
            ...s,
            lines: redactText(sanitizeUntrusted(text))
              .split("\n")
              .filter((l) => l && (!filter || filter(l))),
          };
        } catch (err) {
          return {
            ...s,
            error: describeError(err, {
              cluster: cluster.name,
              verb: "get",
              resource: "pods/log",
              name: s.pod,
              namespace: ns,
            }).message,
          };
        }
      }),
    );
    const multi = texts.length > 1;
    const body = texts.flatMap((t) =>
      "error" in t
        ? [`[${t.pod}/${t.container}] ${t.error}`]
        : t.lines.map((l) => (multi ? `[${t.pod}/${t.container}] ${l}` : l)),
    );
    const notes =
      pods.length > MAX_PODS
        ? [`Showing logs of ${MAX_PODS} of ${pods.length} pods; name a pod to see another.`]
        : [];
    if (!body.length) {
      return {
        text: `No log lines${filter ? ` matching /${args.filter}/` : ""} in the last ${tail} lines of ${streams.length} container(s).`,
        notes,
      };
    }
    return { text: body.join("\n"), notes, untrusted: `logs ${ns}/${args.name}`, tail: true };
  },
});

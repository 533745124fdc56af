// pods_logs: logs of a pod, or of every pod behind a workload, bounded, filtered, newest lines kept.
import * as z from "zod";
import { ToolError } from "../errors.js";
import { compileRegex, type Matcher, RegexError } from "../format/regex.js";
import { readLogs } from "../kube/logs.js";
import { textTool } from "./cluster-tool.js";
import { containerParam, kindParam, nameParam, namespaceParam } from "./params.js";

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
    container: containerParam.optional(),
    previous: z.boolean().optional().describe("Previous (crashed) instance"),
    tail: z.number().int().min(1).max(5000).optional().describe("Default 100"),
    since: z.string().max(20).optional().describe('e.g. "10m"'),
    sinceTime: z.iso.datetime({ offset: true }).optional().describe("RFC 3339"),
    filter: z.string().max(300).optional().describe("Regex, case-insensitive"),
  }),
  async run(args, cluster, ctx) {
    const ns = args.namespace ?? cluster.namespace;
    const tail = args.tail ?? 100;
    const filter = args.filter === undefined ? undefined : matcher(args.filter);
    const o = { ...args, tail, filter, signal: ctx.signal };
    const { lines, containers, notes } = await readLogs(cluster.api, args.kind ?? "Pod", args.name, ns, o);
    if (lines.length)
      return { text: lines.join("\n"), notes, untrusted: `logs ${ns}/${args.name}`, tail: true };
    const matching = filter ? ` matching /${args.filter}/` : "";
    return {
      text: `No log lines${matching} in the last ${tail} lines of ${containers} container(s).`,
      notes,
    };
  },
});

/** The model's regex, on a linear-time engine (no catastrophic backtracking on a log line). */
function matcher(pattern: string): Matcher {
  try {
    return compileRegex(pattern, { ignoreCase: true });
  } catch (err) {
    if (err instanceof RegexError) throw new ToolError(`The filter is refused: ${err.message}`);
    throw err;
  }
}

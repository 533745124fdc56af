// pods_exec: run a command (argv, no shell added) in a container; no TTY, no stdin, bounded.
import * as z from "zod";
import { runInPod } from "../kube/exec.js";
import { textTool } from "./cluster-tool.js";
import { containerParam, nameParam, namespaceParam } from "./params.js";

export const podsExec = textTool({
  name: "pods_exec",
  toolset: "workloads",
  title: "Run a command in a pod",
  description:
    'Run a command (argv; for a shell pass ["sh","-c","…"]) in a pod\'s container, like kubectl exec. No TTY or stdin.',
  safety: "destructive",
  input: z.object({
    name: nameParam,
    namespace: namespaceParam.optional(),
    container: containerParam.optional().describe("Default: the first"),
    command: z.array(z.string().max(4096)).min(1).max(64),
    timeoutSeconds: z.number().int().min(1).max(300).optional().describe("Default 30"),
  }),
  async run(args, cluster, ctx) {
    const { container, command } = args;
    const timeoutMs = (args.timeoutSeconds ?? 30) * 1000;
    const where = { pod: args.name, namespace: args.namespace ?? cluster.namespace };
    const bounds = { timeoutMs, maxBytes: ctx.config.cli.maxOutputBytes, signal: ctx.signal };
    const { text, notes } = await runInPod(cluster.api, cluster, { ...where, container, command, ...bounds });
    // stderr is the container's too, so it stays inside the fenced block with stdout.
    return { text, notes, untrusted: `exec ${args.name}` };
  },
});

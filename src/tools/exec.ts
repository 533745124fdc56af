// pods_exec: run a command (argv, no shell added) in a container; no TTY, no stdin, bounded.
import * as z from "zod";
import { ToolError } from "../errors.js";
import { sanitizeUntrusted } from "../format/fence.js";
import { describeError } from "../kube/errors.js";
import { execInPod } from "../kube/exec.js";
import { getObject } from "../kube/objects.js";
import { textTool } from "./cluster-tool.js";
import { nameParam, namespaceParam } from "./params.js";

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
    container: z.string().min(1).max(253).optional().describe("Default: the first"),
    command: z.array(z.string().max(4096)).min(1).max(64),
    timeoutSeconds: z.number().int().min(1).max(300).optional().describe("Default 30"),
  }),
  async run(args, cluster, ctx) {
    const namespace = args.namespace ?? cluster.namespace;
    const { obj, ns } = await getObject(cluster.api, "pods", args.name, namespace, ctx.signal);
    const spec = obj.spec as { containers?: { name: string }[]; ephemeralContainers?: { name: string }[] };
    // Ephemeral (pods_debug) containers can be exec'd into too, but are never the default.
    const containers = (spec?.containers ?? []).map((c) => c.name);
    const all = [...containers, ...(spec?.ephemeralContainers ?? []).map((c) => c.name)];
    if (args.container && !all.includes(args.container)) {
      throw new ToolError(
        `Pod ${args.name} has no container "${args.container}".`,
        `Containers: ${all.join(", ")}.`,
      );
    }
    const timeoutS = args.timeoutSeconds ?? 30;
    let res: Awaited<ReturnType<typeof execInPod>>;
    try {
      res = await execInPod(cluster, {
        namespace: ns ?? cluster.namespace,
        pod: args.name,
        ...((args.container ?? containers[0])
          ? { container: (args.container ?? containers[0]) as string }
          : {}),
        command: args.command,
        timeoutMs: timeoutS * 1000,
        maxBytes: ctx.config.cli.maxOutputBytes,
        signal: ctx.signal,
      });
    } catch (err) {
      throw describeError(err, {
        cluster: cluster.name,
        verb: "create",
        resource: "pods/exec",
        name: args.name,
        ...(ns ? { namespace: ns } : {}),
      });
    }
    if (res.timedOut)
      throw new ToolError(
        `The command was stopped after ${timeoutS} s.`,
        "Pass a larger timeoutSeconds, or run something shorter.",
      );
    if (res.failure) throw new ToolError(`The command could not run in ${args.name}: ${res.failure}`);
    const notes = [
      ...(res.exitCode ? [`Exit code ${res.exitCode}.`] : []),
      ...(res.truncated ? ["Output was cut at the size cap."] : []),
    ];
    // stderr is the container's too, so it stays inside the block with stdout.
    const stderr = sanitizeUntrusted(res.stderr).trim().slice(0, 2000);
    const stdout = sanitizeUntrusted(res.stdout) || (stderr ? "" : "(no output)");
    const text = stderr
      ? `${stdout}${stdout && !stdout.endsWith("\n") ? "\n" : ""}stderr: ${stderr}`
      : stdout;
    return { text, notes, untrusted: `exec ${args.name}` };
  },
});

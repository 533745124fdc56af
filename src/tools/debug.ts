// pods_debug: add an ephemeral debug container to a running pod (like `kubectl debug POD --image=…`),
// wait until it runs, and say how to reach it. Images are limited to the configured ones.
import { randomBytes } from "node:crypto";
import * as z from "zod";
import { ToolError } from "../errors.js";
import { describeError } from "../kube/errors.js";
import { getObject } from "../kube/objects.js";
import { corePath } from "../kube/resolve.js";
import type { Cluster } from "../targets/clusters.js";
import { type RunCtx, textTool } from "./cluster-tool.js";
import { nameParam, namespaceParam } from "./params.js";

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are open-ended JSON.
type Obj = Record<string, any>;

export const podsDebug = textTool({
  name: "pods_debug",
  toolset: "workloads",
  title: "Add a debug container to a pod",
  description:
    "Add an ephemeral debug container to a pod, like kubectl debug --target, and wait until it runs; then pods_exec into it. It ends when its command does (default: sleep ttlSeconds).",
  safety: "destructive",
  input: z.object({
    name: nameParam,
    namespace: namespaceParam.optional(),
    target: z.string().min(1).max(253).optional().describe("Container to share processes with"),
    image: z.string().min(1).max(512).optional().describe("Default: the configured one"),
    command: z.array(z.string().max(4096)).min(1).max(64).optional().describe("Default: sleep ttlSeconds"),
    ttlSeconds: z.number().int().min(10).max(86_400).optional().describe("Default 3600"),
    waitSeconds: z.number().int().min(0).max(20).optional().describe("Default 15"),
  }),
  async run(args, cluster, ctx) {
    const image = args.image ?? ctx.config.debug.image;
    const allowed = [ctx.config.debug.image, ...ctx.config.debug.allowedImages];
    if (!allowed.includes(image))
      throw new ToolError(
        `The image ${image} is not allowed for debug containers.`,
        `Allowed: ${allowed.join(", ")} (the operator sets debug.image and debug.allowedImages).`,
      );
    const { obj, ns } = await getObject(
      cluster.api,
      "pods",
      args.name,
      args.namespace ?? cluster.namespace,
      ctx.signal,
    );
    const pod = obj as Obj;
    const namespace = ns ?? cluster.namespace;
    const containers = (pod.spec?.containers ?? []).map((c: Obj) => c.name as string);
    if (args.target && !containers.includes(args.target))
      throw new ToolError(
        `Pod ${args.name} has no container "${args.target}".`,
        `Containers: ${containers.join(", ")}.`,
      );
    if (pod.status?.phase !== "Running")
      throw new ToolError(
        `Pod ${args.name} is ${pod.status?.phase ?? "not running"}; a debug container needs a running pod.`,
      );
    const ttl = args.ttlSeconds ?? 3600;
    const container = {
      name: `debugger-${randomBytes(3).toString("hex")}`,
      image,
      command: args.command ?? ["sleep", String(ttl)],
      stdin: false,
      tty: false,
      terminationMessagePolicy: "File",
      ...(args.target ? { targetContainerName: args.target } : {}),
    };
    const path = corePath("pods", namespace, args.name, "ephemeralcontainers");
    try {
      await cluster.api.patch(
        path,
        { spec: { ephemeralContainers: [container] } },
        {
          type: "strategic",
          signal: ctx.signal,
        },
      );
    } catch (err) {
      throw describeError(err, {
        cluster: cluster.name,
        verb: "patch",
        resource: "pods/ephemeralcontainers",
        name: args.name,
        namespace,
      });
    }
    const state = await waitRunning(
      cluster,
      namespace,
      args.name,
      container.name,
      args.waitSeconds ?? 15,
      ctx,
    );
    const reach = `Reach it with pods_exec: name "${args.name}", namespace "${namespace}", container "${container.name}", command e.g. ["ps", "aux"].`;
    return {
      text: `Added debug container ${container.name} (${image}) to pod ${namespace}/${args.name}${args.target ? `, sharing the processes of ${args.target}` : ""}: ${state}.\n${reach}`,
      notes: [`It cannot be removed; it ends when its command does (${container.command.join(" ")}).`],
    };
  },
});

async function waitRunning(
  cluster: Cluster,
  namespace: string,
  pod: string,
  name: string,
  waitS: number,
  ctx: RunCtx,
): Promise<string> {
  const started = Date.now();
  for (;;) {
    const { obj } = await getObject(cluster.api, "pods", pod, namespace, ctx.signal);
    const st = ((obj as Obj).status?.ephemeralContainerStatuses ?? []).find((s: Obj) => s.name === name);
    const s = st?.state ?? {};
    if (s.running) return "running";
    if (s.terminated)
      throw new ToolError(
        `The debug container ${name} ended at once (${s.terminated.reason ?? "terminated"}, exit code ${s.terminated.exitCode}).`,
        "Check the command, or the image's entrypoint.",
      );
    const why = s.waiting?.reason ? `waiting: ${s.waiting.reason}` : "not started yet";
    if (Date.now() - started >= waitS * 1000)
      return `${why} (stopped waiting after ${waitS} s; check with resources_describe)`;
    ctx.progress(Math.max(0.1, Math.round((Date.now() - started) / 100) / 10), waitS, why);
    await new Promise((r) => setTimeout(r, 1000));
    ctx.signal.throwIfAborted();
  }
}

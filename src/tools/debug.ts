// pods_debug: add an ephemeral debug container to a running pod (like `kubectl debug POD --image=…`),
// wait until it runs, and say how to reach it. Images are limited to the configured ones.
import * as z from "zod";
import { ToolError } from "../errors.js";
import { addDebugContainer } from "../kube/debug.js";
import { textTool } from "./cluster-tool.js";
import { containerParam, nameParam, namespaceParam } from "./params.js";

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
    target: containerParam.optional().describe("Container to share processes with"),
    image: z.string().min(1).max(512).optional().describe("Default: the configured one"),
    command: z.array(z.string().max(4096)).min(1).max(64).optional().describe("Default: sleep ttlSeconds"),
    ttlSeconds: z.number().int().min(10).max(86_400).optional().describe("Default 3600"),
    waitSeconds: z.number().int().min(0).max(20).optional().describe("Default 15"),
  }),
  async run(args, cluster, ctx) {
    const image = allowedImage(args.image, ctx.config.debug);
    const { target, command } = args;
    const forMs = (args.waitSeconds ?? 15) * 1000;
    const o = { image, target, command, ttlSeconds: args.ttlSeconds ?? 3600, forMs };
    const ns = args.namespace ?? cluster.namespace;
    return addDebugContainer(cluster.api, args.name, ns, {
      ...o,
      signal: ctx.signal,
      progress: ctx.progress,
    });
  },
});

/** The image to run: the configured one by default; another only when the operator allowed it. */
function allowedImage(
  image: string | undefined,
  debug: { image: string; allowedImages: readonly string[] },
): string {
  const allowed = [debug.image, ...debug.allowedImages];
  const chosen = image ?? debug.image;
  if (!allowed.includes(chosen))
    throw new ToolError(
      `The image ${chosen} is not allowed for debug containers.`,
      `Allowed: ${allowed.join(", ")} (the operator sets debug.image and debug.allowedImages).`,
    );
  return chosen;
}

// Ephemeral debug containers (like `kubectl debug POD --image=…`): added to a running pod, then
// waited for, bounded, until they run.
import { randomBytes } from "node:crypto";
import { ToolError } from "../errors.js";
import type { KubeApi } from "./api.js";
import { describeError } from "./errors.js";
import { getObject, type Obj } from "./objects.js";
import { poll } from "./poll.js";
import { corePath } from "./resolve.js";

export interface DebugOptions {
  image: string;
  /** The container whose processes it shares. */
  target?: string | undefined;
  /** Default: sleep ttlSeconds. */
  command?: string[] | undefined;
  ttlSeconds: number;
  /** How long to wait for it to run. */
  forMs: number;
  signal: AbortSignal;
  progress: (done: number, total: number, message: string) => void;
}

/** Adds a debug container to a running pod, waits until it runs, and says how to reach it. */
export async function addDebugContainer(
  api: KubeApi,
  pod: string,
  namespace: string,
  o: DebugOptions,
): Promise<{ text: string; notes: string[] }> {
  const { obj } = await getObject(api, "pods", pod, namespace, o.signal);
  runnable(obj, pod, o.target);
  const container = {
    name: `debugger-${randomBytes(3).toString("hex")}`,
    image: o.image,
    command: o.command ?? ["sleep", String(o.ttlSeconds)],
    stdin: false,
    tty: false,
    terminationMessagePolicy: "File",
    ...(o.target ? { targetContainerName: o.target } : {}),
  };
  try {
    const path = corePath("pods", namespace, pod, "ephemeralcontainers");
    const body = { spec: { ephemeralContainers: [container] } };
    await api.patch(path, body, { type: "strategic", signal: o.signal });
  } catch (err) {
    const where = { name: pod, namespace };
    throw describeError(err, {
      cluster: api.cluster,
      verb: "patch",
      resource: "pods/ephemeralcontainers",
      ...where,
    });
  }
  const state = await waitRunning(api, pod, namespace, container.name, o);
  const reach = `Reach it with pods_exec: name "${pod}", namespace "${namespace}", container "${container.name}", command e.g. ["ps", "aux"].`;
  return {
    text: `Added debug container ${container.name} (${o.image}) to pod ${namespace}/${pod}${o.target ? `, sharing the processes of ${o.target}` : ""}: ${state}.\n${reach}`,
    notes: [`It cannot be removed; it ends when its command does (${container.command.join(" ")}).`],
  };
}

/** Refuses a pod that cannot take the debug container: not running, or without the target container. */
function runnable(pod: Obj, name: string, target: string | undefined): void {
  const containers = (pod.spec?.containers ?? []).map((c: Obj) => c.name as string);
  if (target && !containers.includes(target))
    throw new ToolError(`Pod ${name} has no container "${target}".`, `Containers: ${containers.join(", ")}.`);
  if (pod.status?.phase !== "Running")
    throw new ToolError(
      `Pod ${name} is ${pod.status?.phase ?? "not running"}; a debug container needs a running pod.`,
    );
}

/** "running", or where it stands when the wait ran out; throws when it ended at once. */
async function waitRunning(
  api: KubeApi,
  pod: string,
  namespace: string,
  name: string,
  o: DebugOptions,
): Promise<string> {
  const last = await poll(
    { everyMs: 1000, forMs: o.forMs, signal: o.signal, progress: o.progress },
    async () => {
      const { obj } = await getObject(api, "pods", pod, namespace, o.signal);
      const s = (obj.status?.ephemeralContainerStatuses ?? []).find((c: Obj) => c.name === name)?.state ?? {};
      if (s.terminated)
        throw new ToolError(
          `The debug container ${name} ended at once (${s.terminated.reason ?? "terminated"}, exit code ${s.terminated.exitCode}).`,
          "Check the command, or the image's entrypoint.",
        );
      if (s.running) return { done: true, message: "running" };
      return { done: false, message: s.waiting?.reason ? `waiting: ${s.waiting.reason}` : "not started yet" };
    },
  );
  if (last.done) return last.message;
  return `${last.message} (stopped waiting after ${o.forMs / 1000} s; check with resources_describe)`;
}

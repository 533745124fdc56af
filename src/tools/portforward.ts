// pods_port_forward: start, list and stop loopback port-forward sessions to a pod (or the pod behind a
// Service or workload), like `kubectl port-forward`, without blocking the call.
import * as z from "zod";
import { ToolError } from "../errors.js";
import { renderTable } from "../format/table.js";
import { describeError } from "../kube/errors.js";
import { getObject } from "../kube/objects.js";
import type { PortForwards, SessionInfo } from "../kube/portforward.js";
import { corePath } from "../kube/resolve.js";
import { selectorString } from "../kube/selectors.js";
import { permits } from "../policy/modes.js";
import type { Cluster } from "../targets/clusters.js";
import { defineTool, type ToolEnv } from "./define.js";
import { namespaceParam } from "./params.js";

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are open-ended JSON.
type Obj = Record<string, any>;

const Session = z.object({
  id: z.string(),
  cluster: z.string(),
  namespace: z.string(),
  pod: z.string(),
  remotePort: z.number(),
  local: z.string(),
  startedAt: z.string(),
  idleSeconds: z.number(),
  connections: z.number(),
  totalConnections: z.number(),
  bytesIn: z.number(),
  bytesOut: z.number(),
  lastError: z.string().optional(),
});

const Output = z.object({ sessions: z.array(Session), notes: z.array(z.string()) });

const COLUMNS = ["id", "cluster", "target", "local", "conns", "in/out bytes", "idle"];
const row = (s: SessionInfo) => [
  s.id,
  s.cluster,
  `${s.namespace}/${s.pod}:${s.remotePort}`,
  s.local,
  `${s.connections} (${s.totalConnections} total)`,
  `${s.bytesIn}/${s.bytesOut}`,
  `${s.idleSeconds}s`,
];

/** The pod to forward to and the pod port, from a pod name or kind/name (Service ports map to targets). */
async function resolveTarget(
  cluster: Cluster,
  name: string,
  namespace: string | undefined,
  port: number,
  signal: AbortSignal,
): Promise<{ namespace: string; pod: string; port: number }> {
  const slash = name.indexOf("/");
  const kind = slash > 0 ? name.slice(0, slash) : "pods";
  const { r, ns, obj } = await getObject(
    cluster.api,
    kind,
    name.slice(slash + 1),
    namespace ?? cluster.namespace,
    signal,
  );
  const o = obj as Obj;
  const podNs = ns ?? cluster.namespace;
  if (r.kind === "Pod") return { namespace: podNs, pod: o.metadata.name, port };
  if (r.kind !== "Service") {
    if (!o.spec?.selector)
      throw new ToolError(
        `Cannot port-forward to a ${r.kind}.`,
        "Name a pod, a Service, or a workload with a selector (deployment/NAME, statefulset/NAME…).",
      );
    const pod = await runningPod(cluster, podNs, o.spec.selector, signal);
    return { namespace: podNs, pod: pod.metadata.name, port };
  }
  const sp = (o.spec?.ports ?? []).find((p: Obj) => p.port === port);
  if (!sp)
    throw new ToolError(
      `Service ${o.metadata.name} has no port ${port}.`,
      `Its ports: ${(o.spec?.ports ?? []).map((p: Obj) => p.port).join(", ") || "none"}.`,
    );
  if (!Object.keys(o.spec.selector ?? {}).length)
    throw new ToolError(`Service ${o.metadata.name} has no selector, so no pod to forward to.`);
  const pod = await runningPod(cluster, podNs, { matchLabels: o.spec.selector }, signal);
  // targetPort is a number, a container port's name, or absent (the same as port).
  if (typeof sp.targetPort !== "string")
    return { namespace: podNs, pod: pod.metadata.name, port: sp.targetPort ?? port };
  const named = (pod.spec.containers ?? [])
    .flatMap((c: Obj) => c.ports ?? [])
    .find((p: Obj) => p.name === sp.targetPort);
  if (!named) throw new ToolError(`Pod ${pod.metadata.name} has no port named "${sp.targetPort}".`);
  return { namespace: podNs, pod: pod.metadata.name, port: named.containerPort };
}

/** A running pod matching the selector. */
async function runningPod(
  cluster: Cluster,
  namespace: string,
  selector: Obj,
  signal: AbortSignal,
): Promise<Obj> {
  const list = await cluster.api.json<{ items: Obj[] }>({
    path: corePath("pods", namespace),
    query: { labelSelector: selectorString(selector), limit: "50" },
    signal,
  });
  const pod = list.items.find((p) => p.status?.phase === "Running" && !p.metadata.deletionTimestamp);
  if (!pod)
    throw new ToolError(`No running pod matches ${selectorString(selector)} in namespace ${namespace}.`);
  return pod;
}

const Input = z.object({
  action: z.enum(["start", "list", "stop"]),
  name: z.string().min(1).max(300).optional().describe("Pod, or KIND/NAME"),
  namespace: namespaceParam.optional(),
  port: z.number().int().min(1).max(65_535).optional(),
  localPort: z.number().int().min(1024).max(65_535).optional().describe("Default: a free one"),
  id: z.string().min(1).max(40).optional().describe('For stop; or "all"'),
  cluster: z.string().min(1).optional(),
});

export const portForward = defineTool({
  name: "pods_port_forward",
  aliases: ["port_forward"],
  toolset: "workloads",
  title: "Port-forward to a pod",
  description:
    'Background port-forward from 127.0.0.1 to a pod or service/NAME port: start returns the address; list; stop (id or "all"). Idle sessions end.',
  safety: "destructive",
  idempotent: false,
  confirm: (args) =>
    args.action === "start"
      ? `Allow a port-forward from this machine's loopback to ${args.name}:${args.port} on ${args.cluster ?? "the default cluster"}?`
      : false,
  input: Input,
  output: Output,
  async handle(args, env) {
    if (args.action === "list") return listSessions(env.forwards);
    if (args.action === "stop") return stopSessions(env.forwards, args.id);
    return startSession(args, env);
  },
});

type Answer = { text: string; data: z.infer<typeof Output> };

function listSessions(forwards: PortForwards): Answer {
  const sessions = forwards.list();
  return {
    text: sessions.length ? renderTable(COLUMNS, sessions.map(row)) : "No port-forward sessions.",
    data: { sessions, notes: [] },
  };
}

function stopSessions(forwards: PortForwards, id: string | undefined): Answer {
  if (!id) throw new ToolError('stop needs id: a session id from action "list", or "all".');
  const sessions = forwards.stop(id);
  if (!sessions.length && id !== "all")
    throw new ToolError(`There is no port-forward session ${id}.`, 'Action "list" shows the sessions.');
  return {
    text: sessions.length ? `Stopped ${sessions.map((s) => s.id).join(", ")}.` : "No sessions to stop.",
    data: { sessions, notes: [] },
  };
}

/** Checks the cluster allows it, finds the pod and port, asks RBAC, then starts the session. */
async function startSession(args: z.infer<typeof Input>, env: ToolEnv): Promise<Answer> {
  if (!args.name || !args.port) throw new ToolError("start needs name and port.");
  const [cluster] = env.clusters.select(args.cluster);
  if (!cluster) throw new ToolError("No cluster is configured.");
  if (!permits(cluster.mode, "destructive"))
    throw new ToolError(
      `pods_port_forward is not allowed on cluster ${cluster.name}: it runs in ${cluster.mode} mode.`,
    );
  const target = await resolveTarget(cluster, args.name, args.namespace, args.port, env.signal);
  await canForward(cluster, target, env.signal);
  const s = await env.forwards.start(
    cluster,
    {
      namespace: target.namespace,
      pod: target.pod,
      remotePort: target.port,
      localPort: args.localPort ?? 0,
    },
    env.config.portForward,
  );
  const notes = [
    `Connect to ${s.local} (loopback only). Stop it with action "stop" and id "${s.id}"; it ends by itself after ${env.config.portForward.idleTimeoutSeconds} s without traffic.`,
  ];
  return {
    text: `Forwarding ${s.local} → ${cluster.name}:${s.namespace}/${s.pod}:${s.remotePort} (session ${s.id}).\n${notes[0]}`,
    data: { sessions: [s], notes },
  };
}

/** Asks the API server whether this identity may port-forward, so a refusal shows now, not per connection. */
async function canForward(
  cluster: Cluster,
  t: { namespace: string; pod: string },
  signal: AbortSignal,
): Promise<void> {
  const review = await cluster.api
    .json<Obj>({
      method: "POST",
      path: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        apiVersion: "authorization.k8s.io/v1",
        kind: "SelfSubjectAccessReview",
        spec: {
          resourceAttributes: {
            verb: "create",
            resource: "pods",
            subresource: "portforward",
            namespace: t.namespace,
            name: t.pod,
          },
        },
      }),
      signal,
    })
    .catch((err: unknown) => {
      throw describeError(err, {
        cluster: cluster.name,
        verb: "create",
        resource: "selfsubjectaccessreviews",
      });
    });
  if (!review.status?.allowed)
    throw new ToolError(
      `This identity may not port-forward to pods in namespace ${t.namespace} on cluster ${cluster.name}.`,
      "It needs create on pods/portforward.",
    );
}

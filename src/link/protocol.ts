// The hub ↔ agent link, version 1: one definition of every message and its codec. Frames are JSON text.
//
// Connect: the agent opens a WebSocket to the hub's agent path with the subprotocol SUBPROTOCOL, its
// token as `Authorization: Bearer`, and its cluster name in CLUSTER_HEADER. The hub checks all three
// before upgrading (wrong version → 426, bad token or name → 401, too many sockets from one address
// → 429). Then:
//   agent → hub  hello     versions, policy and tools, within the hub's registration deadline
//   hub → agent  welcome   heartbeat interval (the hub pings; each side drops a silent peer)
//   hub → agent  call      id, tool, arguments, row budget, deadline, and who is calling
//   agent → hub  progress  for a call
//   agent → hub  result    the tool's per-cluster data, or an error the model can act on
//   hub → agent  cancel    the MCP client gave up: the agent aborts the call and its API requests
// A call may carry W3C trace context (`trace`), so the agent's spans join the hub's trace; agents of
// older releases ignore it.
// Further clusters (an agent in a Cluster API management cluster serves its workload clusters): the
// hello lists them (`clusters`), a hub that says `supports: ["clusters"]` in its welcome is sent the
// whole set again whenever it changes (`clusters` message), and a call for one names it (`cluster`).
// The hub serves each as `<agent cluster>:<name>`. Older hubs drop the field and never name one.
import * as z from "zod";
import { IDENTITY_MODES, Mode } from "../config/schema.js";
import { validName } from "../policy/identity.js";
import { ScopeRules } from "../policy/scope.js";

export const LINK_VERSION = 1;
export const SUBPROTOCOL = `kube-mcp.link.v${LINK_VERSION}`;
export const CLUSTER_HEADER = "x-kube-mcp-cluster";
/** Close codes (4000–4999 are the application's). */
export const CLOSE = {
  malformed: 4400,
  registration: 4408,
  replaced: 4409,
  shutdown: 4503,
} as const;

const Policy = z.object({
  mode: z.enum(["read-only", "non-destructive", "full"]),
  namespace: z.string().max(63),
  revealSecrets: z.boolean(),
  /** How the agent's cluster sees callers; an agent that does not say acts as its own account. */
  identity: z.enum(IDENTITY_MODES).optional(),
  /** The agent's own namespace and kind policy (shown by the hub's clusters_list). */
  scope: z.array(ScopeRules).max(10).optional(),
});

/**
 * A further cluster an agent serves beside its own (a Cluster API workload cluster of its management
 * cluster), by the agent's name for it; the hub serves it as `<agent cluster>:<name>`.
 */
export const ClusterEntry = z.object({
  name: z.string().min(1).max(253).refine(validName, "not a printable name"),
  policy: Policy,
  capi: z
    .object({
      management: z.string().max(253),
      namespace: z.string().max(253),
      name: z.string().max(253),
      phase: z.string().max(100),
      version: z.string().max(100),
      provider: z.string().max(253),
      problem: z.string().max(2000).optional(),
    })
    .optional(),
});
export type ClusterEntry = z.infer<typeof ClusterEntry>;
const Entries = z.array(ClusterEntry).max(2000);

const Hello = z.object({
  type: z.literal("hello"),
  agentVersion: z.string().max(100),
  versions: z.object({
    kubernetes: z.string().max(100),
    kubectl: z.string().max(100),
    helm: z.string().max(100),
  }),
  policy: Policy,
  tools: z.array(z.string().max(100)).max(200),
  /** What this agent applies from a call frame beyond version 1's fields ("caller", "scope"). */
  supports: z.array(z.string().max(40)).max(20).optional(),
  /** Further clusters this agent serves; replaced as a whole by each `clusters` message. */
  clusters: Entries.optional(),
});

/** What this release's agents apply from a call: the caller's identity and the hub's namespace/kind policy. */
export const AGENT_SUPPORTS = ["caller", "scope"] as const;

const Welcome = z.object({
  type: z.literal("welcome"),
  heartbeatMs: z.number().int().positive(),
  /** What this hub takes beyond version 1 ("clusters": the `clusters` message); older hubs say nothing. */
  supports: z.array(z.string().max(40)).max(20).optional(),
});

/** What this release's hubs take from an agent: updates of its further clusters. */
export const HUB_SUPPORTS = ["clusters"] as const;

/** The agent's further clusters changed: the whole new set (sent only to a hub that supports it). */
const Clusters = z.object({ type: z.literal("clusters"), clusters: Entries });

const name = z.string().refine(validName, "not a printable name");

/**
 * Who called the hub, as the hub authenticated them. The agent's own configuration decides whether its
 * cluster acts as this person; a hub cannot ask for the agent's own identity (there is no "stdio" here).
 */
export const CallerFrame = z.object({
  kind: z.enum(["anonymous", "api-key", "oauth"]),
  user: name.optional(),
  groups: z.array(name).max(100),
  key: z.string().max(200).optional(),
  subject: z.string().max(512).optional(),
  client: z.string().max(512).optional(),
  missing: z.string().max(500).optional(),
});

/** W3C trace context of the hub's span for a call (also carried between hub replicas over NATS). */
export const TraceFrame = z.object({
  traceparent: z.string().regex(/^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/),
  tracestate: z.string().max(512).optional(),
});

const Call = z.object({
  type: z.literal("call"),
  id: z.number().int().nonnegative(),
  tool: z.string().max(100),
  args: z.record(z.string(), z.unknown()),
  rowLimit: z.number().int().positive(),
  timeoutMs: z.number().int().positive(),
  /** The caller's mode on the hub (the hub's, capped by the cluster's policy and the caller's scope). */
  mode: Mode.optional(),
  /** The guard rules the hub's policy lets through for this cluster; the agent allows only those it also does. */
  allow: z.array(z.string().max(40)).max(20).optional(),
  /** Unset from a hub of an older release: an impersonating agent refuses such calls. */
  caller: CallerFrame.optional(),
  /** The hub's namespace and kind policy for the cluster, applied on top of the agent's own. */
  scope: z.array(ScopeRules).max(10).optional(),
  trace: TraceFrame.optional(),
  /** One of the agent's further clusters (its own name for it); unset: the agent's own cluster. */
  cluster: z.string().max(253).optional(),
});

const Cancel = z.object({ type: z.literal("cancel"), id: z.number().int().nonnegative() });

const Progress = z.object({
  type: z.literal("progress"),
  id: z.number().int().nonnegative(),
  done: z.number(),
  total: z.number(),
  message: z.string().max(2000),
});

const Result = z.object({
  type: z.literal("result"),
  id: z.number().int().nonnegative(),
  ok: z.boolean(),
  /** The tool's per-cluster data (TableData or TextData) when ok. */
  data: z.unknown().optional(),
  error: z.string().max(20_000).optional(),
  hint: z.string().max(20_000).optional(),
});

export const AgentMessage = z.discriminatedUnion("type", [Hello, Progress, Result, Clusters]);
export const HubMessage = z.discriminatedUnion("type", [Welcome, Call, Cancel]);
export type AgentMessage = z.infer<typeof AgentMessage>;
export type HubMessage = z.infer<typeof HubMessage>;
export type Hello = z.infer<typeof Hello>;
export type Call = z.infer<typeof Call>;
export type CallerFrame = z.infer<typeof CallerFrame>;

export class MalformedFrame extends Error {}

export const encode = (m: AgentMessage | HubMessage): string => JSON.stringify(m);

/** Parses one frame against a side's message set; throws MalformedFrame with a short reason. */
export function decode<T>(schema: z.ZodType<T>, data: unknown, isBinary: boolean): T {
  if (isBinary) throw new MalformedFrame("binary frame (the link speaks JSON text)");
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(data));
  } catch {
    throw new MalformedFrame("frame is not JSON");
  }
  const r = schema.safeParse(parsed);
  if (!r.success) throw new MalformedFrame(`unexpected message: ${r.error.issues[0]?.message ?? "invalid"}`);
  return r.data;
}

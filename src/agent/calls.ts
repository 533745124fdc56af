// Runs the hub's calls on the agent's one cluster with the agent's OWN policy: only the tools its mode
// allows exist here, arguments are validated again, and each call has a deadline and can be cancelled.
// Whether the cluster acts as the hub's caller is the agent's configuration too, never the hub's choice.
import type { Config } from "../config/schema.js";
import { ToolError } from "../errors.js";
import { describeError } from "../kube/errors.js";
import type { Call } from "../link/protocol.js";
import type { Audit } from "../obs/audit.js";
import type { Logger } from "../obs/log.js";
import { tracer } from "../obs/tracing.js";
import type { Caller } from "../policy/identity.js";
import { permits, stricter } from "../policy/modes.js";
import { allowedRules, type Cluster } from "../targets/clusters.js";
import { deadline } from "../targets/deadline.js";
import type { AnyTool } from "../tools/define.js";

export interface Outcome {
  ok: boolean;
  data?: unknown;
  error?: string;
  hint?: string;
}

export class CallRunner {
  private running = new Map<number, AbortController>();

  constructor(
    private readonly cluster: Cluster,
    /**
     * A cluster as a caller sees it (impersonating them, or refusing them, where the agent impersonates):
     * the agent's own, or one of its further clusters by name.
     */
    private readonly as: (caller: Caller, cluster?: string) => Cluster,
    /** Every cluster tool the agent's mode allows, by name. */
    private readonly tools: Map<string, AnyTool>,
    private readonly known: Set<string>,
    private readonly config: Readonly<Config>,
    private readonly log: Logger,
    private readonly audit: Audit,
    /** One of the agent's further clusters (Cluster API workload clusters), by name; undefined if none. */
    private readonly further: (name: string) => Cluster | undefined = () => undefined,
  ) {}

  run(call: Call, progress: (done: number, total: number, message: string) => void): Promise<Outcome> {
    // The agent's side of the hop, a child of the hub's span when the frame carries its context.
    return tracer().span(
      `hub call ${call.tool}`,
      { "gen_ai.tool.name": call.tool, "k8s.cluster.name": this.nameOf(call) },
      async (span) => {
        const outcome = await this.runCall(call, progress);
        span.set({ "kube_mcp.outcome": outcome.ok ? "ok" : "error" });
        if (!outcome.ok) span.fail("error");
        return outcome;
      },
      { kind: "server", ...(call.trace ? { parent: call.trace } : {}) },
    );
  }

  private async runCall(
    call: Call,
    progress: (done: number, total: number, message: string) => void,
  ): Promise<Outcome> {
    const t0 = Date.now();
    const ctl = new AbortController();
    this.running.set(call.id, ctl);
    const d = deadline(ctl.signal, call.timeoutMs);
    let outcome: Outcome;
    try {
      outcome = { ok: true, data: await this.execute(call, d.signal, progress) };
    } catch (err) {
      // A cancelled or timed-out call reports why it stopped, not how its work fell over.
      const cause = d.signal.aborted ? d.signal.reason : err;
      const te = cause instanceof ToolError ? cause : describeError(cause, { cluster: this.nameOf(call) });
      if (!(err instanceof ToolError) && !d.signal.aborted)
        this.log.warn("call failed", { tool: call.tool, err });
      outcome = { ok: false, error: te.message, ...(te.hint ? { hint: te.hint } : {}) };
    } finally {
      d.clear();
      this.running.delete(call.id);
    }
    this.audit({
      caller: call.caller ?? `hub call ${call.id}`,
      via: `hub call ${call.id}`,
      tool: call.tool,
      cluster: this.nameOf(call),
      args: call.args,
      outcome: outcome.ok ? "ok" : "error",
      ms: Date.now() - t0,
      ...(outcome.error ? { error: outcome.error } : {}),
    });
    return outcome;
  }

  /** What errors and audit lines call a call's cluster: the agent's own, or a further cluster's name. */
  private nameOf(call: Call): string {
    return call.cluster ?? this.cluster.name;
  }

  cancel(id: number): void {
    this.running.get(id)?.abort(new ToolError("The call was cancelled by the client."));
  }

  cancelAll(why: string): void {
    for (const ctl of this.running.values()) ctl.abort(new ToolError(`The call was stopped: ${why}.`));
  }

  private async execute(
    call: Call,
    signal: AbortSignal,
    progress: (d: number, t: number, m: string) => void,
  ) {
    const root = call.cluster === undefined ? this.cluster : this.further(call.cluster);
    if (!root)
      throw new ToolError(
        `This agent serves no cluster ${call.cluster} (any more).`,
        "clusters_list on the hub shows the clusters this agent serves now.",
      );
    // The hub may allow less than this agent does (its policy for the cluster, the caller's scope).
    const seen = this.as(callerOf(call), call.cluster);
    const scope = seen.scope?.with(call.scope);
    const c = {
      ...seen,
      ...(scope && scope !== seen.scope ? { scope, api: seen.api.scoped(scope) } : {}),
      ...(call.mode ? { mode: stricter(root.mode, call.mode) } : {}),
      ...(call.allow
        ? { allow: new Set([...allowedRules(root)].filter((r) => call.allow?.includes(r))) }
        : {}),
    };
    const tool = this.tools.get(call.tool);
    if (!tool?.perCluster) {
      throw new ToolError(
        this.known.has(call.tool)
          ? `${call.tool} is not allowed on cluster ${c.name}: its agent runs in ${root.mode} mode.`
          : `${call.tool} is not a tool this agent runs (agent and hub may be of different releases).`,
      );
    }
    if (!permits(c.mode, tool.perCluster.safety))
      throw new ToolError(
        c.mode === root.mode
          ? `${call.tool} is not allowed on cluster ${c.name}: its agent runs in ${c.mode} mode.`
          : `${call.tool} is not allowed on cluster ${c.name}: the hub allows this call only in ${c.mode} mode.`,
      );
    const args = tool.perCluster.input.safeParse(call.args);
    if (!args.success)
      throw new ToolError(
        `Invalid arguments for ${call.tool}: ${args.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      );
    return tool.perCluster.run(args.data, c, {
      signal,
      config: this.config,
      log: this.log.child({ tool: call.tool, call: call.id }),
      rowLimit: call.rowLimit,
      progress,
    });
  }
}

/**
 * The caller a call names. One that names none (an older hub) is refused where the agent impersonates,
 * and so is one the hub says is a reserved system: user or group: a hub (or anyone holding its link)
 * never makes the agent impersonate Kubernetes' own identities, such as system:masters.
 */
function callerOf(call: Call): Caller {
  const c = call.caller;
  if (!c)
    return {
      kind: "anonymous",
      groups: [],
      missing: "the hub sent no caller (is it older than this agent?)",
    };
  const reserved = [c.user ?? "", ...c.groups].find((n) => n.startsWith("system:"));
  if (!reserved) return c;
  return { kind: c.kind, groups: [], missing: `the hub names the reserved Kubernetes identity ${reserved}` };
}

// Calls between hub replicas over NATS: the calling side sends a request to <prefix>.call.<owner> and
// listens for progress on <prefix>.progress.<caller>.<id>; the owning side runs the call on its agent
// link under the caller's deadline and answers with the per-cluster data or the error. A caller that
// gives up publishes <prefix>.cancel.<owner>; a caller whose owner is gone fails its calls at once.
import { randomUUID } from "node:crypto";
import { type Msg, type NatsConnection, NoRespondersError, RequestError } from "@nats-io/transport-node";
import * as z from "zod";
import { Mode } from "../config/schema.js";
import { ToolError } from "../errors.js";
import { CallerFrame, TraceFrame } from "../link/protocol.js";
import { tracer } from "../obs/tracing.js";
import { stricter } from "../policy/modes.js";
import type { GuardRule } from "../policy/rules.js";
import { ScopeRules } from "../policy/scope.js";
import { allowedRules, type Cluster, type RemoteRunner } from "../targets/clusters.js";
import type { Agents } from "./agents.js";
import { callerFrame } from "./link.js";

const CallRequest = z.object({
  from: z.string().max(200),
  id: z.string().max(100),
  cluster: z.string().max(253),
  /** One of the agent's further clusters (the agent's name for it); unset: the agent's own. */
  further: z.string().max(253).optional(),
  tool: z.string().max(100),
  args: z.record(z.string(), z.unknown()),
  rowLimit: z.number().int().positive(),
  timeoutMs: z.number().int().positive(),
  mode: Mode.optional(),
  allow: z.array(z.string().max(40)).max(20).optional(),
  caller: CallerFrame.optional(),
  scope: z.array(ScopeRules).max(10).optional(),
  progress: z.string().max(400),
  trace: TraceFrame.optional(),
});
const Reply = z.object({
  ok: z.boolean(),
  data: z.unknown().optional(),
  error: z.string().optional(),
  hint: z.string().optional(),
});
const Progress = z.object({ done: z.number(), total: z.number(), message: z.string().max(2000) });
type CallCtx = Parameters<RemoteRunner["call"]>[2];

/** While calls are in flight to a replica, it is probed this often: a dead one has no responder. */
export const PROBE_MS = 250;

const noResponders = (err: unknown) =>
  err instanceof NoRespondersError || (err instanceof RequestError && err.isNoResponders());

/** Subject tokens allow no dots, spaces or wildcards. */
export const subjectToken = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, "_");
/** A message's JSON body, or undefined: a peer's garbage must not throw inside a subscription. */
export function parseJson(m: Msg): unknown {
  try {
    return JSON.parse(m.string());
  } catch {
    return undefined;
  }
}

export class NatsCalls {
  routedIn = 0;
  routedOut = 0;
  private readonly outgoing = new Map<
    string,
    { owner: string; cluster: string; fail(e: Error): void; progress: CallCtx["progress"] }
  >();
  private readonly serving = new Map<string, AbortController>();
  private readonly probing = new Set<string>();
  private probe: NodeJS.Timeout | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly id: string,
    private readonly agents: Agents,
    private readonly timeoutMs: () => number,
    /**
     * `replica` is gone. A replica killed outright closes its NATS connection, and the server drops
     * its subscriptions at once: a request to it then has no responder, long before its presence
     * times out.
     */
    private readonly gone: (replica: string, why: string) => void,
  ) {}

  listen(): void {
    this.nc.subscribe(`${this.prefix}.ping.${this.id}`, {
      callback: (err, m) => {
        if (!err) m.respond("");
      },
    });
    this.probe = setInterval(() => this.probeOwners(), PROBE_MS);
    // One subscription for the progress of every call this replica routes out, not one per call.
    const mine = `${this.prefix}.progress.${this.id}.`;
    this.nc.subscribe(`${mine}*`, {
      callback: (err, m) => {
        const to = err ? undefined : this.outgoing.get(m.subject.slice(mine.length));
        const p = to && Progress.safeParse(parseJson(m));
        if (p?.success) to?.progress(p.data.done, p.data.total, p.data.message);
      },
    });
    this.nc.subscribe(`${this.prefix}.call.${this.id}`, {
      callback: (err, m) => {
        if (!err) void this.serve(m);
      },
    });
    this.nc.subscribe(`${this.prefix}.cancel.${this.id}`, {
      callback: (err, m) => {
        const c = err ? undefined : z.object({ from: z.string(), id: z.string() }).safeParse(parseJson(m));
        if (c?.success)
          this.serving.get(`${c.data.from}:${c.data.id}`)?.abort(new Error("cancelled by the caller"));
      },
    });
  }

  private probeOwners(): void {
    for (const owner of new Set([...this.outgoing.values()].map((c) => c.owner))) {
      if (this.probing.has(owner) || this.nc.isClosed()) continue;
      this.probing.add(owner);
      this.nc
        .request(`${this.prefix}.ping.${owner}`, "", { timeout: PROBE_MS })
        .catch((err) => {
          if (noResponders(err)) this.gone(owner, "its NATS connection closed");
        })
        .finally(() => this.probing.delete(owner));
    }
  }

  close(): void {
    clearInterval(this.probe);
  }

  /** Fails every call in flight to `replica` now, naming its cluster. */
  failTo(replica: string, why: string): void {
    for (const call of [...this.outgoing.values()])
      if (call.owner === replica)
        call.fail(
          new ToolError(
            `Cluster ${call.cluster} was held by hub replica ${replica}, which is gone (${why}); the call failed.`,
            "Retry in a few seconds: its agent reconnects to a surviving replica by itself.",
          ),
        );
  }

  /** Runs `tool` on `cluster` through replica `owner`; settles once, on the answer, a cancel or the owner's loss. */
  call(
    owner: string,
    cluster: string,
    tool: string,
    args: Record<string, unknown>,
    ctx: CallCtx,
    further?: string,
  ): Promise<unknown> {
    return tracer().span(
      `replica call ${tool}`,
      { "gen_ai.tool.name": tool, "k8s.cluster.name": cluster, "kube_mcp.replica": owner },
      () => this.request(owner, cluster, tool, args, ctx, further),
      { kind: "client" },
    );
  }

  private request(
    owner: string,
    cluster: string,
    tool: string,
    args: Record<string, unknown>,
    ctx: CallCtx,
    further?: string,
  ): Promise<unknown> {
    ctx.signal.throwIfAborted();
    const trace = tracer().carrier();
    const id = randomUUID();
    const progress = `${this.prefix}.progress.${this.id}.${id}`;
    const timeoutMs = this.timeoutMs();
    this.routedOut++;
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish =
        <T>(f: (v: T) => void) =>
        (v: T) => {
          if (settled) return;
          settled = true;
          ctx.signal.removeEventListener("abort", onAbort);
          this.outgoing.delete(id);
          f(v);
        };
      const ok = finish(resolve);
      const fail = finish(reject);
      const onAbort = () => {
        if (!this.nc.isClosed())
          this.nc.publish(`${this.prefix}.cancel.${owner}`, JSON.stringify({ from: this.id, id }));
        fail(ctx.signal.reason);
      };
      ctx.signal.addEventListener("abort", onAbort, { once: true });
      this.outgoing.set(id, { owner, cluster, fail, progress: ctx.progress });
      const req = {
        from: this.id,
        id,
        cluster,
        ...(further ? { further } : {}),
        tool,
        args,
        rowLimit: ctx.rowLimit,
        timeoutMs,
        progress,
        ...(ctx.mode ? { mode: ctx.mode } : {}),
        ...(ctx.allow ? { allow: [...ctx.allow] } : {}),
        ...(ctx.caller ? { caller: callerFrame(ctx.caller) } : {}),
        ...(ctx.scope?.length ? { scope: [...ctx.scope] } : {}),
        ...(trace ? { trace } : {}),
      };
      this.nc
        .request(`${this.prefix}.call.${owner}`, JSON.stringify(req), { timeout: timeoutMs + 2000 })
        .then((m) => {
          const r = Reply.safeParse(parseJson(m));
          if (!r.success)
            return fail(
              new ToolError(`Hub replica ${owner} sent a malformed answer for cluster ${cluster}.`),
            );
          if (r.data.ok) ok(r.data.data);
          else fail(new ToolError(r.data.error ?? `cluster ${cluster} reported an error`, r.data.hint));
        })
        .catch((err: Error) => {
          if (noResponders(err)) this.gone(owner, "its NATS connection closed");
          fail(
            new ToolError(
              `Cluster ${cluster} could not be reached through hub replica ${owner}: ${err.message}.`,
              "Retry in a few seconds: if that replica is gone, its agent reconnects to a surviving one.",
            ),
          );
        });
    });
  }

  /** Runs another replica's call on this replica's agent link and answers with the data or the error. */
  private async serve(m: Msg): Promise<void> {
    const parsed = CallRequest.safeParse(parseJson(m));
    if (!parsed.success)
      return void m.respond(JSON.stringify({ ok: false, error: "malformed call request" }));
    const req = parsed.data;
    this.routedIn++;
    // The owning replica's side of the hop, in the calling replica's trace.
    await tracer().span(
      `replica serve ${req.tool}`,
      { "gen_ai.tool.name": req.tool, "k8s.cluster.name": req.cluster, "kube_mcp.replica": req.from },
      () => this.answer(m, req),
      { kind: "server", ...(req.trace ? { parent: req.trace } : {}) },
    );
  }

  private async answer(m: Msg, req: z.infer<typeof CallRequest>): Promise<void> {
    const key = `${req.from}:${req.id}`;
    const ac = new AbortController();
    this.serving.set(key, ac);
    const timer = setTimeout(
      () => ac.abort(new ToolError(`Cluster ${req.cluster} did not answer within ${req.timeoutMs} ms.`)),
      req.timeoutMs,
    );
    // Progress goes only to the caller's own progress subjects, never wherever a request says.
    const progressOk = req.progress.startsWith(`${this.prefix}.progress.${subjectToken(req.from)}.`);
    try {
      const link = this.agents.links.get(req.cluster);
      if (!link?.connected)
        throw new ToolError(`Cluster ${req.cluster} is no longer connected to hub replica ${this.id}.`);
      // This replica's own policy for the cluster called: the agent's, or one of its further clusters.
      const further = req.further;
      const own = this.agents.policy(further ? `${req.cluster}:${further}` : req.cluster);
      const data = await link.call(req.tool, req.args, {
        ...(further ? { cluster: further } : {}),
        signal: ac.signal,
        rowLimit: req.rowLimit,
        progress: (done, total, message) => {
          if (progressOk) this.nc.publish(req.progress, JSON.stringify({ done, total, message }));
        },
        // The agent decides what the caller may be; the bus only says who it is (docs/security.md).
        ...(req.caller ? { caller: req.caller } : {}),
        // Namespaces and kinds: this replica's policy for the cluster and the caller's, both.
        scope: [...own.scope.layers, ...(req.scope ?? [])],
        // The bus is not trusted to widen this replica's policy: the call runs at the stricter of the
        // caller's mode and this replica's own for the cluster, with only the rules both allow.
        ...narrowed(own, req),
      });
      const answer = JSON.stringify({ ok: true, data });
      const max = this.nc.info?.max_payload ?? Number.POSITIVE_INFINITY;
      if (Buffer.byteLength(answer) > max)
        throw new ToolError(
          `The answer from cluster ${req.cluster} (${Buffer.byteLength(answer)} bytes) is larger than NATS carries between hub replicas (max_payload ${max} bytes).`,
          "Narrow the call (a namespace, a label selector, fewer rows), or raise max_payload on the NATS servers.",
        );
      m.respond(answer);
    } catch (err) {
      const e =
        err instanceof ToolError
          ? { error: err.message, ...(err.hint ? { hint: err.hint } : {}) }
          : { error: String((err as Error)?.message ?? err) };
      m.respond(JSON.stringify({ ok: false, ...e }));
    } finally {
      clearTimeout(timer);
      this.serving.delete(key);
    }
  }
}

function narrowed(
  local: Pick<Cluster, "mode" | "allow">,
  req: { mode?: Mode; allow?: string[] },
): { mode: Mode; allow: GuardRule[] } {
  const allow = [...allowedRules(local)].filter((r) => !req.allow || req.allow.includes(r));
  return { mode: req.mode ? stricter(local.mode, req.mode) : local.mode, allow };
}

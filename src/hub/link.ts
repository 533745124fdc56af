// One agent's link as the hub sees it: the socket of the current connection (if any), what the agent
// reported, liveness, and the calls in flight. It is the RemoteRunner of that cluster: a call is sent
// with an id, progress and the result come back by id, and a drop fails every call in flight at once.
import type WebSocket from "ws";
import type { Mode } from "../config/schema.js";
import { ToolError } from "../errors.js";
import { type Call, type CallerFrame, CLOSE, encode, type Hello } from "../link/protocol.js";
import type { Logger } from "../obs/log.js";
import { tracer } from "../obs/tracing.js";
import type { Caller } from "../policy/identity.js";
import type { ScopeRules } from "../policy/scope.js";
import type { RemoteRunner } from "../targets/clusters.js";

/** What the agent learns of a caller: who they are and how they came, never a key or a token. */
export function callerFrame(c: Caller): CallerFrame {
  return {
    // A hub has no local person: a stdio caller cannot reach it, and must not read as one to the agent.
    kind: c.kind === "stdio" ? "anonymous" : c.kind,
    groups: [...c.groups],
    ...(c.user ? { user: c.user } : {}),
    ...(c.key ? { key: c.key } : {}),
    ...(c.subject ? { subject: c.subject } : {}),
    ...(c.client ? { client: c.client } : {}),
    ...(c.missing ? { missing: c.missing } : {}),
  };
}

interface Pending {
  resolve(data: unknown): void;
  reject(err: Error): void;
  progress(done: number, total: number, message: string): void;
}

export class AgentLink implements RemoteRunner {
  ws: WebSocket | undefined;
  hello: Hello | undefined;
  address = "";
  lastSeen: number | undefined;
  latencyMs: number | undefined;
  /** When the current connection registered: with several replicas the newest holder owns the cluster. */
  connectedAt: number | undefined;
  private pending = new Map<number, Pending>();
  private seq = 0;

  constructor(
    readonly name: string,
    private readonly timeoutMs: () => number,
    private readonly log: Logger,
  ) {}

  get connected(): boolean {
    return this.ws !== undefined && this.hello !== undefined;
  }

  /** Takes over a registered connection; an older one is closed and its calls fail. */
  attach(ws: WebSocket, hello: Hello, address: string): void {
    const old = this.ws;
    if (old && old !== ws) {
      this.log.warn("agent connection replaced by a newer one", {
        cluster: this.name,
        old: this.address,
        new: address,
      });
      this.detach(old, "it was replaced by a newer connection");
      old.close(CLOSE.replaced, "replaced by a newer connection for this cluster");
    }
    this.ws = ws;
    this.hello = hello;
    this.address = address;
    this.lastSeen = Date.now();
    this.connectedAt = this.lastSeen;
  }

  /** The connection `ws` is gone: every call in flight on it fails now, naming the cluster. */
  detach(ws: WebSocket, why: string): void {
    if (this.ws !== ws) return;
    this.ws = undefined;
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const p of calls)
      p.reject(
        new ToolError(
          `The agent for cluster ${this.name} disconnected during the call (${why}).`,
          "Retry once it is back; clusters_list shows whether it is connected.",
        ),
      );
  }

  seen(): void {
    this.lastSeen = Date.now();
  }

  onProgress(id: number, done: number, total: number, message: string): void {
    this.pending.get(id)?.progress(done, total, message);
  }

  onResult(id: number, r: { ok: boolean; data?: unknown; error?: string; hint?: string }): void {
    const p = this.pending.get(id);
    if (!p) return; // cancelled or timed out already
    this.pending.delete(id);
    if (r.ok) p.resolve(r.data);
    else p.reject(new ToolError(r.error ?? "the agent reported an error", r.hint));
  }

  call(
    tool: string,
    args: Record<string, unknown>,
    ctx: {
      signal: AbortSignal;
      rowLimit: number;
      progress: Pending["progress"];
      mode?: Mode;
      allow?: readonly string[];
      caller?: Caller;
      scope?: readonly ScopeRules[];
      /** One of the agent's further clusters, by the agent's name for it. */
      cluster?: string;
    },
  ): Promise<unknown> {
    // The hub → agent hop as a client span; the agent continues the trace from the frame's context.
    return tracer().span(
      `agent call ${tool}`,
      { "gen_ai.tool.name": tool, "k8s.cluster.name": this.name },
      () => this.send(tool, args, ctx),
      { kind: "client" },
    );
  }

  private send(
    tool: string,
    args: Record<string, unknown>,
    ctx: Parameters<AgentLink["call"]>[2],
  ): Promise<unknown> {
    const ws = this.ws;
    if (!ws || !this.connected) return Promise.reject(this.notConnected());
    ctx.signal.throwIfAborted();
    const id = ++this.seq;
    const trace = tracer().carrier();
    const msg: Call = {
      type: "call",
      id,
      tool,
      args,
      rowLimit: ctx.rowLimit,
      timeoutMs: this.timeoutMs(),
      ...(ctx.mode ? { mode: ctx.mode } : {}),
      ...(ctx.allow ? { allow: [...ctx.allow] } : {}),
      ...(ctx.caller ? { caller: callerFrame(ctx.caller) } : {}),
      ...(ctx.scope?.length ? { scope: [...ctx.scope] } : {}),
      ...(trace ? { trace } : {}),
      ...(ctx.cluster ? { cluster: ctx.cluster } : {}),
    };
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        if (!this.pending.delete(id)) return;
        if (ws.readyState === ws.OPEN) ws.send(encode({ type: "cancel", id }));
        reject(ctx.signal.reason);
      };
      ctx.signal.addEventListener("abort", onAbort, { once: true });
      const done =
        <T>(f: (v: T) => void) =>
        (v: T) => {
          ctx.signal.removeEventListener("abort", onAbort);
          f(v);
        };
      this.pending.set(id, { resolve: done(resolve), reject: done(reject), progress: ctx.progress });
      ws.send(encode(msg), (err) => {
        // The socket may be closing when the call comes in (the soak saw "readyState 2 (CLOSING)").
        if (err)
          this.onResult(id, {
            ok: false,
            error: `Could not send the call to the agent for cluster ${this.name}: ${err.message}.`,
            hint: "Its connection is closing; retry once it is back (clusters_list shows whether it is connected).",
          });
      });
    });
  }

  private notConnected(): ToolError {
    if (this.lastSeen === undefined)
      return new ToolError(
        `Cluster ${this.name} has no agent connected, and none has connected since the hub started.`,
        "Check that the agent runs in that cluster with this hub's URL and its token.",
      );
    const ago = Math.round((Date.now() - this.lastSeen) / 1000);
    return new ToolError(
      `Cluster ${this.name} is not connected: its agent was last seen ${new Date(this.lastSeen).toISOString()} (${ago} s ago).`,
      "The agent reconnects by itself; retry later, or check the agent's logs in that cluster.",
    );
  }
}

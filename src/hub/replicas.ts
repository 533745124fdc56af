// Several hub replicas sharing agents over NATS (loaded only with --nats-url). Each replica announces
// the clusters whose agents it holds on <prefix>.presence every PRESENCE_MS; a replica not heard for
// PRESENCE_TTL_MS is gone, and so are its clusters and the calls in flight to it. A call for a cluster
// held elsewhere is a NATS request to <prefix>.call.<owner>; the owner runs it on its agent link and
// answers with the per-cluster data, so the calling replica merges and renders it as a local one.
// Progress comes back on a subject the caller names; cancellation goes to <prefix>.cancel.<owner>.
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { connect, credsAuthenticator, type Msg, type NatsConnection } from "@nats-io/transport-node";
import * as z from "zod";
import type { Config } from "../config/schema.js";
import type { Hello } from "../link/protocol.js";
import type { Logger } from "../obs/log.js";
import type { Cluster, RemoteRunner } from "../targets/clusters.js";
import { ToolError } from "../tools/define.js";
import type { Agents } from "./agents.js";

/** How often a replica announces itself, and how long its silence is tolerated (a few missed beats). */
export const PRESENCE_MS = 400;
export const PRESENCE_TTL_MS = 1500;

const Claim = z.object({
  name: z.string().max(253),
  since: z.number(),
  address: z.string().max(200),
  latencyMs: z.number().optional(),
  hello: z.unknown(),
});
const Presence = z.object({ replica: z.string().max(200), clusters: z.array(Claim), gone: z.boolean() });
const CallRequest = z.object({
  from: z.string().max(200),
  id: z.string().max(100),
  cluster: z.string().max(253),
  tool: z.string().max(100),
  args: z.record(z.string(), z.unknown()),
  rowLimit: z.number().int().positive(),
  timeoutMs: z.number().int().positive(),
  mode: z.enum(["read-only", "non-destructive", "full"]).optional(),
  allow: z.array(z.string().max(40)).max(20).optional(),
  progress: z.string().max(400),
});
const Reply = z.object({
  ok: z.boolean(),
  data: z.unknown().optional(),
  error: z.string().optional(),
  hint: z.string().optional(),
});
type Claim = z.infer<typeof Claim>;
type CallCtx = Parameters<RemoteRunner["call"]>[2];

/** What clusters_list shows of a cluster: who holds it and what its agent reported. */
export interface Holder {
  replica: string | undefined;
  connected: boolean;
  hello: Hello | undefined;
  latencyMs: number | undefined;
  lastSeen: number | undefined;
}

/** Subject tokens allow no dots, spaces or wildcards. */
const token = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, "_");
const json = (m: Msg): unknown => JSON.parse(m.string());

export class Replicas {
  readonly id = token(`${hostname()}-${process.pid}-${randomBytes(2).toString("hex")}`);
  routedIn = 0;
  routedOut = 0;
  private readonly peers = new Map<string, { at: number; clusters: Claim[] }>();
  private readonly outgoing = new Map<string, { owner: string; cluster: string; fail(e: Error): void }>();
  private readonly serving = new Map<string, AbortController>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly prefix: string;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly config: Readonly<Config>,
    private readonly agents: Agents,
    private readonly log: Logger,
    /** The set of clusters (or who holds them) changed: the registry is rebuilt. */
    private readonly changed: () => void,
  ) {
    this.prefix = config.hub.nats?.subjectPrefix ?? "kube-mcp";
  }

  static async start(
    config: Readonly<Config>,
    agents: Agents,
    log: Logger,
    changed: () => void,
  ): Promise<Replicas> {
    const n = config.hub.nats as NonNullable<Config["hub"]["nats"]>;
    const nc = await connect({
      servers: n.urls,
      name: "kube-mcp-hub",
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      ...(n.token ? { token: n.token } : {}),
      ...(n.credsFile ? { authenticator: credsAuthenticator(readFileSync(n.credsFile)) } : {}),
    });
    const r = new Replicas(nc, config, agents, log, changed);
    r.listen();
    void r.watch();
    return r;
  }

  /** False while the NATS connection is down (the client reconnects by itself). */
  natsConnected = true;

  get peerCount(): number {
    return this.peers.size;
  }

  private async watch(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === "disconnect") {
        this.natsConnected = false;
        this.log.warn("NATS connection lost; serving this replica's own agents until it is back");
      } else if (s.type === "reconnect") {
        this.natsConnected = true;
        this.log.info("NATS connection back");
        this.announce();
      }
    }
  }

  private listen(): void {
    const p = this.prefix;
    this.nc.subscribe(`${p}.presence`, {
      callback: (err, m) => {
        if (!err) this.onPresence(m);
      },
    });
    this.nc.subscribe(`${p}.call.${this.id}`, {
      callback: (err, m) => {
        if (!err) void this.serve(m);
      },
    });
    this.nc.subscribe(`${p}.cancel.${this.id}`, {
      callback: (err, m) => {
        if (err) return;
        const c = z.object({ from: z.string(), id: z.string() }).safeParse(json(m));
        if (c.success)
          this.serving.get(`${c.data.from}:${c.data.id}`)?.abort(new Error("cancelled by the caller"));
      },
    });
    this.agents.onChange = () => {
      this.announce();
      this.changed();
    };
    this.timers.push(setInterval(() => this.announce(), PRESENCE_MS));
    this.timers.push(setInterval(() => this.sweep(), PRESENCE_MS / 2));
    this.announce();
    this.log.info("sharing agents with other hub replicas over NATS", {
      replica: this.id,
      nats: this.nc.getServer(),
    });
  }

  private claims(): Claim[] {
    return [...this.agents.links.values()]
      .filter((l) => l.connected)
      .map((l) => ({
        name: l.name,
        since: l.connectedAt ?? 0,
        address: l.address,
        ...(l.latencyMs !== undefined ? { latencyMs: l.latencyMs } : {}),
        hello: l.hello,
      }));
  }

  private announce(gone = false): void {
    if (this.nc.isClosed()) return;
    const msg = { replica: this.id, clusters: gone ? [] : this.claims(), gone };
    this.nc.publish(`${this.prefix}.presence`, JSON.stringify(msg));
  }

  private onPresence(m: Msg): void {
    const parsed = Presence.safeParse(json(m));
    if (!parsed.success || parsed.data.replica === this.id) return;
    const { replica, clusters, gone } = parsed.data;
    const before = this.peers.get(replica);
    if (gone) {
      this.drop(replica, "it shut down");
      return;
    }
    this.peers.set(replica, { at: Date.now(), clusters });
    const key = (cs: Claim[]) =>
      cs
        .map((c) => `${c.name}@${c.since}`)
        .sort()
        .join(",");
    if (!before) this.log.info("hub replica joined", { replica, clusters: clusters.map((c) => c.name) });
    if (!before || key(before.clusters) !== key(clusters)) this.changed();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [replica, p] of this.peers)
      if (now - p.at > PRESENCE_TTL_MS) this.drop(replica, `not heard for ${now - p.at} ms`);
  }

  /** A replica is gone: its clusters leave the registry and calls in flight to it fail now. */
  private drop(replica: string, why: string): void {
    if (!this.peers.delete(replica)) return;
    this.log.warn("hub replica gone", { replica, why });
    for (const call of [...this.outgoing.values()])
      if (call.owner === replica)
        call.fail(
          new ToolError(
            `Cluster ${call.cluster} was held by hub replica ${replica}, which is gone (${why}); the call failed.`,
            "Retry in a few seconds: its agent reconnects to a surviving replica by itself.",
          ),
        );
    this.changed();
  }

  /** The replica whose agent connection for `name` is newest (ties: the larger id), if any holds it. */
  owner(name: string): string | undefined {
    let best: { replica: string; since: number } | undefined;
    const consider = (replica: string, since: number) => {
      if (!best || since > best.since || (since === best.since && replica > best.replica))
        best = { replica, since };
    };
    const link = this.agents.links.get(name);
    if (link?.connected) consider(this.id, link.connectedAt ?? 0);
    for (const [replica, p] of this.peers)
      for (const c of p.clusters) if (c.name === name) consider(replica, c.since);
    return best?.replica;
  }

  holder(name: string): Holder {
    const owner = this.owner(name);
    const link = this.agents.links.get(name);
    if (owner === undefined || owner === this.id)
      return {
        replica: owner,
        connected: owner !== undefined,
        hello: link?.hello,
        latencyMs: link?.latencyMs,
        lastSeen: link?.lastSeen,
      };
    const claim = this.peers.get(owner)?.clusters.find((c) => c.name === name);
    return {
      replica: owner,
      connected: true,
      hello: claim?.hello as Hello | undefined,
      latencyMs: claim?.latencyMs,
      lastSeen: Date.now(),
    };
  }

  /** Every cluster this replica has a token for or another replica holds, in a stable order. */
  names(): string[] {
    const names = new Set(this.agents.links.keys());
    for (const p of this.peers.values()) for (const c of p.clusters) names.add(c.name);
    return [...names];
  }

  clusters(): Cluster[] {
    return this.names().map((name) =>
      this.agents.cluster(name, this.runner(name), () => this.holder(name).hello),
    );
  }

  private runner(name: string): RemoteRunner {
    return {
      call: (tool, args, ctx) => {
        const owner = this.owner(name);
        const link = this.agents.links.get(name);
        if (owner !== undefined && owner !== this.id) return this.remoteCall(owner, name, tool, args, ctx);
        if (link && owner === this.id) return link.call(tool, args, ctx);
        return Promise.reject(
          new ToolError(
            `Cluster ${name} is not connected to any hub replica.`,
            "Its agent reconnects by itself; retry later, or check the agent's logs in that cluster.",
          ),
        );
      },
    };
  }

  private remoteCall(
    owner: string,
    cluster: string,
    tool: string,
    args: Record<string, unknown>,
    ctx: CallCtx,
  ): Promise<unknown> {
    ctx.signal.throwIfAborted();
    const id = randomUUID();
    const progress = `${this.prefix}.progress.${this.id}.${id}`;
    const timeoutMs = this.config.fanout.clusterTimeoutMs;
    const sub = this.nc.subscribe(progress, {
      callback: (err, m) => {
        const p = err
          ? undefined
          : z.object({ done: z.number(), total: z.number(), message: z.string() }).safeParse(json(m));
        if (p?.success) ctx.progress(p.data.done, p.data.total, p.data.message);
      },
    });
    this.routedOut++;
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish =
        <T>(f: (v: T) => void) =>
        (v: T) => {
          if (settled) return;
          settled = true;
          sub.unsubscribe();
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
      this.outgoing.set(id, { owner, cluster, fail });
      const req = {
        from: this.id,
        id,
        cluster,
        tool,
        args,
        rowLimit: ctx.rowLimit,
        timeoutMs,
        progress,
        ...(ctx.mode ? { mode: ctx.mode } : {}),
        ...(ctx.allow ? { allow: [...ctx.allow] } : {}),
      };
      this.nc
        .request(`${this.prefix}.call.${owner}`, JSON.stringify(req), { timeout: timeoutMs + 2000 })
        .then((m) => {
          const r = Reply.safeParse(json(m));
          if (!r.success)
            return fail(
              new ToolError(`Hub replica ${owner} sent a malformed answer for cluster ${cluster}.`),
            );
          if (r.data.ok) ok(r.data.data);
          else fail(new ToolError(r.data.error ?? `cluster ${cluster} reported an error`, r.data.hint));
        })
        .catch((err: Error) =>
          fail(
            new ToolError(
              `Cluster ${cluster} could not be reached through hub replica ${owner}: ${err.message}.`,
              "Retry in a few seconds: if that replica is gone, its agent reconnects to a surviving one.",
            ),
          ),
        );
    });
  }

  /** Runs another replica's call on this replica's agent link and answers with the data or the error. */
  private async serve(m: Msg): Promise<void> {
    const parsed = CallRequest.safeParse(json(m));
    if (!parsed.success)
      return void m.respond(JSON.stringify({ ok: false, error: "malformed call request" }));
    const req = parsed.data;
    this.routedIn++;
    const key = `${req.from}:${req.id}`;
    const ac = new AbortController();
    this.serving.set(key, ac);
    const timer = setTimeout(
      () => ac.abort(new ToolError(`Cluster ${req.cluster} did not answer within ${req.timeoutMs} ms.`)),
      req.timeoutMs,
    );
    // Progress goes only to the caller's own progress subjects, never wherever a request says.
    const progressOk = req.progress.startsWith(`${this.prefix}.progress.${token(req.from)}.`);
    try {
      const link = this.agents.links.get(req.cluster);
      if (!link?.connected)
        throw new ToolError(`Cluster ${req.cluster} is no longer connected to hub replica ${this.id}.`);
      const data = await link.call(req.tool, req.args, {
        signal: ac.signal,
        rowLimit: req.rowLimit,
        progress: (done, total, message) => {
          if (progressOk) this.nc.publish(req.progress, JSON.stringify({ done, total, message }));
        },
        ...(req.mode ? { mode: req.mode } : {}),
        ...(req.allow ? { allow: req.allow as never } : {}),
      });
      m.respond(JSON.stringify({ ok: true, data }));
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

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.announce(true);
    await this.nc.drain().catch(() => {});
  }
}

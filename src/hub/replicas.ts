// Several hub replicas sharing agents over NATS (loaded only with --nats-url). Each replica announces
// the clusters whose agents it holds on <prefix>.presence every PRESENCE_MS; a replica not heard for
// PRESENCE_TTL_MS is gone, and so are its clusters and the calls in flight to it. Every replica puts
// every cluster in its registry; a call for one held elsewhere goes to its owner (nats-calls.ts), so
// the calling replica merges and renders it as a local one.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type ConnectionOptions,
  connect,
  credsAuthenticator,
  type Msg,
  type NatsConnection,
} from "@nats-io/transport-node";
import * as z from "zod";
import type { Config } from "../config/schema.js";
import { ToolError } from "../errors.js";
import { AgentMessage, type Hello } from "../link/protocol.js";
import type { Logger } from "../obs/log.js";
import type { Cluster, RemoteRunner } from "../targets/clusters.js";
import { type Agents, furtherHello } from "./agents.js";
import { NatsCalls, parseJson, subjectToken } from "./nats-calls.js";

/** How often a replica announces itself, and how long its silence is tolerated (a few missed beats). */
export const PRESENCE_MS = 400;
export const PRESENCE_TTL_MS = 1500;
/** How long a change of this replica's agents waits for others before it is announced. */
const COALESCE_MS = 50;

const Claim = z.object({
  name: z.string().max(253),
  since: z.number(),
  address: z.string().max(200),
  latencyMs: z.number().optional(),
  /** The agent's hello as its replica received it (shown by clusters_list, fenced); checked in onPresence. */
  hello: z.unknown(),
});
const Presence = z.object({ replica: z.string().max(200), clusters: z.array(Claim), gone: z.boolean() });
type Claim = z.infer<typeof Claim>;
const isHello = (h: unknown) => AgentMessage.safeParse(h).data?.type === "hello";

const startsWith = (data: Uint8Array, prefix: Buffer) =>
  data.length >= prefix.length && prefix.equals(data.subarray(0, prefix.length));

/** Whether two values parsed from JSON are the same. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(rb, k) && sameJson(ra[k], rb[k]));
}

interface Peer {
  at: number;
  clusters: Claim[];
  byName: Map<string, Claim>;
  /** What of its claims changes the registry (names, connections, further clusters). */
  key: string;
}

/** What clusters_list shows of a cluster: who holds it and what its agent reported. */
export interface Holder {
  replica: string | undefined;
  connected: boolean;
  hello: Hello | undefined;
  latencyMs: number | undefined;
  lastSeen: number | undefined;
}

/** Client options from hub.nats; throws if the credentials file cannot be read (a start-up error). */
export function natsOptions(n: NonNullable<Config["hub"]["nats"]>): ConnectionOptions {
  return {
    servers: n.urls,
    name: "kube-mcp-hub",
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    // A server that never completes the handshake (TLS refused after it, a wrong port) fails an attempt
    // in 5 s rather than the client's default 20, so readiness reports it and the retry starts sooner.
    timeout: 5_000,
    // Each request would otherwise capture a stack trace up front, for an error it rarely has: a
    // large share of a routed call's cost. Errors keep their messages (all that is reported of them).
    noAsyncTraces: true,
    ...(n.token ? { token: n.token } : {}),
    ...(n.credsFile ? { authenticator: credsAuthenticator(readFileSync(n.credsFile)) } : {}),
    // Files are read here, at start-up, so a missing one is a clear error before any connection.
    ...(n.tls || n.urls.some((u) => u.startsWith("tls://"))
      ? {
          tls: {
            ...(n.tls?.caFile ? { ca: readFileSync(n.tls.caFile, "utf8") } : {}),
            ...(n.tls?.certFile ? { cert: readFileSync(n.tls.certFile, "utf8") } : {}),
            ...(n.tls?.keyFile ? { key: readFileSync(n.tls.keyFile, "utf8") } : {}),
          },
        }
      : {}),
  };
}

export class Replicas {
  readonly id = subjectToken(`${hostname()}-${process.pid}-${randomBytes(2).toString("hex")}`);
  private readonly peers = new Map<string, Peer>();
  private readonly calls: NatsCalls;
  private readonly timers: NodeJS.Timeout[] = [];
  private pendingChange: NodeJS.Timeout | undefined;
  private readonly prefix: string;

  private constructor(
    private readonly nc: NatsConnection,
    config: Readonly<Config>,
    private readonly agents: Agents,
    private readonly log: Logger,
    /** The set of clusters (or who holds them) changed: the registry is rebuilt. */
    private readonly changed: () => void,
  ) {
    this.prefix = config.hub.nats?.subjectPrefix ?? "kube-mcp";
    this.calls = new NatsCalls(
      nc,
      this.prefix,
      this.id,
      agents,
      () => config.fanout.clusterTimeoutMs,
      (replica, why) => this.drop(replica, why),
    );
  }

  /**
   * Connects (retrying with backoff until it succeeds or `stopped()`), then joins the other replicas.
   * Until then the hub serves its own agents and is not ready.
   */
  static async start(
    config: Readonly<Config>,
    agents: Agents,
    log: Logger,
    changed: () => void,
    stopped: () => boolean,
  ): Promise<Replicas | undefined> {
    const opts = natsOptions(config.hub.nats as NonNullable<Config["hub"]["nats"]>);
    for (let attempt = 0; !stopped(); attempt++) {
      try {
        const nc = await connect(opts);
        if (stopped()) return void (await nc.close());
        const r = new Replicas(nc, config, agents, log, changed);
        r.listen();
        void r.watch();
        return r;
      } catch (err) {
        const base = Math.min(10_000, 500 * 2 ** Math.min(attempt, 10));
        const wait = Math.round(base / 2 + Math.random() * (base / 2));
        log.warn("NATS unreachable; not ready, retrying", { err: (err as Error).message, inMs: wait });
        // Unreferenced: a hub shutting down while NATS is away must not be held up by this wait.
        await sleep(wait, undefined, { ref: false });
      }
    }
    return undefined;
  }

  /** False while the NATS connection is down (the client reconnects by itself). */
  natsConnected = true;

  get routedIn(): number {
    return this.calls.routedIn;
  }

  get routedOut(): number {
    return this.calls.routedOut;
  }

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
    this.calls.listen();
    // Agents come and go in storms (a fleet reconnecting after a replica died): one announcement and
    // one registry rebuild per burst, not one per agent, each of which would cover every agent.
    this.agents.onChange = () => {
      this.pendingChange ??= setTimeout(() => {
        this.pendingChange = undefined;
        this.announce();
        this.changed();
      }, COALESCE_MS);
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

  /** How this replica's announcements start (the key order below). */
  private readonly ownPresence = Buffer.from(`{"replica":${JSON.stringify(this.id)},`);

  private announce(gone = false): void {
    if (this.nc.isClosed()) return;
    const msg = { replica: this.id, clusters: gone ? [] : this.claims(), gone };
    this.nc.publish(`${this.prefix}.presence`, JSON.stringify(msg));
  }

  private onPresence(m: Msg): void {
    // This replica hears its own announcements too: skipped unparsed (they list all of its agents).
    if (startsWith(m.data, this.ownPresence)) return;
    const parsed = Presence.safeParse(parseJson(m));
    if (!parsed.success || parsed.data.replica === this.id) return;
    const { replica, clusters, gone } = parsed.data;
    const before = this.peers.get(replica);
    // Every hello is checked as an agent's hello, once: a replica repeats its claims every PRESENCE_MS,
    // and one it already sent for the same connection, unchanged, passed the check then.
    const checked = (c: Claim) => {
      const was = before?.byName.get(c.name);
      return was !== undefined && was.since === c.since && sameJson(was.hello, c.hello);
    };
    if (!clusters.every((c) => checked(c) || isHello(c.hello))) return;
    if (gone) {
      this.drop(replica, "it shut down");
      return;
    }
    // By name, for owner(): a cluster named twice counts by its newest connection.
    const byName = new Map<string, Claim>();
    for (const c of clusters) if ((byName.get(c.name)?.since ?? -Infinity) < c.since) byName.set(c.name, c);
    // An agent's further clusters count too: a change of them changes this replica's registry.
    const further = (c: Claim) =>
      ((c.hello as Hello | undefined)?.clusters ?? []).map((e) => e.name).join("|");
    const key = clusters
      .map((c) => `${c.name}@${c.since}#${further(c)}`)
      .sort()
      .join(",");
    this.peers.set(replica, { at: Date.now(), clusters, byName, key });
    if (!before) this.log.info("hub replica joined", { replica, clusters: clusters.map((c) => c.name) });
    if (!before || before.key !== key) this.changed();
  }

  private lastSweep = Date.now();

  private sweep(): void {
    const now = Date.now();
    // This replica's own event loop was held up (a large fan-out on a busy machine): its peers'
    // announcements may be waiting unread behind this timer. They are read before anyone is judged.
    const stalled = now - this.lastSweep > PRESENCE_MS;
    this.lastSweep = now;
    if (stalled) return;
    for (const [replica, p] of this.peers)
      if (now - p.at > PRESENCE_TTL_MS) this.drop(replica, `not heard for ${now - p.at} ms`);
  }

  /** A replica is gone: its clusters leave the registry and calls in flight to it fail now. */
  private drop(replica: string, why: string): void {
    if (!this.peers.delete(replica)) return;
    this.log.warn("hub replica gone", { replica, why });
    this.calls.failTo(replica, why);
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
    for (const [replica, p] of this.peers) {
      const c = p.byName.get(name);
      if (c) consider(replica, c.since);
    }
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
    const claim = this.peers.get(owner)?.byName.get(name);
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

  /**
   * The registry's clusters. Each reads who holds it live, so one made for a name serves until the name
   * leaves: a rebuild (whenever any replica's agents change) makes only the new ones.
   */
  clusters(): Cluster[] {
    const made = new Map<string, Cluster>();
    const once = (key: string, make: () => Cluster) => {
      const c = this.made.get(key) ?? make();
      made.set(key, c);
      return c;
    };
    const all = this.names().flatMap((name) => [
      once(name, () => this.agents.cluster(name, this.runner(name), () => this.holder(name).hello)),
      // The agent's further clusters, through whichever replica holds the agent.
      ...(this.holder(name).hello?.clusters ?? []).map((e) =>
        once(`${name}\0${e.name}`, () =>
          this.agents.cluster(`${name}:${e.name}`, this.runner(name, e.name), () =>
            furtherHello(this.holder(name).hello, e.name),
          ),
        ),
      ),
    ]);
    this.made = made;
    return all;
  }

  private made = new Map<string, Cluster>();

  private runner(name: string, further?: string): RemoteRunner {
    return {
      call: (tool, args, ctx) => {
        const owner = this.owner(name);
        const link = this.agents.links.get(name);
        if (owner !== undefined && owner !== this.id)
          return this.calls.call(owner, name, tool, args, ctx, further);
        if (link && owner === this.id)
          return link.call(tool, args, { ...ctx, ...(further ? { cluster: further } : {}) });
        return Promise.reject(
          new ToolError(
            `Cluster ${name} is not connected to any hub replica.`,
            "Its agent reconnects by itself; retry later, or check the agent's logs in that cluster.",
          ),
        );
      },
    };
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    clearTimeout(this.pendingChange);
    this.calls.close();
    this.announce(true);
    await this.nc.drain().catch(() => {});
  }
}

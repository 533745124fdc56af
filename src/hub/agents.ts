// The hub's agent endpoint: authenticates WebSocket upgrades (subprotocol version, token for the claimed
// cluster checked in constant time against every token, sockets per address), registers agents by their
// hello within a deadline, keeps them alive with pings, and routes their messages to their links.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { clusterPolicy } from "../config/cluster-policy.js";
import type { Config, Mode } from "../config/schema.js";
import { ToolError } from "../errors.js";
import {
  AgentMessage,
  CLOSE,
  CLUSTER_HEADER,
  decode,
  encode,
  type Hello,
  HUB_SUPPORTS,
  MalformedFrame,
  SUBPROTOCOL,
} from "../link/protocol.js";
import { digest, ownerOf } from "../mcp/keys.js";
import type { Logger } from "../obs/log.js";
import { stricter } from "../policy/modes.js";
import type { GuardRule } from "../policy/rules.js";
import { Scope } from "../policy/scope.js";
import { aliasTable } from "../policy/toolsets.js";
import type { Cluster, RemoteRunner } from "../targets/clusters.js";
import { ALL_TOOLS } from "../tools/index.js";
import { AgentLink } from "./link.js";

const ALIASES = aliasTable(ALL_TOOLS);

/**
 * The name an agent runs a tool by: one of the release before a rename knows only the old name (its
 * hello lists the tools it runs), so the hub uses that for as long as the alias lasts.
 */
export function agentToolName(tool: string, hello: Hello | undefined): string {
  if (!hello || hello.tools.includes(tool)) return tool;
  for (const [old, name] of ALIASES) if (name === tool && hello.tools.includes(old)) return old;
  return tool;
}

/** An agent's hello as seen for one of its further clusters: the agent's policy for that cluster. */
export function furtherHello(hello: Hello | undefined, sub: string): Hello | undefined {
  const e = hello?.clusters?.find((x) => x.name === sub);
  return hello && e ? { ...hello, policy: e.policy } : undefined;
}

/**
 * What an agent's cluster reads live from its agent's hello. Every such cluster shares these accessors,
 * so all have one shape: the per-call view of each (a spread) stays cheap over a fleet, where accessors
 * made per cluster gave each its own hidden class and made every spread and read of them slow.
 */
const HELLO = Symbol("hello");
type Live = { [HELLO]: () => Hello | undefined };
const LIVE = {
  namespace: {
    enumerable: true,
    configurable: true,
    get(this: Live) {
      return this[HELLO]()?.policy.namespace ?? "default";
    },
  },
  agentSupports: {
    enumerable: true,
    configurable: true,
    get(this: Live) {
      const h = this[HELLO]();
      return h ? (h.supports ?? []) : undefined;
    },
  },
  // What the agent says (an agent that does not say acts as its own account); unknown until it connects.
  identity: {
    enumerable: true,
    configurable: true,
    get(this: Live) {
      const h = this[HELLO]();
      return h ? (h.policy.identity ?? "service") : undefined;
    },
  },
} satisfies PropertyDescriptorMap & Partial<Record<keyof Cluster, PropertyDescriptor>>;

/** A value that must never be used: a hub reaches an agent's cluster only through the agent. */
function agentOnly(name: string): never {
  return new Proxy(
    {},
    {
      get() {
        throw new ToolError(
          `Cluster ${name} is reached through its agent, and this tool cannot run through the hub.`,
        );
      },
    },
  ) as never;
}

/** This hub's policy for a cluster behind an agent (the agent applies its own on top). */
export interface AgentPolicy {
  mode: Mode;
  scope: Scope;
  allow: ReadonlySet<GuardRule>;
  /** What the cluster has instead of an API client, a spec and credentials: any use throws. */
  agentOnly: never;
}

export class Agents {
  readonly links = new Map<string, AgentLink>();
  private tokens: [string, Buffer][] = [];
  private readonly perIp = new Map<string, number>();
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<WebSocket>();
  /** Called when an agent registers or drops (replicas announce what they hold). */
  onChange: () => void = () => {};
  /** Called when an agent's further clusters change (the hub rebuilds its registry). */
  onClusters: () => void = () => {};

  constructor(
    private readonly config: Readonly<Config>,
    tokens: Record<string, string>,
    private readonly log: Logger,
  ) {
    this.setTokens(tokens);
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: config.hub.maxFrameBytes,
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
  }

  /**
   * (Re)sets the cluster tokens. A new cluster gets a link; a removed one is disconnected and forgotten;
   * a cluster whose token changed is disconnected so its agent must come back with the new token.
   */
  setTokens(tokens: Record<string, string>): void {
    const before = new Map(this.tokens);
    this.tokens = Object.entries(tokens).map(([name, t]) => [name, digest(t)]);
    for (const [name, link] of this.links) {
      const now = this.tokens.find(([n]) => n === name)?.[1];
      const was = before.get(name);
      if (now && was && now.equals(was)) continue;
      if (link.ws) {
        this.log.info("agent disconnected: its token was removed or changed", { cluster: name });
        link.ws.close(CLOSE.replaced, "the hub's token for this cluster changed");
      }
      if (!now) this.links.delete(name);
    }
    for (const [name] of this.tokens)
      if (!this.links.has(name))
        this.links.set(
          name,
          new AgentLink(name, () => this.config.fanout.clusterTimeoutMs, this.log.child({ cluster: name })),
        );
  }

  /** The clusters behind agents, as the hub's tools target them (the hub's policy decides their mode). */
  clusters(): Cluster[] {
    return [...this.links.values()].flatMap((link) => [
      this.cluster(link.name, link, () => link.hello),
      ...(link.hello?.clusters ?? []).map((e) => this.further(link, e.name)),
    ]);
  }

  /**
   * A further cluster of an agent (a Cluster API workload cluster of its management cluster), named
   * `<agent cluster>:<its name>` so no agent can name a cluster outside its own prefix. Calls go over
   * the agent's link naming it; the agent's policy for it is what it reported for it.
   */
  private further(link: AgentLink, sub: string): Cluster {
    const remote: RemoteRunner = {
      call: (tool, args, ctx) => link.call(tool, args, { ...ctx, cluster: sub }),
    };
    return this.cluster(`${link.name}:${sub}`, remote, () => furtherHello(link.hello, sub));
  }

  /**
   * This hub's policy for a cluster behind an agent: fixed by the configuration, so worked out once per
   * name, not each time the registry is rebuilt (every agent that connects) or another replica routes a call.
   */
  policy(name: string): AgentPolicy {
    let p = this.policies.get(name);
    if (!p) {
      const hubMode = this.config.mode ?? "read-only";
      const policy = clusterPolicy(this.config, name);
      p = {
        mode: policy?.mode ? stricter(hubMode, policy.mode) : hubMode,
        scope: Scope.of(name, this.config, policy),
        allow: new Set(policy?.allow ?? []),
        agentOnly: agentOnly(name),
      };
      // Bounded: an agent's further clusters come and go under new names.
      if (this.policies.size >= 10_000) this.policies.clear();
      this.policies.set(name, p);
    }
    return p;
  }

  private readonly policies = new Map<string, AgentPolicy>();

  /** One cluster reached through `remote` (this hub's agent link, or another replica's over NATS). */
  cluster(name: string, remote: RemoteRunner, hello: () => Hello | undefined): Cluster {
    const p = this.policy(name);
    const c: Omit<Cluster, keyof typeof LIVE> = {
      name,
      source: "agent",
      origin: "agent",
      server: "(through its agent)",
      mode: p.mode,
      // Enforced by the agent: every call carries these layers (tools/cluster-tool.ts).
      scope: p.scope,
      revealSecrets: false,
      allow: p.allow,
      api: p.agentOnly,
      spec: p.agentOnly,
      credentials: p.agentOnly,
      remote: { call: (tool, args, ctx) => remote.call(agentToolName(tool, hello()), args, ctx) },
    };
    Object.defineProperty(c, HELLO, { value: hello });
    return Object.defineProperties(c, LIVE) as unknown as Cluster;
  }

  /** The cluster whose token this is (every token compared, no early exit), or undefined. */
  private tokenOwner(presented: string): string | undefined {
    return ownerOf(this.tokens, presented);
  }

  /** Handles an HTTP upgrade on the agent path: refuse with a status and reason, or hand over to ws. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const ip = req.socket.remoteAddress ?? "unknown";
    const claimed = String(req.headers[CLUSTER_HEADER] ?? "");
    const refuse = (status: number, reason: string, level: "warn" | "info" = "warn") => {
      this.log[level]("agent connection refused", { ip, cluster: claimed || undefined, status, reason });
      socket.end(
        `HTTP/1.1 ${status} ${STATUS[status]}\r\ncontent-type: text/plain\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(reason) + 1}\r\n\r\n${reason}\n`,
      );
    };
    const offered = String(req.headers["sec-websocket-protocol"] ?? "")
      .split(",")
      .map((p) => p.trim());
    if (!offered.includes(SUBPROTOCOL))
      return void refuse(
        426,
        `protocol version mismatch: this hub speaks ${SUBPROTOCOL}; the agent offered ${offered.filter(Boolean).join(", ") || "none"}. Run agent and hub of the same release.`,
      );
    if ((this.perIp.get(ip) ?? 0) >= this.config.hub.maxAgentConnectionsPerIp)
      return void refuse(
        429,
        `too many agent connections from ${ip} (the limit is ${this.config.hub.maxAgentConnectionsPerIp})`,
      );
    const auth = req.headers.authorization ?? "";
    const token = auth.toLowerCase().startsWith("bearer ") ? auth.slice(7).trim() : "";
    const owner = token ? this.tokenOwner(token) : undefined;
    if (!owner) return void refuse(401, "invalid agent token");
    if (owner !== claimed)
      return void refuse(
        401,
        `this token is not valid for cluster "${claimed}"; a token admits only its own cluster`,
      );
    this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
    // Counted from now; an upgrade that never completes (the socket died first) gives its place back.
    let upgraded = false;
    socket.once("close", () => {
      if (!upgraded) this.release(ip);
    });
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      upgraded = true;
      this.accept(ws, owner, ip);
    });
  }

  private accept(ws: WebSocket, name: string, ip: string): void {
    const link = this.links.get(name) as AgentLink;
    const log = this.log.child({ cluster: name, ip });
    this.sockets.add(ws);
    let hello: Hello | undefined;
    const registration = setTimeout(() => {
      log.warn("agent did not register in time; closing");
      ws.close(CLOSE.registration, "no hello before the registration deadline");
    }, this.config.hub.registrationTimeoutMs);
    let pingAt = 0;
    let lastPong = Date.now();
    const beat = this.config.hub.heartbeatMs;
    const heartbeat = setInterval(() => {
      if (Date.now() - lastPong > 2 * beat + 1000) {
        log.warn("agent stopped answering pings; dropping it");
        return ws.terminate();
      }
      pingAt = Date.now();
      ws.ping();
    }, beat);
    ws.on("pong", () => {
      lastPong = Date.now();
      if (pingAt) link.latencyMs = lastPong - pingAt;
      if (hello) link.seen();
    });
    ws.on("message", (data, isBinary) => {
      let msg: AgentMessage;
      try {
        msg = decode(AgentMessage, data, isBinary);
        if ((msg.type === "hello") === (hello !== undefined))
          throw new MalformedFrame(hello ? "a second hello" : `${msg.type} before hello`);
      } catch (err) {
        const reason = err instanceof MalformedFrame ? err.message : String(err);
        log.warn("malformed frame from agent; closing", { reason });
        return ws.close(CLOSE.malformed, reason.slice(0, 120));
      }
      if (msg.type === "hello") {
        clearTimeout(registration);
        hello = msg;
        link.attach(ws, msg, ip);
        this.onChange();
        pingAt = Date.now();
        ws.ping();
        ws.send(encode({ type: "welcome", heartbeatMs: beat, supports: [...HUB_SUPPORTS] }));
        if (msg.clusters?.length) this.onClusters();
        log.info("agent connected", {
          agentVersion: msg.agentVersion,
          versions: msg.versions,
          mode: msg.policy.mode,
        });
        return;
      }
      link.seen();
      if (msg.type === "clusters") {
        if (link.hello && link.ws === ws) link.hello = { ...link.hello, clusters: msg.clusters };
        this.onChange();
        return this.onClusters();
      }
      if (msg.type === "progress") link.onProgress(msg.id, msg.done, msg.total, msg.message);
      else link.onResult(msg.id, msg);
    });
    ws.on("error", (err) => {
      // ws reports an oversized frame (1009) or a protocol violation here, then closes the socket.
      log.warn("agent socket error", { reason: err.message });
    });
    ws.on("close", (code, reason) => {
      clearTimeout(registration);
      clearInterval(heartbeat);
      this.sockets.delete(ws);
      this.release(ip);
      link.detach(ws, `connection closed: ${code}${reason.length ? ` ${reason.toString()}` : ""}`);
      this.onChange();
      if (hello) log.info("agent disconnected", { code, reason: reason.toString() });
    });
  }

  private release(ip: string): void {
    const n = (this.perIp.get(ip) ?? 1) - 1;
    if (n > 0) this.perIp.set(ip, n);
    else this.perIp.delete(ip);
  }

  close(): void {
    for (const ws of this.sockets) ws.close(CLOSE.shutdown, "hub shutting down");
    this.wss.close();
  }
}

const STATUS: Record<number, string> = {
  401: "Unauthorized",
  426: "Upgrade Required",
  429: "Too Many Requests",
};

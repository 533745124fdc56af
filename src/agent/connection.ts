// The agent's outbound link to the hub: connect with its token, say hello (versions, policy, tools),
// serve calls through the CallRunner, and on any loss reconnect with exponential backoff and jitter.
import WebSocket from "ws";
import type { Config } from "../config/schema.js";
import {
  AGENT_SUPPORTS,
  CLOSE,
  CLUSTER_HEADER,
  type ClusterEntry,
  decode,
  encode,
  type Hello,
  HubMessage,
  MalformedFrame,
  SUBPROTOCOL,
} from "../link/protocol.js";
import type { Logger } from "../obs/log.js";
import type { Cluster } from "../targets/clusters.js";
import { version } from "../version.js";
import type { CallRunner } from "./calls.js";
import { versions } from "./versions.js";

export interface AgentSettings {
  /** Hub replicas (or one Service) to dial; on any loss the next one is tried, with the same backoff. */
  urls: string[];
  name: string;
  token: string;
  ca?: Buffer;
}

/** The outbound link: connect, hello, serve calls; on any loss, reconnect with backoff and jitter. */
export class HubConnection {
  connected = false;
  private ws: WebSocket | undefined;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private at = 0;

  constructor(
    private readonly s: AgentSettings,
    private readonly config: Readonly<Config>,
    private readonly cluster: Cluster,
    private readonly tools: string[],
    private readonly runner: CallRunner,
    private readonly log: Logger,
    /** What to report as versions; the default asks the API server and runs kubectl and helm. */
    private readonly report: () => Promise<Hello["versions"]> = () => versions(cluster),
    /** The further clusters this agent serves now (Cluster API workload clusters); none by default. */
    private readonly further: () => ClusterEntry[] = () => [],
  ) {}

  /** Whether the connected hub takes `clusters` updates (it said so in its welcome). */
  private hubSupports: readonly string[] = [];

  /** Tells the hub the further clusters changed (a hub too old to take it learns at the next hello). */
  clustersChanged(): void {
    const ws = this.ws;
    if (!ws || !this.connected || !this.hubSupports.includes("clusters")) return;
    ws.send(encode({ type: "clusters", clusters: this.further() }));
  }

  start(): void {
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.close(CLOSE.shutdown, "agent shutting down");
  }

  private retry(): void {
    if (this.stopped) return;
    this.at = (this.at + 1) % this.s.urls.length;
    const cap = this.config.agent.maxBackoffMs;
    const base = Math.min(cap, 500 * 2 ** Math.min(this.attempt, 16));
    const wait = Math.round(base / 2 + Math.random() * (base / 2));
    this.attempt++;
    this.log.info("reconnecting to the hub", { inMs: wait, attempt: this.attempt, url: this.url });
    this.timer = setTimeout(() => this.connect(), wait);
  }

  /** The hub URL this connection (or the next attempt) uses. */
  get url(): string {
    return this.s.urls[this.at] as string;
  }

  private connect(): void {
    const ws = new WebSocket(this.url, [SUBPROTOCOL], {
      headers: { authorization: `Bearer ${this.s.token}`, [CLUSTER_HEADER]: this.s.name },
      ...(this.s.ca ? { ca: this.s.ca } : {}),
      rejectUnauthorized: !this.config.agent.insecureTls,
      handshakeTimeout: 15_000,
      maxPayload: 4 * 1024 * 1024,
    });
    this.ws = ws;
    const silence = this.watchSilence(ws);
    ws.on("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (d: Buffer) => {
        body += d.toString();
      });
      res.on("end", () =>
        this.log.error("the hub refused the connection", { status: res.statusCode, reason: body.trim() }),
      );
    });
    ws.on("open", async () => {
      this.log.info("connected to the hub; registering", { url: this.url });
      ws.send(encode(await this.hello()));
      silence.reset();
    });
    ws.on("ping", silence.reset);
    ws.on("message", (data, isBinary) => this.received(ws, data, isBinary, silence));
    ws.on("error", (err) => this.log.warn("hub connection error", { err: err.message }));
    ws.on("close", (code, reason) => {
      silence.stop();
      const was = this.connected;
      this.connected = false;
      if (this.ws === ws) this.ws = undefined;
      this.runner.cancelAll("the hub connection closed");
      if (was) this.log.warn("disconnected from the hub", { code, reason: reason.toString() });
      this.retry();
    });
  }

  /** The hub pings every heartbeat; a hub silent for three is gone even if TCP has not noticed. */
  private watchSilence(ws: WebSocket): Silence {
    let timer: NodeJS.Timeout | undefined;
    let heartbeatMs = 30_000;
    const reset = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.log.warn("the hub stopped pinging; reconnecting");
        ws.terminate();
      }, 3 * heartbeatMs);
    };
    return {
      reset,
      heartbeat: (ms) => {
        heartbeatMs = ms;
      },
      stop: () => clearTimeout(timer),
    };
  }

  /** Who this agent is to the hub: versions, its cluster's policy, its tools and further clusters. */
  private async hello(): Promise<Hello> {
    const c = this.cluster;
    return {
      type: "hello",
      agentVersion: version(),
      versions: await this.report(),
      policy: {
        mode: c.mode,
        namespace: c.namespace,
        revealSecrets: c.revealSecrets,
        identity: c.identity ?? "service",
        ...(c.scope?.active ? { scope: [...c.scope.layers] } : {}),
      },
      tools: this.tools,
      supports: [...AGENT_SUPPORTS],
      ...(this.further().length ? { clusters: this.further() } : {}),
    };
  }

  /** A frame from the hub: the welcome, a cancel, or a call to run (its progress and result sent back). */
  private received(ws: WebSocket, data: WebSocket.RawData, isBinary: boolean, silence: Silence): void {
    let msg: HubMessage;
    try {
      msg = decode(HubMessage, data, isBinary);
    } catch (err) {
      const reason = err instanceof MalformedFrame ? err.message : String(err);
      this.log.warn("malformed frame from the hub; reconnecting", { reason });
      ws.close(CLOSE.malformed, reason.slice(0, 120));
      return;
    }
    if (msg.type === "welcome") {
      silence.heartbeat(msg.heartbeatMs);
      this.hubSupports = msg.supports ?? [];
      this.connected = true;
      this.attempt = 0;
      this.log.info("registered with the hub", { url: this.url });
      // Discovery may have moved on between the hello and now.
      this.clustersChanged();
      silence.reset();
      return;
    }
    if (msg.type === "cancel") {
      this.runner.cancel(msg.id);
      return;
    }
    const send = (m: Parameters<typeof encode>[0]) => {
      if (ws.readyState === ws.OPEN) ws.send(encode(m));
    };
    void this.runner
      .run(msg, (done, total, message) => send({ type: "progress", id: msg.id, done, total, message }))
      .then((r) => send({ type: "result", id: msg.id, ...r }));
  }
}

interface Silence {
  reset(): void;
  heartbeat(ms: number): void;
  stop(): void;
}

// Port-forward sessions: a loopback TCP listener whose every connection is tunnelled to a pod port over
// its own WebSocket to the API server's portforward subresource (v4.channel.k8s.io: channel 0 carries
// data, channel 1 errors; each channel's first frame is the port, uint16 little-endian).
// Sessions live in one registry per process, with limits on sessions, connections and idle time.
import { createServer, type Server, type Socket } from "node:net";
import type WebSocket from "ws";
import { ToolError } from "../errors.js";
import type { Logger } from "../obs/log.js";
import type { Connection } from "./connection.js";
import { corePath } from "./resolve.js";
import { openSubresource, whenOpen } from "./ws.js";

export interface ForwardLimits {
  maxSessions: number;
  maxConnections: number;
  /** A session without traffic for this long is stopped, open connections included. */
  idleTimeoutSeconds: number;
}

export interface SessionInfo {
  id: string;
  cluster: string;
  namespace: string;
  pod: string;
  remotePort: number;
  local: string;
  startedAt: string;
  idleSeconds: number;
  connections: number;
  totalConnections: number;
  bytesIn: number;
  bytesOut: number;
  lastError?: string;
}

interface Session {
  info: Omit<SessionInfo, "idleSeconds" | "connections">;
  lastActive: number;
  server: Server;
  sockets: Set<Socket>;
}

const PROTOCOL = "v4.channel.k8s.io";
/** Pause the local socket while this much is queued towards the API server. */
const HIGH_WATER = 1 << 20;
const HALF_OPEN_QUIET_MS = 5000;

export class PortForwards {
  private sessions = new Map<string, Session>();
  private seq = 0;
  private reaper: NodeJS.Timeout | undefined;

  constructor(private readonly log: Logger) {}

  async start(
    cluster: Connection,
    target: { namespace: string; pod: string; remotePort: number; localPort: number },
    limits: ForwardLimits,
  ): Promise<SessionInfo> {
    if (this.sessions.size >= limits.maxSessions) {
      throw new ToolError(
        `There are already ${this.sessions.size} port-forward sessions (the limit is ${limits.maxSessions}).`,
        'Stop one with action "stop" and its id (action "list" shows them).',
      );
    }
    // Checked now, so a bad name is refused by this call rather than by every later connection.
    corePath("pods", target.namespace, target.pod, "portforward");
    const id = `pf-${++this.seq}`;
    // Half-open: a client that finishes sending still receives the answer.
    const server = createServer({ allowHalfOpen: true });
    const session: Session = {
      info: {
        id,
        cluster: cluster.name,
        namespace: target.namespace,
        pod: target.pod,
        remotePort: target.remotePort,
        local: "",
        startedAt: new Date().toISOString(),
        totalConnections: 0,
        bytesIn: 0,
        bytesOut: 0,
      },
      lastActive: Date.now(),
      server,
      sockets: new Set(),
    };
    server.maxConnections = limits.maxConnections;
    server.on("connection", (socket) => this.tunnel(cluster, session, socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", (err: NodeJS.ErrnoException) =>
        reject(
          new ToolError(
            err.code === "EADDRINUSE"
              ? `Local port ${target.localPort} is already in use.`
              : `Cannot listen on 127.0.0.1:${target.localPort}: ${err.message}`,
            "Choose another localPort, or omit it to get a free one.",
          ),
        ),
      );
      server.listen({ host: "127.0.0.1", port: target.localPort }, () => resolve());
    });
    const addr = server.address();
    session.info.local = typeof addr === "object" && addr ? `127.0.0.1:${addr.port}` : "";
    this.sessions.set(id, session);
    this.ensureReaper(limits.idleTimeoutSeconds);
    this.log.info("port-forward started", {
      id,
      cluster: cluster.name,
      pod: target.pod,
      local: session.info.local,
    });
    return this.view(session);
  }

  list(): SessionInfo[] {
    return [...this.sessions.values()].map((s) => this.view(s));
  }

  /** Stops one session (or every session when `id` is "all"); returns what was stopped. */
  stop(id: string): SessionInfo[] {
    const ids = id === "all" ? [...this.sessions.keys()] : [id];
    const stopped: SessionInfo[] = [];
    for (const i of ids) {
      const s = this.sessions.get(i);
      if (!s) continue;
      stopped.push(this.view(s));
      this.close(s, "stopped");
    }
    return stopped;
  }

  stopAll(why: string): void {
    for (const s of this.sessions.values()) this.close(s, why);
    if (this.reaper) clearInterval(this.reaper);
    this.reaper = undefined;
  }

  private view(s: Session): SessionInfo {
    return {
      ...s.info,
      idleSeconds: Math.floor((Date.now() - s.lastActive) / 1000),
      connections: s.sockets.size,
    };
  }

  private close(s: Session, why: string): void {
    this.sessions.delete(s.info.id);
    s.server.close();
    for (const sock of s.sockets) sock.destroy();
    this.log.info("port-forward stopped", { id: s.info.id, why });
  }

  private ensureReaper(idleSeconds: number): void {
    if (this.reaper) return;
    const every = Math.min(10_000, idleSeconds * 250);
    this.reaper = setInterval(() => {
      const now = Date.now();
      for (const s of this.sessions.values()) {
        if (now - s.lastActive > idleSeconds * 1000) this.close(s, "idle");
      }
      if (!this.sessions.size && this.reaper) {
        clearInterval(this.reaper);
        this.reaper = undefined;
      }
    }, every).unref();
  }

  private tunnel(cluster: Connection, s: Session, socket: Socket): void {
    s.sockets.add(socket);
    s.info.totalConnections++;
    s.lastActive = Date.now();
    socket.pause();
    let ws: WebSocket | undefined;
    const fail = (msg: string) => {
      s.info.lastError = msg;
      this.log.warn("port-forward connection failed", { id: s.info.id, error: msg });
      socket.destroy();
      ws?.terminate();
    };
    socket.once("close", () => {
      s.sockets.delete(socket);
      ws?.close();
    });
    socket.on("error", () => ws?.terminate());
    const { namespace, pod, remotePort } = s.info;
    openSubresource(cluster, {
      path: corePath("pods", namespace, pod, "portforward"),
      query: [["ports", String(remotePort)]],
      protocols: [PROTOCOL],
      handshakeTimeoutMs: 15_000,
    })
      .then(async (w) => {
        ws = w;
        if (socket.destroyed) return void w.terminate();
        w.on("error", (e) => fail(e.message));
        await whenOpen(w, cluster, "port-forward");
        this.pipe(s, socket, w, fail);
      })
      .catch((e: Error) => fail(e.message));
  }

  private pipe(s: Session, socket: Socket, ws: WebSocket, fail: (m: string) => void): void {
    const seen = [false, false];
    ws.on("message", (data: Buffer) => {
      const channel = data[0] ?? -1;
      let body = data.subarray(1);
      if (channel !== 0 && channel !== 1) return;
      if (!seen[channel]) {
        // The first frame on each channel is the port number; data may follow it in the same frame.
        seen[channel] = true;
        body = body.subarray(2);
      }
      if (!body.length) return;
      s.lastActive = Date.now();
      if (channel === 1) return fail(body.toString("utf8").trim());
      s.info.bytesOut += body.length;
      if (!socket.write(body)) {
        ws.pause();
        socket.once("drain", () => ws.resume());
      }
    });
    ws.on("close", () => socket.end());
    socket.on("data", (chunk: Buffer) => {
      s.lastActive = Date.now();
      s.info.bytesIn += chunk.length;
      ws.send(Buffer.concat([Buffer.from([0]), chunk]));
      if (ws.bufferedAmount > HIGH_WATER) {
        socket.pause();
        const wait = setInterval(() => {
          if (ws.bufferedAmount <= HIGH_WATER || ws.readyState !== ws.OPEN) {
            clearInterval(wait);
            socket.resume();
          }
        }, 20);
      }
    });
    // A client that has finished sending keeps receiving until the pod has been quiet for a while.
    socket.once("end", () => {
      let last = s.lastActive;
      const watch = setInterval(() => {
        if (socket.destroyed) return clearInterval(watch);
        if (s.lastActive === last) {
          clearInterval(watch);
          socket.destroy();
          ws.close();
        }
        last = s.lastActive;
      }, HALF_OPEN_QUIET_MS).unref();
    });
    socket.resume();
  }
}

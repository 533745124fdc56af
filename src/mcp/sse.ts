// The legacy HTTP+SSE transport (protocol 2024-11-05) for clients that speak nothing newer: `GET /sse`
// opens an event stream whose first event names the session's POST endpoint (`/messages?sessionId=…`);
// each POSTed JSON-RPC message is answered with 202 and its response travels on the stream. One server
// per session, built for the caller that opened it; a POST from another caller finds no session. The
// HTTP layer in front runs the same authentication, Host and Origin checks as for /mcp.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { JSONRPCMessage, McpServer, Transport } from "@modelcontextprotocol/server";
import type { Logger } from "../obs/log.js";

const KEEPALIVE_MS = 15_000;

interface Session {
  owner: string;
  transport: Transport;
  res: ServerResponse;
}

export class SseSessions {
  readonly #sessions = new Map<string, Session>();

  constructor(
    private readonly log: Logger,
    readonly messagesPath: string,
    private readonly maxSessions = 100,
  ) {}

  /** GET /sse: opens the stream, connects a server built for this caller, names the POST endpoint. */
  async open(res: ServerResponse, owner: string, server: McpServer): Promise<void> {
    if (this.#sessions.size >= this.maxSessions) {
      res.writeHead(503, { "content-type": "text/plain", "retry-after": "5" });
      return void res.end(`Too many SSE sessions (${this.maxSessions}); use streamable HTTP (POST /mcp).\n`);
    }
    const id = randomUUID();
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
    });
    const event = (name: string, data: string) => res.write(`event: ${name}\ndata: ${data}\n\n`);
    const keepalive = setInterval(() => res.write(": keepalive\n\n"), KEEPALIVE_MS);
    keepalive.unref();
    const transport: Transport = {
      sessionId: id,
      start: async () => {},
      send: async (message: JSONRPCMessage) => {
        if (!res.writableEnded) event("message", JSON.stringify(message));
      },
      close: async () => {
        if (!res.writableEnded) res.end();
      },
    };
    this.#sessions.set(id, { owner, transport, res });
    res.on("close", () => {
      clearInterval(keepalive);
      this.#sessions.delete(id);
      transport.onclose?.();
      void server.close().catch(() => {});
    });
    await server.connect(transport);
    event("endpoint", `${this.messagesPath}?sessionId=${id}`);
    this.log.debug("sse session opened", { sessions: this.#sessions.size });
  }

  /** POST /messages?sessionId=…: hands the message(s) to the session's server; answers 202. */
  post(req: IncomingMessage, res: ServerResponse, owner: string, body: unknown): void {
    const id = new URL(req.url ?? "/", "http://localhost").searchParams.get("sessionId") ?? "";
    const session = this.#sessions.get(id);
    if (!session || session.owner !== owner) {
      res.writeHead(404, { "content-type": "text/plain" });
      return void res.end("No such SSE session: open one with GET /sse.\n");
    }
    const messages = Array.isArray(body) ? body : [body];
    if (
      !messages.every((m) => m && typeof m === "object" && (m as { jsonrpc?: unknown }).jsonrpc === "2.0")
    ) {
      res.writeHead(400, { "content-type": "text/plain" });
      return void res.end("Not a JSON-RPC 2.0 message.\n");
    }
    res.writeHead(202, { "content-type": "text/plain" }).end("Accepted\n");
    for (const m of messages) session.transport.onmessage?.(m as JSONRPCMessage);
  }

  closeAll(): void {
    for (const s of this.#sessions.values()) s.res.end();
    this.#sessions.clear();
  }
}

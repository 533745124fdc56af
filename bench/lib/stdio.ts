// A raw JSON-RPC client over a server's stdin/stdout (newline-delimited), so no client library sits in
// the measurement and every server is driven the same way. Non-JSON stdout lines are ignored.
import { type Command, type Proc, start } from "./proc.js";

export const PROTOCOL_VERSION = "2025-06-18";

export interface Reply {
  result?: unknown;
  error?: { code: number; message: string };
  /** Bytes of the whole JSON-RPC response line. */
  bytes: number;
  ms: number;
}

export interface ToolOutcome {
  /** The server answered with a result that is not an error. */
  ok: boolean;
  /** "ok", "tool error: …", "protocol error: …", "timeout after N s", "server exited". */
  status: string;
  /** Text the model would read (all text content blocks joined). */
  text: string;
  /** Bytes of that text, the cost of the answer in the model's context. */
  bytes: number;
  ms: number;
}

interface Message {
  id?: unknown;
  method?: string;
  result?: unknown;
  error?: { code: number; message: string };
}

export class StdioClient {
  readonly proc: Proc;
  private buf = "";
  private nextId = 1;
  private pending = new Map<number, (got?: { msg: Message; bytes: number }) => void>();

  constructor(cmd: Command) {
    this.proc = start(cmd);
    this.proc.child.stdout?.on("data", (d: Buffer) => this.onData(d));
    this.proc.child.stdin?.on("error", () => {});
    this.proc.child.once("exit", () => {
      for (const resolve of this.pending.values()) resolve();
      this.pending.clear();
    });
  }

  private onData(d: Buffer): void {
    this.buf += d.toString();
    for (let i = this.buf.indexOf("\n"); i >= 0; i = this.buf.indexOf("\n")) {
      const line = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 1);
      let msg: Message;
      try {
        msg = JSON.parse(line) as Message;
      } catch {
        continue;
      }
      if (msg.method !== undefined || typeof msg.id !== "number") continue;
      const resolve = this.pending.get(msg.id);
      if (resolve) {
        this.pending.delete(msg.id);
        resolve({ msg, bytes: Buffer.byteLength(line) });
      }
    }
  }

  notify(method: string, params?: object): void {
    this.proc.child.stdin?.write(`${JSON.stringify({ jsonrpc: "2.0", method, params })}\n`);
  }

  request(method: string, params: object, timeoutMs = 60_000): Promise<Reply> {
    const id = this.nextId++;
    const t0 = performance.now();
    return new Promise((resolve) => {
      if (this.proc.exited())
        return resolve({ error: { code: -2, message: "server exited" }, bytes: 0, ms: 0 });
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({
          error: { code: -1, message: `timeout after ${timeoutMs / 1000} s` },
          bytes: 0,
          ms: timeoutMs,
        });
      }, timeoutMs);
      this.pending.set(id, (got) => {
        clearTimeout(timer);
        const ms = performance.now() - t0;
        if (!got) return resolve({ error: { code: -2, message: "server exited" }, bytes: 0, ms });
        resolve({ result: got.msg.result, error: got.msg.error, bytes: got.bytes, ms });
      });
      this.proc.child.stdin?.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
    });
  }

  async initialize(timeoutMs = 60_000): Promise<Reply> {
    const r = await this.request(
      "initialize",
      {
        protocolVersion: PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: "kube-mcp-bench", version: "0" },
      },
      timeoutMs,
    );
    if (!r.error) this.notify("notifications/initialized");
    return r;
  }

  async callTool(name: string, args: object, timeoutMs = 60_000): Promise<ToolOutcome> {
    const r = await this.request("tools/call", { name, arguments: args }, timeoutMs);
    return toolOutcome(r);
  }

  close(): Promise<void> {
    return this.proc.stop();
  }
}

export function toolOutcome(r: Reply): ToolOutcome {
  if (r.error) {
    const local = r.error.code === -1 || r.error.code === -2;
    const status = local ? r.error.message : `protocol error: ${r.error.message}`.slice(0, 300);
    return { ok: false, status, text: "", bytes: 0, ms: r.ms };
  }
  const res = r.result as { content?: { type: string; text?: string }[]; isError?: boolean };
  const text = (res.content ?? []).map((b) => b.text ?? "").join("\n");
  const bytes = Buffer.byteLength(text);
  if (res.isError) return { ok: false, status: `tool error: ${text.slice(0, 120)}`, text, bytes, ms: r.ms };
  return { ok: true, status: "ok", text, bytes, ms: r.ms };
}

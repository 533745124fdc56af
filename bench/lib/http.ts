// Streamable-HTTP servers and clients. The clients are the MCP SDK's own, because each server speaks
// a different flavour (sessions or stateless, JSON or SSE replies) and a real client copes with all.
import { setTimeout as sleep } from "node:timers/promises";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { type Proc, start } from "./proc.js";
import type { Call, HttpSpec } from "./servers.js";
import type { ToolOutcome } from "./stdio.js";

export { freePort } from "../../testbed/lib/ports.js";

/** Starts the server and waits until its endpoint answers HTTP at all (any status). */
export async function startHttp(spec: HttpSpec, timeoutMs = 30_000): Promise<Proc> {
  const proc = start(spec, "ignore");
  proc.child.stdout?.resume();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exited()) throw new Error(`exited during start-up: ${proc.stderr().slice(-300)}`);
    try {
      await fetch(spec.url, { method: "GET", signal: AbortSignal.timeout(1_000) });
      return proc;
    } catch {
      await sleep(50);
    }
  }
  await proc.stop();
  throw new Error(`no answer on ${spec.url} after ${timeoutMs / 1000} s`);
}

export interface HttpSession {
  call(c: Call, timeoutMs?: number): Promise<ToolOutcome>;
  close(): Promise<void>;
}

export async function httpSession(spec: HttpSpec): Promise<HttpSession> {
  const client = new Client({ name: "kube-mcp-bench", version: "0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(spec.url), { requestInit: { headers: spec.headers } }),
  );
  return {
    async call(c, timeoutMs = 60_000) {
      const t0 = performance.now();
      try {
        const r = await client.callTool({ name: c.name, arguments: c.arguments }, { timeout: timeoutMs });
        const ms = performance.now() - t0;
        const text = (r.content as { type: string; text?: string }[]).map((b) => b.text ?? "").join("\n");
        const bytes = Buffer.byteLength(text);
        return r.isError
          ? { ok: false, status: `tool error: ${text.slice(0, 120)}`, text, bytes, ms }
          : { ok: true, status: "ok", text, bytes, ms };
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        return {
          ok: false,
          status: `error: ${msg.slice(0, 140)}`,
          text: "",
          bytes: 0,
          ms: performance.now() - t0,
        };
      }
    },
    close: () => client.close(),
  };
}

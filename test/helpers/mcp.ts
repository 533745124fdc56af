// Drives `kube-mcp serve` the way an assistant does: a real MCP client over stdio or streamable HTTP.
import type { ChildProcess } from "node:child_process";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { CLI, spawnRole } from "./proc.js";

export { CLI } from "./proc.js";
export type Era = "legacy" | "modern";

/** What a test's client answers to an elicitation: the action and, when accepting, the form content. */
export type Elicit = (message: string) => {
  action: "accept" | "decline" | "cancel";
  content?: Record<string, string | number | boolean>;
};

function client(era: Era, elicit?: Elicit): Client {
  const c = new Client(
    { name: "kube-mcp-tests", version: "0" },
    {
      ...(era === "modern" ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {}),
      ...(elicit ? { capabilities: { elicitation: { form: {} } } } : {}),
    },
  );
  if (elicit)
    c.setRequestHandler("elicitation/create", async (req) =>
      elicit((req.params as { message: string }).message),
    );
  return c;
}

export interface Session {
  client: Client;
  close(): Promise<void>;
}

export async function stdioSession(
  opts: { era?: Era; args?: string[]; env?: Record<string, string>; elicit?: Elicit } = {},
): Promise<Session> {
  const c = client(opts.era ?? "legacy", opts.elicit);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, "serve", "--log-level", "warn", ...(opts.args ?? [])],
    env: { ...(process.env as Record<string, string>), ...opts.env },
    stderr: "pipe",
  });
  await c.connect(transport);
  return { client: c, close: () => c.close() };
}

export interface HttpServer {
  url: string;
  proc: ChildProcess;
  stderr: () => string;
  stop(): Promise<number | null>;
}

/** Starts `serve --http 127.0.0.1:0` and resolves once its log line names the URL. */
export async function startHttpServer(
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<HttpServer> {
  const p = spawnRole("serve", ["--http", "127.0.0.1:0", ...args], env);
  const url = /"url":"(http:[^"]+)"/.exec(await p.waitFor(/"url":"http:[^"]+"/))?.[1] as string;
  return { url, proc: p.proc, stderr: p.log, stop: () => p.stop() };
}

export async function httpSession(
  url: string,
  opts: { era?: Era; headers?: Record<string, string>; elicit?: Elicit } = {},
): Promise<Session> {
  const c = client(opts.era ?? "legacy", opts.elicit);
  await c.connect(
    new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: opts.headers ?? {} } }),
  );
  return { client: c, close: () => c.close() };
}

export interface CallOutcome {
  text: string;
  structured: unknown;
  isError: boolean;
}

export async function call(
  c: Client,
  name: string,
  args: Record<string, unknown> = {},
  onprogress?: (p: { progress: number; total?: number; message?: string }) => void,
): Promise<CallOutcome> {
  const r = await c.callTool({ name, arguments: args }, onprogress ? { onprogress } : undefined);
  const text = (r.content as { type: string; text?: string }[]).map((b) => b.text ?? "").join("\n");
  return { text, structured: r.structuredContent, isError: r.isError === true };
}

// Drives `kube-mcp serve` the way an assistant does: a real MCP client over stdio or streamable HTTP.
import type { ChildProcess } from "node:child_process";
import type { OAuthClientProvider, Transport } from "@modelcontextprotocol/client";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { CLI, SUITE_ENV, spawnRole } from "./proc.js";

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

export type Progress = { progress: number; total?: number; message?: string };

/**
 * Progress listeners per client, fed straight from the transport. The SDK client hands a notification
 * to its handler a microtask later but drops the request's progress handler as soon as the response is
 * read, so a notification that arrives in the same chunk as the result is lost to `onprogress`. Tests
 * assert what the server sent, so they listen below that race.
 */
const progressTaps = new WeakMap<Client, Map<string, (p: Progress) => void>>();
let tokens = 0;

function tapProgress(c: Client, transport: Transport): void {
  const taps = new Map<string, (p: Progress) => void>();
  progressTaps.set(c, taps);
  const inner = transport.onmessage;
  transport.onmessage = (message, extra) => {
    if ("method" in message && message.method === "notifications/progress") {
      const { progressToken, ...p } = message.params as Progress & { progressToken: string | number };
      const tap = taps.get(String(progressToken));
      if (tap) return tap(p);
    }
    inner?.(message, extra);
  };
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
    env: { ...(process.env as Record<string, string>), ...SUITE_ENV, ...opts.env },
    stderr: "pipe",
  });
  await c.connect(transport);
  tapProgress(c, transport);
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
  opts: {
    era?: Era;
    headers?: Record<string, string>;
    elicit?: Elicit;
    authProvider?: OAuthClientProvider;
  } = {},
): Promise<Session> {
  const c = client(opts.era ?? "legacy", opts.elicit);
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: opts.headers ?? {} },
    ...(opts.authProvider ? { authProvider: opts.authProvider } : {}),
  });
  await c.connect(transport);
  tapProgress(c, transport);
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
  onprogress?: (p: Progress) => void,
): Promise<CallOutcome> {
  const taps = progressTaps.get(c);
  const token = `test-${++tokens}`;
  if (onprogress && !taps) throw new Error("progress needs a session from stdioSession or httpSession");
  if (onprogress) taps?.set(token, onprogress);
  const r = await c
    .callTool({ name, arguments: args, ...(onprogress ? { _meta: { progressToken: token } } : {}) })
    .finally(() => taps?.delete(token));
  const text = (r.content as { type: string; text?: string }[])
    .filter((b) => b.type === "text")
    .map((b) => b.text ?? "")
    .join("\n");
  return { text, structured: r.structuredContent, isError: r.isError === true };
}

/** Tool annotations with the protocol's defaults filled in (kube-mcp leaves out hints equal to them). */
export function hints(a: object | undefined): Record<string, boolean> {
  return { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true, ...a };
}

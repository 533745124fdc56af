// For the HTTP layer's in-process tests: a request as the guards and steps see it (http-guards.ts,
// http-auth.ts), and what was answered on it. No socket, so each step is tested on its own.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { exchange } from "./http-guards.js";

/** `sent.status` stays 0 while nothing has been answered. */
export function fakeRequest(
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
) {
  const req = Object.assign(Readable.from(init.body === undefined ? [] : [Buffer.from(init.body)]), {
    url: path,
    method: init.method ?? "GET",
    headers: init.headers ?? {},
  }) as unknown as IncomingMessage;
  const sent = { status: 0, headers: {} as Record<string, string>, body: "" };
  const res = {
    headersSent: false,
    writeHead(status: number, headers: Record<string, string> = {}) {
      sent.status = status;
      Object.assign(sent.headers, headers);
      return res;
    },
    end(body?: unknown) {
      sent.body = String(body ?? "");
      return res;
    },
  } as unknown as ServerResponse;
  const error = () => (JSON.parse(sent.body) as { error: { code: number; message: string } }).error;
  return { x: exchange(req, res), sent, error };
}

import type { McpServer, ServerContext } from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { ConfigSchema } from "../config/schema.js";
import { ToolError } from "../errors.js";
import type { AuditRecord } from "../obs/audit.js";
import type { Logger } from "../obs/log.js";
import type { AnyTool } from "../tools/define.js";
import { type CallDeps, callTool } from "./call.js";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

function setup(handle: AnyTool["handle"], progressToken?: string) {
  const audits: AuditRecord[] = [];
  const notes: unknown[] = [];
  const deps = {
    config: ConfigSchema.parse({}),
    log: quiet,
    audit: (r: AuditRecord) => void audits.push(r),
  } as unknown as CallDeps;
  const tool = {
    name: "pods_get",
    title: "Get pod",
    description: "",
    input: z.object({}),
    safety: "read",
    handle,
  } as unknown as AnyTool;
  const ctx = {
    mcpReq: {
      id: 1,
      signal: new AbortController().signal,
      _meta: progressToken ? { progressToken } : {},
      notify: async (n: unknown) => {
        await new Promise((r) => setTimeout(r, 5));
        notes.push(n);
      },
    },
  } as unknown as ServerContext;
  const call = (structured = false) =>
    callTool({} as McpServer, deps, tool, structured)({ cluster: "prod", name: "web-0" }, ctx);
  return { call, audits, notes };
}

describe("callTool", () => {
  it("returns the answer after the backstop, audits it as ok, and adds structured content on request", async () => {
    const { call, audits } = setup(async () => ({ text: "token: abc", data: { rows: 1 } }));
    expect(await call(true)).toEqual({
      content: [{ type: "text", text: expect.any(String) }],
      structuredContent: { rows: 1 },
    });
    expect(audits).toMatchObject([
      { tool: "pods_get", cluster: "prod", outcome: "ok", caller: { kind: "stdio" } },
    ]);
    expect(audits[0]?.error).toBeUndefined();
  });

  it("turns a refusal into an error result with its hint, audited with the same text", async () => {
    const { call, audits } = setup(async () => {
      throw new ToolError("Failed to get pod web-0: not found.", "Pods in shop: web-1.");
    });
    const text = "Failed to get pod web-0: not found.\nPods in shop: web-1.";
    expect(await call(true)).toEqual({ content: [{ type: "text", text }], isError: true });
    expect(audits).toMatchObject([{ outcome: "error", error: text }]);
  });

  it("answers a crash with a short internal error and keeps the details out of the result", async () => {
    const { call, audits } = setup(async () => {
      throw new TypeError("secret detail");
    });
    const r = await call();
    expect(r).toMatchObject({ isError: true });
    expect(JSON.stringify(r)).toContain("Internal error in pods_get");
    expect(JSON.stringify(r)).not.toContain("secret detail");
    expect(audits).toMatchObject([{ outcome: "error", error: "internal error" }]);
  });

  it("sends progress that moves forward only, and flushes it before the result", async () => {
    const { call, notes } = setup(async (_args, env) => {
      env.progress(1, 3, "one");
      env.progress(1, 3, "again");
      env.progress(2, 3, "two");
      return { text: "done", data: null };
    }, "tok");
    await call();
    expect(notes).toMatchObject([{ params: { progress: 1, message: "one" } }, { params: { progress: 2 } }]);
  });
});

// One tool call, as named steps in the order they happen: confirm (destructive calls, by elicitation) →
// progress (notifications flushed before the result) → run (the handler, cancellable; a refusal or a
// crash becomes an error answer) → audit (span, metrics and audit line get what the model gets) →
// result (the CallToolResult). Each call runs inside its own server span.
import type { McpServer, ServerContext } from "@modelcontextprotocol/server";
import type { Config } from "../config/schema.js";
import { ToolError } from "../errors.js";
import type { PortForwards } from "../kube/portforward.js";
import type { Audit, AuditRecord } from "../obs/audit.js";
import type { Logger } from "../obs/log.js";
import type { Metrics } from "../obs/metrics.js";
import { carrierFrom, type SpanHandle, type TraceCarrier, tracer } from "../obs/tracing.js";
import type { Caller } from "../policy/identity.js";
import type { Listing } from "../policy/toolsets.js";
import type { Clusters } from "../targets/clusters.js";
import type { AnyTool } from "../tools/define.js";
import { backstop, edgeText } from "./backstop.js";
import { confirmation } from "./confirm.js";
import type { Inflight } from "./inflight.js";
import { objectLink } from "./resources.js";

/** What every call of one server shares (a subset of ServerDeps). */
export interface CallDeps {
  config: Readonly<Config>;
  clusters: Clusters;
  log: Logger;
  forwards: PortForwards;
  audit?: Audit | undefined;
  metrics?: Metrics | undefined;
  caller?: Caller | undefined;
  listing?: Listing | undefined;
  inflight?: { registry: Inflight; caller: string } | undefined;
  /** Objects are resources on this server: an answer about one object links to its resource. */
  links?: boolean | undefined;
}

type Args = Record<string, unknown>;

/** How a call ended, before it is a result: the text the model gets (after the backstop). */
interface Ended {
  text: string;
  isError: boolean;
  /** An answer's structured data; unset for a refusal or a crash. */
  data?: { value: unknown };
  /** What the audit line records as the error. */
  error?: string;
}

/** The clusters a call names (names only: never another argument). */
function clusterNames(args: unknown): string[] | undefined {
  const c = (args as { cluster?: unknown } | undefined)?.cluster;
  const names = (Array.isArray(c) ? c : [c]).filter((n): n is string => typeof n === "string");
  return names.length ? names.slice(0, 50) : undefined;
}

/** A client's trace context: `_meta.traceparent` on the request, else the HTTP `traceparent` header. */
function parentOf(ctx: ServerContext): { parent?: TraceCarrier } {
  const meta = ctx.mcpReq._meta;
  const headers = ctx.http?.req?.headers;
  const parent =
    carrierFrom(meta?.traceparent, meta?.tracestate) ??
    carrierFrom(headers?.get("traceparent"), headers?.get("tracestate"));
  return parent ? { parent } : {};
}

/** The registered tool callback: the steps below, in a server span. */
export function callTool(server: McpServer, deps: CallDeps, tool: AnyTool, structured: boolean) {
  return (args: unknown, ctx: ServerContext) =>
    tracer().span(
      `tools/call ${tool.name}`,
      {
        "mcp.method.name": "tools/call",
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": tool.name,
        "kube_mcp.cluster": clusterNames(args),
      },
      async (span) => {
        const audit = auditing(deps, tool, args as Args, ctx, span);
        const decision = deps.config.confirmDestructive
          ? confirmation(server, ctx, tool, args as Args)
          : "go";
        if (decision !== "go") {
          if ("ask" in decision) return decision.ask;
          audit("declined");
          return result({ text: decision.declined, isError: true }, structured);
        }
        const progress = reporting(ctx);
        const ended = await run(deps, tool, args, ctx, progress.report);
        await progress.flushed();
        audit(ended.isError ? "error" : "ok", ended.error);
        const link =
          deps.links && !ended.isError
            ? objectLink(tool.name, args as Args, deps.clusters.default)
            : undefined;
        return result(ended, structured, link);
      },
      { kind: "server", ...parentOf(ctx) },
    );
}

/**
 * Records the call's outcome on its span (never the error text: it can quote what the call was given),
 * in the metrics and in the audit trail; timed from the call's start.
 */
function auditing(deps: CallDeps, tool: AnyTool, args: Args, ctx: ServerContext, span: SpanHandle) {
  const t0 = Date.now();
  return (outcome: AuditRecord["outcome"], error?: string) => {
    span.set({ "kube_mcp.outcome": outcome });
    if (outcome !== "ok") span.fail(outcome);
    deps.metrics?.call(tool.name, outcome, Date.now() - t0);
    deps.audit?.({
      caller: deps.caller ?? (ctx.http ? "anonymous" : { kind: "stdio", groups: [] }),
      tool: tool.name,
      cluster: (args as { cluster?: string | string[] }).cluster,
      args,
      outcome,
      ms: Date.now() - t0,
      ...(error ? { error } : {}),
    });
  };
}

/** Progress notifications for a client that asked (a progress token), never going backwards. */
function reporting(ctx: ServerContext) {
  const token = ctx.mcpReq._meta?.progressToken;
  let last = 0;
  // Notifications are flushed before the result, so a client never sees the answer overtake them.
  const sent: Promise<unknown>[] = [];
  return {
    report(done: number, total: number, message: string) {
      if (token === undefined || done <= last) return;
      last = done;
      sent.push(
        ctx.mcpReq
          .notify({
            method: "notifications/progress",
            params: { progressToken: token, progress: done, total, message: edgeText(message) },
          })
          .catch(() => {}),
      );
    },
    flushed: () => Promise.all(sent),
  };
}

/**
 * Runs the handler, cancelled by the client's cancel on this request or, over HTTP, on another server
 * (deps.inflight). The audit trail gets what the model gets: after the backstop, never before it.
 */
async function run(
  deps: CallDeps,
  tool: AnyTool,
  args: unknown,
  ctx: ServerContext,
  progress: (done: number, total: number, message: string) => void,
): Promise<Ended> {
  const started = Date.now();
  const tracked = deps.inflight?.registry.track(deps.inflight.caller, ctx.mcpReq.id);
  const signal = tracked ? AbortSignal.any([ctx.mcpReq.signal, tracked.signal]) : ctx.mcpReq.signal;
  try {
    const answer = await tool.handle(args, {
      config: deps.config,
      clusters: deps.clusters,
      forwards: deps.forwards,
      signal,
      progress,
      log: deps.log.child({ tool: tool.name }),
      ...(deps.listing ? { session: deps.listing } : {}),
    });
    deps.log.debug("tool call", {
      tool: tool.name,
      ms: Date.now() - started,
      isError: answer.isError === true,
    });
    const safe = backstop(answer);
    const isError = answer.isError === true;
    return {
      text: safe.text,
      isError,
      data: { value: safe.data },
      ...(isError ? { error: safe.text.slice(0, 300) } : {}),
    };
  } catch (err) {
    if (err instanceof ToolError) {
      deps.log.debug("tool refused", { tool: tool.name, ms: Date.now() - started, error: err.message });
      const text = backstop({
        text: err.hint ? `${err.message}\n${err.hint}` : err.message,
        data: null,
      }).text;
      return { text, isError: true, error: text };
    }
    deps.log.error("tool crashed", { tool: tool.name, err });
    return {
      text: `Internal error in ${tool.name}; the server logged the details and keeps serving. Try again or use another tool.`,
      isError: true,
      error: "internal error",
    };
  } finally {
    tracked?.done();
  }
}

/**
 * Structured content only for an answer, and only when the operator asks for it (ServerDeps); a link to
 * the resource the answer is about, where there is one.
 */
function result(ended: Ended, structured: boolean, link?: ReturnType<typeof objectLink>) {
  return {
    content: [{ type: "text" as const, text: ended.text }, ...(link ? [link] : [])],
    ...(structured && ended.data ? { structuredContent: ended.data.value as Record<string, unknown> } : {}),
    ...(ended.isError ? { isError: true } : {}),
  };
}

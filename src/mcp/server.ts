// The only place that imports the MCP SDK's server: turns our Tool objects into registered tools, derives
// annotations from the safety class, and converts answers and errors into CallToolResults.
import { McpServer } from "@modelcontextprotocol/server";
import type { Config } from "../config/schema.js";
import { ToolError } from "../errors.js";
import type { PortForwards } from "../kube/portforward.js";
import type { Audit, AuditRecord } from "../obs/audit.js";
import type { Logger } from "../obs/log.js";
import type { Metrics } from "../obs/metrics.js";
import { carrierFrom, type TraceCarrier, tracer } from "../obs/tracing.js";
import type { Caller } from "../policy/identity.js";
import type { Safety } from "../policy/modes.js";
import type { Listing } from "../policy/toolsets.js";
import type { Clusters } from "../targets/clusters.js";
import type { AnyTool } from "../tools/define.js";
import type { PromptDef } from "../tools/prompts.js";
import { toolsetsTool } from "../tools/toolsets-tool.js";
import { backstop, edgeText } from "./backstop.js";
import { confirmation } from "./confirm.js";
import type { Inflight } from "./inflight.js";
import { compactListing, refuseHidden, resolveAliases } from "./listing.js";
import { registerResources } from "./resources.js";
import { enableSubscriptions } from "./subscriptions.js";

export interface ServerDeps {
  name: string;
  version: string;
  instructions: string;
  tools: AnyTool[];
  prompts: PromptDef[];
  config: Readonly<Config>;
  clusters: Clusters;
  log: Logger;
  forwards: PortForwards;
  /** Tools this server's mode hides, each with the refusal a client gets if it calls it anyway. */
  hidden: ReadonlyMap<string, string>;
  /** Where one line per tool call goes (hub and agent); unset: no audit trail. */
  audit?: Audit;
  metrics?: Metrics;
  /** Who this server answers (one server per request over HTTP); named in every audit line. */
  caller?: Caller;
  /** The session's listing (toolsets enabled so far); unset: every tool is listed. */
  listing?: Listing<AnyTool>;
  /** Listings built so far in this process, shared by its per-request servers (src/mcp/listing.ts). */
  listingCache?: Map<string, unknown>;
  /** A session that lives long enough to be told of changes (stdio, legacy SSE): resource subscriptions. */
  subscriptions?: boolean;
  /** Over HTTP: running calls, so a cancel that reaches another (stateless) server finds its call. */
  inflight?: { registry: Inflight; caller: string };
}

/**
 * MCP tool annotations from the safety class. Hints equal to the protocol's defaults (readOnlyHint false,
 * destructiveHint true, idempotentHint false) are left out; destructiveHint false is stated for read
 * tools too (clients that ignore readOnlyHint would otherwise ask before every read), and openWorldHint
 * defaults to true, so it is always stated.
 */
export function annotationsFor(safety: Safety, _title: string, idempotent = safety === "read") {
  return {
    ...(safety === "read" ? { readOnlyHint: true } : {}),
    ...(safety !== "destructive" ? { destructiveHint: false } : {}),
    ...(idempotent ? { idempotentHint: true } : {}),
    openWorldHint: false,
  };
}

/** The clusters a call names (names only: never another argument). */
function clusterNames(args: unknown): string[] | undefined {
  const c = (args as { cluster?: unknown } | undefined)?.cluster;
  const names = (Array.isArray(c) ? c : [c]).filter((n): n is string => typeof n === "string");
  return names.length ? names.slice(0, 50) : undefined;
}

/** A client's trace context: `_meta.traceparent` on the request, else the HTTP `traceparent` header. */
function parentOf(ctx: {
  mcpReq: { _meta?: Record<string, unknown> };
  http?: { req?: { headers: { get(name: string): string | null } } };
}): { parent?: TraceCarrier } {
  const meta = ctx.mcpReq._meta;
  const headers = ctx.http?.req?.headers;
  const parent =
    carrierFrom(meta?.traceparent, meta?.tracestate) ??
    carrierFrom(headers?.get("traceparent"), headers?.get("tracestate"));
  return parent ? { parent } : {};
}

function errorResult(text: string) {
  return { content: [{ type: "text" as const, text }], isError: true };
}

export function buildServer(deps: ServerDeps): McpServer {
  const server = new McpServer(
    { name: deps.name, version: deps.version },
    {
      instructions: deps.instructions,
      // list_changed only where the list really changes: a toolset enabled, a binary installed.
      capabilities: { tools: { listChanged: deps.listing?.changes ?? false } },
      cacheHints: {
        "tools/list": { ttlMs: 60_000, cacheScope: "private" },
        "prompts/list": { ttlMs: 60_000, cacheScope: "private" },
      },
    },
  );
  const listing = deps.listing;
  const offered = listing?.offered();
  const tools = offered?.size ? [...deps.tools, toolsetsTool(offered)] : deps.tools;
  const byName = new Map(tools.map((t) => [t.name, t]));
  // Output schemas and structuredContent only when the operator asks: most clients give the model the
  // text, and the schemas would cost the context window on every turn (README, Tools, has the numbers).
  const structured = deps.config.structuredOutput;
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        ...(structured ? { outputSchema: tool.output } : {}),
        annotations: annotationsFor(tool.safety, tool.title, tool.idempotent),
      },
      async (args: unknown, ctx) =>
        tracer().span(
          `tools/call ${tool.name}`,
          {
            "mcp.method.name": "tools/call",
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": tool.name,
            "kube_mcp.cluster": clusterNames(args),
          },
          async (span) => {
            const t0 = Date.now();
            const audit = (outcome: AuditRecord["outcome"], error?: string) => {
              // The outcome, never the error text: it can quote what the call was given.
              span.set({ "kube_mcp.outcome": outcome });
              if (outcome !== "ok") span.fail(outcome);
              deps.metrics?.call(tool.name, outcome, Date.now() - t0);
              deps.audit?.({
                caller: deps.caller ?? (ctx.http ? "anonymous" : { kind: "stdio", groups: [] }),
                tool: tool.name,
                cluster: (args as { cluster?: string | string[] }).cluster,
                args: args as Record<string, unknown>,
                outcome,
                ms: Date.now() - t0,
                ...(error ? { error } : {}),
              });
            };
            const decision = deps.config.confirmDestructive
              ? confirmation(server, ctx, tool, args as Record<string, unknown>)
              : "go";
            if (decision !== "go") {
              if ("ask" in decision) return decision.ask;
              audit("declined");
              return errorResult(decision.declined);
            }
            const token = ctx.mcpReq._meta?.progressToken;
            let last = 0;
            // Notifications are flushed before the result, so a client never sees the answer overtake them.
            const sent: Promise<unknown>[] = [];
            const progress = (done: number, total: number, message: string) => {
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
            };
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
                ...(listing ? { session: listing } : {}),
              });
              await Promise.all(sent);
              deps.log.debug("tool call", {
                tool: tool.name,
                ms: Date.now() - started,
                isError: answer.isError === true,
              });
              // The audit trail gets what the model gets: after the backstop, never before it.
              const safe = backstop(answer);
              audit(answer.isError ? "error" : "ok", answer.isError ? safe.text.slice(0, 300) : undefined);
              return {
                content: [{ type: "text" as const, text: safe.text }],
                ...(structured ? { structuredContent: safe.data as Record<string, unknown> } : {}),
                ...(answer.isError ? { isError: true } : {}),
              };
            } catch (err) {
              if (err instanceof ToolError) {
                deps.log.debug("tool refused", {
                  tool: tool.name,
                  ms: Date.now() - started,
                  error: err.message,
                });
                const text = backstop({
                  text: err.hint ? `${err.message}\n${err.hint}` : err.message,
                  data: null,
                }).text;
                audit("error", text);
                return errorResult(text);
              }
              deps.log.error("tool crashed", { tool: tool.name, err });
              audit("error", "internal error");
              return errorResult(
                `Internal error in ${tool.name}; the server logged the details and keeps serving. Try again or use another tool.`,
              );
            } finally {
              tracked?.done();
            }
          },
          { kind: "server", ...parentOf(ctx) },
        ),
    );
  }
  refuseHidden(server, (name) => {
    const tool = byName.get(name);
    return (
      deps.hidden.get(name) ??
      listing?.selection.refusals.get(name) ??
      (tool ? listing?.refusal(tool) : undefined)
    );
  });
  if (listing) resolveAliases(server, listing.selection.aliases);
  const isListed = (name: string) => {
    const tool = byName.get(name);
    return !!tool && (!listing || tool.name === "toolsets" || listing.listed(tool));
  };
  compactListing(
    server,
    isListed,
    deps.listingCache && {
      cache: deps.listingCache,
      key: () =>
        JSON.stringify([
          structured,
          tools.filter((t) => isListed(t.name)).map((t) => [t.name, t.description, t.safety]),
        ]),
    },
  );
  const resources = registerResources(server, tools, {
    config: deps.config,
    clusters: deps.clusters,
    forwards: deps.forwards,
    progress: () => {},
    log: deps.log.child({ component: "resources" }),
  });
  if (resources && deps.subscriptions) enableSubscriptions(server, deps.clusters, deps.log);
  for (const p of deps.prompts) {
    server.registerPrompt(
      p.name,
      { title: p.title, description: p.description, argsSchema: p.args },
      async (args: unknown) => ({
        messages: [
          {
            role: "user" as const,
            content: { type: "text" as const, text: p.render(args as Record<string, string | undefined>) },
          },
        ],
      }),
    );
  }
  return server;
}

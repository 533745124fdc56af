// The only place that imports the MCP SDK's server: turns our Tool objects into registered tools, derives
// annotations from the safety class, and registers resources and prompts; each tool call runs the steps
// in call.ts, which turn answers and errors into CallToolResults.
import { McpServer } from "@modelcontextprotocol/server";
import type { Config } from "../config/schema.js";
import type { PortForwards } from "../kube/portforward.js";
import type { Audit } from "../obs/audit.js";
import type { Logger } from "../obs/log.js";
import type { Metrics } from "../obs/metrics.js";
import type { Caller } from "../policy/identity.js";
import type { Safety } from "../policy/modes.js";
import type { Listing } from "../policy/toolsets.js";
import type { Clusters } from "../targets/clusters.js";
import type { AnyTool } from "../tools/define.js";
import type { PromptDef } from "../tools/prompts.js";
import { toolsetsTool } from "../tools/toolsets-tool.js";
import { callTool } from "./call.js";
import type { Inflight } from "./inflight.js";
import { compactListing, refuseHidden, resolveAliases } from "./listing.js";
import { offersResources, registerResources } from "./resources.js";
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
  const offered = deps.listing?.offered();
  const tools = offered?.size ? [...deps.tools, toolsetsTool(offered)] : deps.tools;
  registerTools(server, deps, tools);
  const resources = registerResources(server, tools, {
    config: deps.config,
    clusters: deps.clusters,
    forwards: deps.forwards,
    progress: () => {},
    log: deps.log.child({ component: "resources" }),
  });
  if (resources && deps.subscriptions) enableSubscriptions(server, deps.clusters, deps.log);
  registerPrompts(server, deps.prompts);
  return server;
}

/**
 * Every tool, each call dispatched to callTool (call.ts); a hidden or unlisted tool's call is answered
 * with its refusal, and tools/list shows the listed ones only (listing.ts).
 */
function registerTools(server: McpServer, deps: ServerDeps, tools: AnyTool[]): void {
  const listing = deps.listing;
  const byName = new Map(tools.map((t) => [t.name, t]));
  // Output schemas and structuredContent only when the operator asks: most clients give the model the
  // text, and the schemas would cost the context window on every turn (README, Tools, has the numbers).
  const structured = deps.config.structuredOutput;
  const calls = { ...deps, links: offersResources(tools) };
  for (const tool of tools)
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        ...(structured ? { outputSchema: tool.output } : {}),
        annotations: annotationsFor(tool.safety, tool.title, tool.idempotent),
      },
      callTool(server, calls, tool, structured),
    );
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
}

function registerPrompts(server: McpServer, prompts: PromptDef[]): void {
  for (const p of prompts) {
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
}

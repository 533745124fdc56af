// Confirmation of destructive calls by elicitation, where the client can answer it. The mode stays the
// real gate: a client that cannot ask (no elicitation capability, stateless legacy HTTP) is not blocked.
import {
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  type InputRequiredResult,
  inputRequired,
  inputResponse,
  type McpServer,
  type ServerContext,
} from "@modelcontextprotocol/server";
import * as z from "zod";
import type { AnyTool } from "../tools/define.js";

const Confirm = z.object({ confirm: z.boolean().describe("Allow this action") });
const KEY = "confirm";

/** Whether this request's client declared form elicitation (per request on 2026 clients, at initialize before). */
function canElicit(server: McpServer, ctx: ServerContext): boolean {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  const caps = (envelope?.[CLIENT_CAPABILITIES_META_KEY] ?? server.server.getClientCapabilities()) as
    | ClientCapabilities
    | undefined;
  return caps?.elicitation !== undefined;
}

function describeCall(tool: AnyTool, args: Record<string, unknown>): string {
  const { cluster, ...rest } = args;
  const where = cluster === undefined ? "the default cluster" : `cluster ${JSON.stringify(cluster)}`;
  let shown = Object.entries(rest)
    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(", ");
  if (shown.length > 600) shown = `${shown.slice(0, 600)}…`;
  return `Allow ${tool.name} (${tool.title.toLowerCase()}) on ${where}?\n${shown}`;
}

export type Confirmation = { ask: InputRequiredResult } | { declined: string } | "go";

export function confirmation(
  server: McpServer,
  ctx: ServerContext,
  tool: AnyTool,
  args: Record<string, unknown>,
): Confirmation {
  if (tool.safety !== "destructive" || args.dryRun === true) return "go";
  const message = tool.confirm ? tool.confirm(args) : describeCall(tool, args);
  if (message === false || !canElicit(server, ctx)) return "go";
  const answer = inputResponse(ctx.mcpReq.inputResponses, KEY);
  if (answer.kind === "missing")
    return {
      ask: inputRequired({
        inputRequests: { [KEY]: inputRequired.elicit({ message, requestedSchema: Confirm }) },
      }),
    };
  const parsed =
    answer.kind === "elicit" && answer.action === "accept" ? Confirm.safeParse(answer.content) : undefined;
  if (parsed?.success && parsed.data.confirm) return "go";
  return {
    declined: `The user did not allow ${tool.name}; nothing was changed. Ask the user what they want instead.`,
  };
}

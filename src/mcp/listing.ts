// Two adjustments to the SDK's own tools/list and tools/call handlers, kept in this one place because they
// reach past the SDK's public surface (its stored request handlers):
// - a tool the mode hides is refused with the reason, not the SDK's bare "Tool X not found";
// - a renamed tool's old name calls it;
// - tools/list is compacted for the model's context window: only the tools the session lists, no
//   `$schema` URLs, no `additionalProperties: false`, no string-length and list-size bounds, patterns or
//   formats, no annotation title repeating the tool's title. The arguments are still validated against
//   the full schemas when a tool is called.
import type { McpServer } from "@modelcontextprotocol/server";

type Handler = (request: { params?: Record<string, unknown> }, ctx: unknown) => Promise<unknown>;

function wrap(
  server: McpServer,
  method: "tools/list" | "tools/call",
  around: (inner: Handler) => Handler,
): void {
  const low = server.server as unknown as {
    _getRequestHandler(method: string): Handler | undefined;
    setRequestHandler(method: string, handler: Handler): void;
  };
  const inner = low._getRequestHandler(method);
  if (inner) low.setRequestHandler(method, around(inner));
}

/** `refusal` names why a tool cannot be called here (mode, operator's lists, toolset not enabled). */
export function refuseHidden(server: McpServer, refusalOf: (name: string) => string | undefined): void {
  wrap(server, "tools/call", (inner) => async (request, ctx) => {
    const refusal = refusalOf(String(request.params?.name));
    return refusal ? { content: [{ type: "text", text: refusal }], isError: true } : inner(request, ctx);
  });
}

/**
 * A renamed tool's old name (Selection.aliases) is called as its current name: wrapped outermost, so the
 * mode's refusals, the operator's lists and the SDK's own lookup see the one name the tool is listed by.
 */
export function resolveAliases(server: McpServer, aliases: ReadonlyMap<string, string>): void {
  if (!aliases.size) return;
  wrap(server, "tools/call", (inner) => async (request, ctx) => {
    const current = aliases.get(String(request.params?.name));
    return inner(current ? { ...request, params: { ...request.params, name: current } } : request, ctx);
  });
}

// A pattern or format is checked when the tool is called, and its refusal says what was wrong; listed,
// it costs the context window on every turn (an RFC 3339 pattern alone is 400 bytes).
const DROP = new Set(["$schema", "minLength", "maxLength", "maxItems", "minItems", "pattern", "format"]);

/** A JSON Schema without what only a validator needs. */
export function compactSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(compactSchema);
  if (!schema || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (DROP.has(k) || (k === "additionalProperties" && v === false)) continue;
    if (k === "maximum" && v === Number.MAX_SAFE_INTEGER) continue;
    // "properties" maps names to schemas: recurse into each, never drop a property named like a keyword.
    out[k] =
      k === "properties" && v && typeof v === "object"
        ? Object.fromEntries(Object.entries(v).map(([name, s]) => [name, compactSchema(s)]))
        : compactSchema(v);
  }
  return out;
}

/** `listed`: whether this session lists a registered tool now (toolsets, installed binaries). */
/**
 * `memo`: listings already built in this process, by what decides their content (the tools listed, the
 * mode, the toolsets tool's description). Over HTTP every request has a server of its own, which would
 * otherwise convert every tool's schema again for each tools/list.
 */
export function compactListing(
  server: McpServer,
  listed: (name: string) => boolean,
  memo?: { cache: Map<string, unknown>; key: () => string },
): void {
  wrap(server, "tools/list", (inner) => async (request, ctx) => {
    const key = memo && !request.params?.cursor ? memo.key() : undefined;
    const hit = key === undefined ? undefined : memo?.cache.get(key);
    if (hit) return { ...(hit as object) };
    const result = (await inner(request, ctx)) as { tools?: Record<string, unknown>[] };
    if (!Array.isArray(result.tools)) return result;
    const compact = {
      ...result,
      tools: result.tools
        .filter((t) => listed(String(t.name)))
        .map((t) => {
          const { title: _dup, ...annotations } = (t.annotations ?? {}) as Record<string, unknown>;
          return {
            ...t,
            inputSchema: compactSchema(t.inputSchema),
            ...(t.outputSchema ? { outputSchema: compactSchema(t.outputSchema) } : {}),
            annotations,
          };
        }),
    };
    if (key !== undefined && memo) {
      if (memo.cache.size >= 64) memo.cache.delete(memo.cache.keys().next().value as string);
      memo.cache.set(key, compact);
    }
    return { ...compact };
  });
}

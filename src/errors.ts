// The one error the MCP seam turns into a tool result (src/mcp/server.ts). A leaf: it imports nothing,
// so every layer can throw it and nothing translates it on the way up.
/**
 * An expected failure the model can act on (unknown kind, not found, forbidden…). Thrown anywhere below
 * a handler; turned into an `isError` result in exactly one place (src/mcp/server.ts).
 */
export class ToolError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

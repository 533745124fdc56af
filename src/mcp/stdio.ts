// stdio transport: stdout carries only protocol; anything a dependency prints with console.log is
// redirected to stderr so it cannot corrupt the stream.
import type { McpServer } from "@modelcontextprotocol/server";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import type { Logger } from "../obs/log.js";

/** `onListChanged` subscribes to changes of the session's tool list, which the server then notifies. */
export function startStdio(
  factory: (cap?: undefined, caller?: undefined, session?: { longLived?: boolean }) => McpServer,
  log: Logger,
  onListChanged?: (notify: () => void) => void,
): { close(): Promise<void> } {
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;
  let server: McpServer | undefined;
  onListChanged?.(() => void server?.sendToolListChanged());
  const handle = serveStdio(() => (server = factory(undefined, undefined, { longLived: true })), {
    onerror: (err) => log.warn("stdio transport error", { err }),
  });
  return handle;
}

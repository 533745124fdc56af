// Where a role's HTTP servers listen (the MCP endpoint, the agent's health checks), and the one error a
// role's start-up turns into a log line and exit code 1 rather than a stack.
export class StartupError extends Error {}

/** `[host:]port`, IPv6 hosts in brackets; the host defaults to loopback. */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen) ?? /^()()(\d+)$/.exec(listen);
  const port = Number(m?.[3]);
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new StartupError(`--http expects [host:]port, e.g. 8080 or 0.0.0.0:8080; got "${listen}"`);
  }
  return { host: m[1] || m[2] || "127.0.0.1", port };
}

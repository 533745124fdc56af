// What the hub scenarios share: kube-mcp roles as processes, waiting on a condition, a tool call's
// shape, and retrying a connection to a process that is still starting.
import { setTimeout as sleep } from "node:timers/promises";
import { type Proc, start } from "./proc.js";

/** `kube-mcp ROLE` from a build's cli.js, logging warnings only. */
export function role(cli: string, name: string, args: string[], env: Record<string, string>): Proc {
  return start(
    {
      cmd: process.execPath,
      args: [cli, name, "--log-level", "warn", ...args],
      env: { ...(process.env as Record<string, string>), ...env },
    },
    "ignore",
  );
}

export async function until(what: string, ok: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await ok().catch(() => false)) return;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export const call = (name: string, args: Record<string, unknown>) => ({ name, arguments: args });

/** Retries `f` every 250 ms (a process still starting refuses connections). */
export async function retry<T>(f: () => Promise<T>, tries = 40): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await f();
    } catch (err) {
      if (i >= tries) throw err;
      await sleep(250);
    }
  }
}

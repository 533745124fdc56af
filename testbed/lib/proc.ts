// Detached child processes that outlive `testbed:up`, tracked by pid so `testbed:down` can stop them.
import { spawn } from "node:child_process";
import { openSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

export interface Started {
  name: string;
  pid: number;
  log: string;
}

/** Starts `bin args…` in its own process group with output to `log`; returns once it has a pid. */
export function startDetached(name: string, bin: string, args: string[], log: string, cwd: string): Started {
  const out = openSync(log, "a");
  const child = spawn(bin, args, { cwd, detached: true, stdio: ["ignore", out, out] });
  if (child.pid === undefined) throw new Error(`could not start ${name} (${bin})`);
  child.unref();
  return { name, pid: child.pid, log };
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** SIGTERM each process group, wait up to `graceMs`, then SIGKILL whatever is left. */
export async function stopAll(pids: number[], graceMs = 10_000): Promise<void> {
  const signal = (pid: number, sig: NodeJS.Signals) => {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, sig);
      } catch {
        // already gone
      }
    }
  };
  for (const pid of pids) signal(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (pids.some(alive) && Date.now() < deadline) await sleep(100);
  for (const pid of pids.filter(alive)) signal(pid, "SIGKILL");
  const hard = Date.now() + 5_000;
  while (pids.some(alive) && Date.now() < hard) await sleep(50);
}

/**
 * Polls `check` until it returns true; throws a message naming `what` after `timeoutMs`. `fatal` is
 * consulted first on every round: an error from it (e.g. a component died) ends the wait at once.
 */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  intervalMs = 250,
  fatal: () => Error | undefined = () => undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    const dead = fatal();
    if (dead) throw dead;
    try {
      if (await check()) return;
    } catch (err) {
      lastErr = err;
    }
    await sleep(intervalMs);
  }
  const why = lastErr instanceof Error ? `: ${lastErr.message}` : "";
  throw new Error(`timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}${why}`);
}

// How a role ends: on SIGINT, SIGTERM or any other trigger it registers, it logs why, runs its cleanup
// once, and the role's run() resolves with exit code 0.
import type { Logger } from "./log.js";

export function untilShutdown(
  log: Logger,
  cleanup: () => void | Promise<void>,
): { done: Promise<number>; shutdown: (why: string) => Promise<void> } {
  let resolve: (code: number) => void = () => {};
  const done = new Promise<number>((r) => {
    resolve = r;
  });
  let started = false;
  const shutdown = async (why: string) => {
    if (started) return;
    started = true;
    log.info("shutting down", { why });
    await Promise.resolve(cleanup()).catch((err: unknown) => log.warn("error while closing", { err }));
    resolve(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  return { done, shutdown };
}

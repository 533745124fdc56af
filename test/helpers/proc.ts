// Runs kube-mcp's roles as real processes for the tests, and watches their stderr (JSON log lines) for
// what a test waits on.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

export const CLI = join(import.meta.dirname, "..", "..", "dist", "cli.js");

/**
 * What the suite's servers run with unless a test says otherwise: every toolset listed (tests call
 * tools by name; the listing's defaults are tested in serve.protocol.test.ts) and structuredContent
 * beside the text, which tests read their facts from.
 */
export const SUITE_ENV: Record<string, string> = {
  KUBE_MCP_TOOLSETS: "all",
  KUBE_MCP_STRUCTURED_OUTPUT: "true",
};

export interface Proc {
  proc: ChildProcess;
  /** Everything written to stderr so far. */
  log: () => string;
  /** Resolves when stderr matches `re` (checked on every write), rejects after `ms`. */
  waitFor(re: RegExp, ms?: number): Promise<string>;
  /** Signals the process (SIGTERM by default) and resolves with its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function spawnRole(
  role: "serve" | "hub" | "agent",
  args: string[],
  env: Record<string, string>,
): Proc {
  const proc = spawn(process.execPath, [CLI, role, "--log-level", "info", ...args], {
    env: { ...process.env, ...SUITE_ENV, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  const waiters = new Set<() => void>();
  proc.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
    for (const w of waiters) w();
  });
  proc.on("exit", () => {
    for (const w of waiters) w();
  });
  return {
    proc,
    log: () => err,
    waitFor(re, ms = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(err);
          if (m) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(m[0]);
          } else if (proc.exitCode !== null) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`${role} exited ${proc.exitCode} before ${re}:\n${err}`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${re} from ${role}:\n${err.slice(-3000)}`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    stop(signal = "SIGTERM") {
      return new Promise((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve(proc.exitCode);
        proc.once("exit", (code) => resolve(code));
        proc.kill(signal);
      });
    },
  };
}

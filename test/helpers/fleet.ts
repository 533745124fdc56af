// Starts real `kube-mcp hub` and `kube-mcp agent` processes on loopback for the fleet tests, and
// watches their stderr (JSON log lines) for what a test waits on.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { CLI } from "./mcp.js";

export interface Proc {
  proc: ChildProcess;
  /** Everything written to stderr so far. */
  log: () => string;
  /** Resolves when stderr matches `re` (checked on every write), rejects after `ms`. */
  waitFor(re: RegExp, ms?: number): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnRole(role: "hub" | "agent", args: string[], env: Record<string, string>): Proc {
  const proc = spawn(process.execPath, [CLI, role, "--log-level", "info", ...args], {
    env: { ...process.env, ...env },
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
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once("exit", () => resolve());
        proc.kill(signal);
      });
    },
  };
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export const TOKENS = {
  alpha: "alpha-token-0123456789abcdef",
  beta: "beta-token-0123456789abcdef",
  gamma: "gamma-token-0123456789abcdef",
};

/** Starts an agent for `name` serving kubeconfig context `context`, and waits until it is registered. */
export async function startAgent(
  name: keyof typeof TOKENS,
  context: string,
  o: { hubPort: number; kubeconfig: string; bin: string; args?: string[] },
): Promise<Proc> {
  const agent = spawnRole("agent", ["--health", "127.0.0.1:0", ...(o.args ?? [])], {
    KUBECONFIG: o.kubeconfig,
    K8S_CONTEXT: context,
    CENTRAL_SERVER_URL: `ws://127.0.0.1:${o.hubPort}/agent`,
    CLUSTER_NAME: name,
    AGENT_TOKEN: TOKENS[name],
    PATH: `${o.bin}:${process.env.PATH ?? ""}`,
  });
  await agent.waitFor(/registered with the hub/);
  return agent;
}

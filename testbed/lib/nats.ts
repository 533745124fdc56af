// nats-server for the hub-replica tests: built (or found cached) by build-nats.sh, started on a free
// loopback port, stopped by its pid. Never part of the shared bed: each test file runs its own.
import { execFile, spawn } from "node:child_process";
import { connect } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { freePort } from "./ports.js";
import { waitFor } from "./proc.js";

const script = join(dirname(fileURLToPath(import.meta.url)), "..", "build-nats.sh");

/** Runs build-nats.sh (a no-op when cached) and returns the nats-server path it prints last. */
export async function ensureNats(): Promise<string> {
  const { stdout } = await promisify(execFile)(script, [], { maxBuffer: 16 * 1024 * 1024 }).catch((err) => {
    throw new Error(`nats-server could not be built:\n${(err as { stderr?: string }).stderr ?? err}`);
  });
  const bin = stdout.trim().split("\n").pop();
  if (!bin) throw new Error("build-nats.sh printed no path");
  return bin;
}

export interface Nats {
  url: string;
  pid: number;
  log: () => string;
  stop(): Promise<void>;
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => resolve(!!s.end()));
    s.once("error", () => resolve(false));
  });

/** Starts nats-server on 127.0.0.1 and `port` (default: a free one); resolves once it accepts connections. */
export async function startNats(o: { bin?: string; port?: number; config?: string } = {}): Promise<Nats> {
  const path = o.bin ?? (await ensureNats());
  const port = o.port ?? (await freePort());
  const args = ["-a", "127.0.0.1", "-p", String(port), ...(o.config ? ["-c", o.config] : [])];
  const proc = spawn(path, args, {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let out = "";
  proc.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  await waitFor(
    `nats-server on port ${port}`,
    () => accepts(port),
    10_000,
    100,
    () => (proc.exitCode !== null ? new Error(`nats-server exited ${proc.exitCode}:\n${out}`) : undefined),
  );
  return {
    url: `nats://127.0.0.1:${port}`,
    pid: proc.pid as number,
    log: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once("exit", () => resolve());
        proc.kill("SIGTERM");
      }),
  };
}

// An in-memory OCI registry for the Helm OCI tests: built (or found cached) by build-registry.sh,
// started on a free loopback port, stopped by its pid. Never part of the shared bed: each test file
// runs its own, and what it holds is gone when it stops.
import { execFile, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { waitFor } from "./proc.js";

const script = join(dirname(fileURLToPath(import.meta.url)), "..", "build-registry.sh");

/** Runs build-registry.sh (a no-op when cached) and returns the registry path it prints last. */
export async function ensureRegistry(): Promise<string> {
  const { stdout } = await promisify(execFile)(script, [], { maxBuffer: 16 * 1024 * 1024 }).catch((err) => {
    throw new Error(`the OCI registry could not be built:\n${(err as { stderr?: string }).stderr ?? err}`);
  });
  const bin = stdout.trim().split("\n").pop();
  if (!bin) throw new Error("build-registry.sh printed no path");
  return bin;
}

export interface OciRegistry {
  /** host:port, e.g. 127.0.0.1:40989 */
  host: string;
  stop(): Promise<void>;
}

/** Starts the registry on a free port of localhost; resolves once it says where it serves. */
export async function startRegistry(): Promise<OciRegistry> {
  const proc = spawn(await ensureRegistry(), ["-port", "0"], { stdio: ["ignore", "ignore", "pipe"] });
  let out = "";
  proc.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  let port = "";
  await waitFor(
    "the OCI registry",
    async () => {
      port = /serving on port (\d+)/.exec(out)?.[1] ?? "";
      return port !== "";
    },
    10_000,
    50,
    () =>
      proc.exitCode !== null ? new Error(`the OCI registry exited ${proc.exitCode}:\n${out}`) : undefined,
  );
  return {
    host: `127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once("exit", () => resolve());
        proc.kill("SIGTERM");
      }),
  };
}

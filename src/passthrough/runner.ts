// Runs a validated CLI: the real binary by absolute path, an argv array and never a shell, stdin closed,
// a scrubbed environment (no editor, plugin, config or proxy overrides; PATH finds nothing), a deadline
// and cancellation that kill the whole process group, and byte caps on stdout and stderr.
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import { ToolError } from "../errors.js";

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  timedOut: boolean;
  cancelled: boolean;
}

export class NotInstalled extends ToolError {}

/** The absolute path of `binary` on the server's PATH (resolved by kube-mcp, never by the child). */
export function findBinary(binary: string, path = process.env.PATH ?? ""): string {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  throw new NotInstalled(`${binary} is not installed on the kube-mcp host (not found on PATH).`);
}

/** Whether `binary` is on PATH, looked up at most every 10 s (for tools listed only while it is there). */
export function installedCheck(binary: string): () => boolean {
  let at = 0;
  let found = false;
  return () => {
    if (Date.now() - at > 10_000) {
      at = Date.now();
      try {
        findBinary(binary);
        found = true;
      } catch {
        found = false;
      }
    }
    return found;
  };
}

/** A minimal environment: everything a CLI could be redirected or extended through is absent. */
export function scrubbedEnv(home: string, kubeconfig: string): NodeJS.ProcessEnv {
  const empty = join(home, "empty-path");
  mkdirSync(empty, { recursive: true });
  return {
    PATH: empty,
    HOME: home,
    TMPDIR: home,
    KUBECONFIG: kubeconfig,
    KUBERC: "off",
    KUBECTL_KUBERC: "false",
    KUBE_EDITOR: "/bin/false",
    EDITOR: "/bin/false",
    VISUAL: "/bin/false",
    HELM_NO_PLUGINS: "1",
    HELM_CACHE_HOME: join(home, "helm-cache"),
    HELM_CONFIG_HOME: join(home, "helm-config"),
    HELM_DATA_HOME: join(home, "helm-data"),
    LANG: "C.UTF-8",
    NO_COLOR: "1",
  };
}

export interface RunOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  timeoutMs: number;
  maxBytes: number;
  signal: AbortSignal;
  /** Stopped with SIGTERM first, and killed this long after (helm records a cancelled release as failed). */
  graceMs?: number;
}

const STDERR_BYTES = 64 * 1024;

/** A byte-capped buffer of one output stream: what is past the cap is counted, not kept. */
function capped(max: number) {
  const chunks: Buffer[] = [];
  let bytes = 0;
  return {
    add(d: Buffer) {
      if (bytes < max) chunks.push(d.subarray(0, max - bytes));
      bytes += d.length;
    },
    get cut() {
      return bytes > max;
    },
    text: () => Buffer.concat(chunks).toString("utf8"),
  };
}

/**
 * Stops a detached child's whole process group: at once, or with SIGTERM first and SIGKILL after the
 * grace period. Killing the group also reaps what the child left running when it exits.
 */
function stopper(child: ChildProcess, graceMs: number | undefined) {
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, sig);
    } catch {
      // already gone
    }
  };
  let grace: NodeJS.Timeout | undefined;
  const kill = () => signalGroup("SIGKILL");
  return {
    kill,
    stop() {
      if (!graceMs) return kill();
      signalGroup("SIGTERM");
      grace ??= setTimeout(kill, graceMs);
    },
    done: () => clearTimeout(grace),
  };
}

export function runProcess(bin: string, argv: string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, argv, {
      env: opts.env,
      cwd: opts.cwd,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
      shell: false,
    });
    const out = capped(opts.maxBytes);
    const err = capped(STDERR_BYTES);
    const group = stopper(child, opts.graceMs);
    let timedOut = false;
    let cancelled = false;
    child.stdout.on("data", out.add);
    child.stderr.on("data", err.add);
    const timer = setTimeout(() => {
      timedOut = true;
      group.stop();
    }, opts.timeoutMs);
    const onAbort = () => {
      cancelled = true;
      group.stop();
    };
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener("abort", onAbort, { once: true });
    const settle = () => {
      clearTimeout(timer);
      group.done();
      opts.signal.removeEventListener("abort", onAbort);
    };
    child.once("error", (e) => {
      settle();
      reject(e);
    });
    child.once("close", (code) => {
      settle();
      group.kill();
      resolve({ code, stdout: out.text(), stderr: err.text(), truncated: out.cut, timedOut, cancelled });
    });
  });
}

/** At most `n` CLI processes at once; the rest wait their turn (or give up when cancelled). */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly n: number) {}

  async run<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    while (this.active >= this.n) {
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          signal.removeEventListener("abort", gone);
          resolve();
        };
        const gone = () => {
          this.waiting.splice(this.waiting.indexOf(wake), 1);
          reject(signal.reason);
        };
        this.waiting.push(wake);
        signal.addEventListener("abort", gone, { once: true });
      });
    }
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

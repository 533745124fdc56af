// The processes a soak runs and the faults it does to them. Every process is spawned here and tracked:
// one that exits without the soak having killed it is a crash; each is sampled for memory and open
// file descriptors; everything left is SIGKILLed when the soak ends, however it ends.
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type BedState, readState, stateDir } from "../../testbed/lib/bed.js";
import { httpsGet } from "../../testbed/lib/kube.js";
import { startDetached } from "../../testbed/lib/proc.js";
import { treeRssMB } from "../lib/proc.js";

export interface Crash {
  name: string;
  at: number;
  code: number | null;
  signal: string | null;
  stderr: string;
}

export interface Sample {
  t: number;
  name: string;
  /** The process's own resident memory. */
  rssMB: number;
  /** With its children (an agent's kubectl and helm runs). */
  treeMB: number;
  /** The V8 heap left after its latest full (mark-compact) collection: live memory, unlike RSS. */
  heapMB?: number;
  fds: number;
}

const everything = new Set<ChildProcess>();
process.once("exit", () => {
  for (const c of everything) c.kill("SIGKILL");
});

/** One long-lived kube-mcp process (a hub replica or an agent), restartable with the same command. */
export class Role {
  child!: ChildProcess;
  private expected = false;
  private tail = "";
  /** How many times it has been started. */
  generation = 0;
  /** From --trace-gc on stdout: the heap after the latest mark-compact. */
  heapAfterFullGcMB: number | undefined;

  constructor(
    readonly name: string,
    private readonly argv: string[],
    private readonly env: Record<string, string>,
    private readonly crashes: Crash[],
  ) {}

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): this {
    this.expected = false;
    this.generation++;
    // --trace-gc prints each collection on stdout (no role writes there over HTTP), e.g.
    // "Mark-Compact 150.2 (180.1) -> 120.3 (181.2) MB": the heap after it is what stays alive.
    const child = spawn(process.execPath, ["--trace-gc", ...this.argv], {
      env: { ...(process.env as Record<string, string>), ...this.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.heapAfterFullGcMB = undefined;
    let partial = "";
    child.stdout?.on("data", (d: Buffer) => {
      const lines = (partial + d.toString()).split("\n");
      partial = lines.pop() ?? "";
      for (const l of lines) {
        const m = /Mark-Compact[^>]*-> ([\d.]+) \(/.exec(l);
        if (m) this.heapAfterFullGcMB = Number(m[1]);
      }
    });
    everything.add(child);
    this.tail = "";
    child.stderr?.on("data", (d: Buffer) => {
      this.tail = (this.tail + d.toString()).slice(-8192);
    });
    child.once("exit", (code, signal) => {
      everything.delete(child);
      if (!this.expected)
        this.crashes.push({ name: this.name, at: Date.now(), code, signal, stderr: this.tail.slice(-2000) });
    });
    this.child = child;
    return this;
  }

  /** Resolves when stderr shows `re`; rejects on exit or after `ms`. */
  async waitFor(re: RegExp, ms = 60_000): Promise<void> {
    const end = Date.now() + ms;
    while (!re.test(this.tail)) {
      if (!this.running) throw new Error(`${this.name} exited: ${this.tail.slice(-1500)}`);
      if (Date.now() > end)
        throw new Error(`${this.name}: no ${re} after ${ms / 1000} s: ${this.tail.slice(-1500)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The soak's own kill: not a crash. */
  kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    this.expected = true;
    return new Promise((resolve) => {
      if (!this.running) return resolve();
      this.child.once("exit", () => resolve());
      this.child.kill(signal);
    });
  }

  signal(signal: "SIGSTOP" | "SIGCONT"): void {
    if (this.running) this.child.kill(signal);
  }

  stderr(): string {
    return this.tail;
  }
}

function ownRssMB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

function fds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** Samples memory (the process tree's RSS: an agent's kubectl children count) and open descriptors. */
export function sampler(roles: () => Role[], everyMs: number, out: Sample[]): () => void {
  const timer = setInterval(() => {
    const t = Date.now();
    for (const r of roles())
      if (r.running)
        out.push({
          t,
          name: r.name,
          rssMB: ownRssMB(r.pid),
          treeMB: treeRssMB(r.pid),
          fds: fds(r.pid),
          ...(r.heapAfterFullGcMB === undefined ? {} : { heapMB: r.heapAfterFullGcMB }),
        });
  }, everyMs);
  return () => clearInterval(timer);
}

/**
 * A kube-apiserver of the soak's own bed: killed and started again with the command line, working
 * directory and log it had, its new pid written to the bed's state so `down` still stops it.
 */
export class ApiServer {
  constructor(readonly cluster: string) {}

  private find(): { state: BedState; pid: number; server: string; pki: BedState["clusters"][number]["pki"] } {
    const state = readState();
    const c = state?.clusters.find((x) => x.name === this.cluster);
    const p = c?.procs.find((x) => x.name === "kube-apiserver");
    if (!state || !c || !p) throw new Error(`no kube-apiserver for ${this.cluster} in ${stateDir()}`);
    return { state, pid: p.pid, server: c.server, pki: c.pki };
  }

  signal(sig: "SIGSTOP" | "SIGCONT"): void {
    process.kill(this.find().pid, sig);
  }

  /** SIGKILLs it and returns what restarts it. */
  kill(): () => Promise<void> {
    const { pid } = this.find();
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    process.kill(pid, "SIGKILL");
    return async () => {
      for (let i = 0; i < 50; i++) {
        try {
          process.kill(pid, 0);
          await new Promise((r) => setTimeout(r, 100));
        } catch {
          break;
        }
      }
      const { state } = this.find();
      const c = state.clusters.find((x) => x.name === this.cluster);
      const p = c?.procs.find((x) => x.name === "kube-apiserver");
      if (!c || !p) return;
      const started = startDetached("kube-apiserver", argv[0] as string, argv.slice(1), p.log, cwd);
      p.pid = started.pid;
      writeFileSync(join(stateDir(), "state.json"), JSON.stringify(state, null, 2));
    };
  }

  async ready(): Promise<boolean> {
    const { server, pki } = this.find();
    return httpsGet(`${server}/readyz`, pki)
      .then((r) => r.status === 200)
      .catch(() => false);
  }
}

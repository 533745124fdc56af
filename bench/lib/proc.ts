// Server processes, their memory and CPU time, read from /proc. Memory is the whole process tree (a server
// that shells out to kubectl pays for those children too), sampled often while a call runs.
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

export interface Command {
  cmd: string;
  args: string[];
  env: Record<string, string>;
}

export interface Proc {
  child: ChildProcess;
  pid: number;
  /** The last few KB of stderr, to explain a failure. */
  stderr(): string;
  exited(): boolean;
  stop(): Promise<void>;
}

/** Servers still running, so an interrupted bench leaves none behind (see `process.on("exit")`). */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export function start(c: Command, stdin: "pipe" | "ignore" = "pipe"): Proc {
  const child = spawn(c.cmd, c.args, { env: c.env, stdio: [stdin, "pipe", "pipe"] });
  running.add(child);
  let err = "";
  child.stderr?.on("data", (d: Buffer) => {
    err = (err + d.toString()).slice(-4096);
  });
  if (stdin === "ignore") child.stdout?.resume();
  child.on("error", (e) => {
    err += `\nspawn failed: ${e.message}`;
  });
  let exited = false;
  child.once("exit", () => {
    exited = true;
    running.delete(child);
  });
  return {
    child,
    pid: child.pid ?? -1,
    stderr: () => err,
    exited: () => exited,
    stop: () =>
      new Promise((resolve) => {
        if (exited) return resolve();
        const kill = setTimeout(() => child.kill("SIGKILL"), 3_000);
        child.once("exit", () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

function statusKB(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return Number(m?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function children(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((t) =>
      readFileSync(`/proc/${pid}/task/${t}/children`, "utf8").split(" ").filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/** Resident memory of a process and all its descendants, in MB. */
export function treeRssMB(pid: number): number {
  let kB = 0;
  const todo = [pid];
  for (let p = todo.pop(); p !== undefined; p = todo.pop()) {
    kB += statusKB(p, "VmRSS");
    todo.push(...children(p));
  }
  return kB / 1024;
}

/** Polls the tree's RSS every `everyMs` until stopped; the peak includes the process's own VmHWM. */
export function peakMemory(pid: number, everyMs = 20): { stop(): number } {
  let peak = treeRssMB(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, treeRssMB(pid));
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, treeRssMB(pid), statusKB(pid, "VmHWM") / 1024);
    },
  };
}

/** CPU time (user + system) a process and its live descendants have used so far, in ms (10 ms steps). */
export function treeCpuMs(pid: number): number {
  let ticks = 0;
  const todo = [pid];
  for (let p = todo.pop(); p !== undefined; p = todo.pop()) {
    try {
      // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(f[11]) + Number(f[12]);
    } catch {}
    todo.push(...children(p));
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

// Cold start of a stdio server to its first tools/list answer, resident memory once idle, and the size
// of tools/list (what every conversation pays up front) in the default and the read-only configuration.
import { setTimeout as sleep } from "node:timers/promises";
import { treeCpuMs, treeRssMB } from "../lib/proc.js";
import type { Section } from "../lib/report.js";
import type { Server, Target } from "../lib/servers.js";
import { mb, median, ms, ratio } from "../lib/stats.js";
import { StdioClient } from "../lib/stdio.js";

export interface ColdStart {
  ok: boolean;
  status: string;
  ms: number;
  /** CPU time the server used up to its tools/list answer: on a shared machine, steadier than `ms`. */
  cpuMs: number;
  rssMB: number;
  tools: number;
  /** Bytes of the whole tools/list JSON-RPC response. */
  bytes: number;
}

export async function coldStart(server: Server, t: Target, idleMs: number): Promise<ColdStart> {
  const t0 = performance.now();
  const client = new StdioClient(server.stdio(t));
  try {
    const init = await client.initialize(30_000);
    const list = init.error ? init : await client.request("tools/list", {}, 30_000);
    const elapsed = performance.now() - t0;
    const cpuMs = treeCpuMs(client.proc.pid);
    if (list.error) {
      const why = `${list.error.message} ${client.proc.stderr().slice(-200)}`.trim();
      return { ok: false, status: why, ms: elapsed, cpuMs, rssMB: Number.NaN, tools: 0, bytes: 0 };
    }
    await sleep(idleMs);
    const tools = (list.result as { tools: unknown[] }).tools.length;
    return {
      ok: true,
      status: "ok",
      ms: elapsed,
      cpuMs,
      rssMB: treeRssMB(client.proc.pid),
      tools,
      bytes: list.bytes,
    };
  } finally {
    await client.close();
  }
}

export interface StartupResult {
  server: string;
  /** Version, runtime and how it was started (src/bin.ts's code cache for kube-mcp). */
  setup: string;
  samples: ColdStart[];
  readOnly?: ColdStart;
  medianMs: number;
  medianCpuMs: number;
  medianRssMB: number;
}

export async function startup(
  servers: Server[],
  opts: { kubeconfig: string; reps: number; idleMs?: number; readOnly?: boolean },
): Promise<StartupResult[]> {
  const idle = opts.idleMs ?? 2_000;
  const samples = new Map<string, ColdStart[]>(servers.map((s) => [s.name, []]));
  // Round-robin, so a burst of load on the shared machine hits every server alike.
  for (let i = 0; i < opts.reps; i++) {
    for (const s of servers) {
      samples.get(s.name)?.push(await coldStart(s, { kubeconfig: opts.kubeconfig, readOnly: false }, idle));
    }
  }
  const results: StartupResult[] = [];
  for (const s of servers) {
    const all = samples.get(s.name) ?? [];
    const good = all.filter((x) => x.ok);
    const readOnly =
      opts.readOnly === false
        ? undefined
        : await coldStart(s, { kubeconfig: opts.kubeconfig, readOnly: true }, 0);
    results.push({
      server: s.name,
      setup: s.setup(),
      samples: all,
      ...(readOnly ? { readOnly } : {}),
      medianMs: median(good.map((x) => x.ms)),
      medianCpuMs: median(good.map((x) => x.cpuMs)),
      medianRssMB: median(good.map((x) => x.rssMB)),
    });
  }
  return results;
}

export function startupSections(results: StartupResult[]): Section[] {
  const base = results.find((r) => r.server === "kube-mcp");
  // Start-up is measured against the Go server, the quickest to start; kube-mcp alone is its own base.
  const yardstick = results.find((r) => r.server === "kubernetes-mcp-server") ?? base;
  const failures = (r: StartupResult) => r.samples.filter((x) => !x.ok);
  const start: Section = {
    title: "Cold start (stdio) and idle memory",
    note:
      "Spawn → initialize → tools/list answered, and the CPU time (user + system) the server used until then; " +
      "then 2 s idle and the resident memory of the process tree. " +
      "Default configuration of each server, same kubeconfig (2 contexts), servers taken in turn. Medians; " +
      `ratios are each server ÷ ${yardstick?.server ?? "kube-mcp"}.`,
    headers: [
      "server",
      "runs",
      "start → tools/list",
      `× ${yardstick?.server ?? "kube-mcp"}`,
      "CPU to tools/list",
      `× ${yardstick?.server ?? "kube-mcp"}`,
      "idle RSS",
      `× ${yardstick?.server ?? "kube-mcp"}`,
      "configuration",
    ],
    rows: results.map((r) => [
      r.server,
      failures(r).length
        ? `${r.samples.length - failures(r).length}/${r.samples.length} ok (${failures(r)[0]?.status.slice(0, 60)})`
        : String(r.samples.length),
      `${ms(r.medianMs)} ms`,
      ratio(r.medianMs, yardstick?.medianMs ?? Number.NaN),
      `${ms(r.medianCpuMs)} ms`,
      ratio(r.medianCpuMs, yardstick?.medianCpuMs ?? Number.NaN),
      `${mb(r.medianRssMB)} MB`,
      ratio(r.medianRssMB, yardstick?.medianRssMB ?? Number.NaN),
      r.setup,
    ]),
    data: results,
  };
  const ok = (r: StartupResult) => r.samples.find((x) => x.ok);
  const size: Section = {
    title: "tools/list size",
    note: "Bytes of the tools/list response and tokens estimated as bytes ÷ 4; default and read-only configuration.",
    headers: ["server", "tools", "bytes", "≈ tokens", "× kube-mcp", "read-only: tools", "bytes", "≈ tokens"],
    rows: results.map((r) => {
      const d = ok(r);
      const ro = r.readOnly?.ok ? r.readOnly : undefined;
      return [
        r.server,
        d ? String(d.tools) : "failed",
        d ? String(d.bytes) : "–",
        d ? String(Math.round(d.bytes / 4)) : "–",
        d ? ratio(d.bytes, (base && ok(base)?.bytes) ?? Number.NaN) : "–",
        ro ? String(ro.tools) : (r.readOnly?.status.slice(0, 60) ?? "–"),
        ro ? String(ro.bytes) : "–",
        ro ? String(Math.round(ro.bytes / 4)) : "–",
      ];
    }),
    data: results.map((r) => ({ server: r.server, default: ok(r), readOnly: r.readOnly })),
  };
  return [start, size];
}

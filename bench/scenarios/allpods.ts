// "All pods in all namespaces" on a big cluster: bytes the model would receive, peak memory of the
// server's process tree while answering, and whether an answer came back at all. A fresh stdio server
// per run, so the peak belongs to this one call.
import { RawApi } from "../lib/floor.js";
import { peakMemory } from "../lib/proc.js";
import type { Section } from "../lib/report.js";
import type { Server } from "../lib/servers.js";
import { kb, mb, median, ms } from "../lib/stats.js";
import { StdioClient } from "../lib/stdio.js";

/** Pod names of the `load` Deployment the bed scales; counted to see how much of the list was shown. */
const SCALE_POD = /\bload-[a-z0-9]{6,10}-[a-z0-9]{5}\b/g;

export interface AllPodsRun {
  ok: boolean;
  status: string;
  ms: number;
  bytes: number;
  peakMB: number;
  /** Distinct pods of the scaled Deployment named in the answer. */
  podsNamed: number;
}

export interface AllPodsStats {
  server: string;
  pods: number;
  runs: AllPodsRun[];
}

async function once(s: Server, kubeconfig: string, timeoutMs: number): Promise<AllPodsRun> {
  const client = new StdioClient(s.stdio({ kubeconfig, readOnly: true }));
  try {
    const init = await client.initialize(30_000);
    if (init.error) {
      return { ok: false, status: init.error.message, ms: 0, bytes: 0, peakMB: Number.NaN, podsNamed: 0 };
    }
    const mem = peakMemory(client.proc.pid);
    const call = s.allPods();
    const r = await client.callTool(call.name, call.arguments, timeoutMs);
    const peakMB = mem.stop();
    const podsNamed = new Set(r.text.match(SCALE_POD) ?? []).size;
    return { ok: r.ok, status: r.status, ms: r.ms, bytes: r.bytes, peakMB, podsNamed };
  } finally {
    await client.close();
  }
}

export async function allPods(
  servers: Server[],
  opts: { kubeconfig: string; pods: number; reps: number; timeoutMs: number },
): Promise<{ pods: number; total: number; floor: { ms: number; bytes: number }; stats: AllPodsStats[] }> {
  const api = new RawApi(opts.kubeconfig);
  const list = await api.get("/api/v1/pods");
  api.close();
  const total = (JSON.parse(list.body) as { items: unknown[] }).items.length;
  const stats: AllPodsStats[] = servers.map((s) => ({ server: s.name, pods: opts.pods, runs: [] }));
  for (let i = 0; i < opts.reps; i++) {
    for (const [j, s] of servers.entries())
      stats[j]?.runs.push(await once(s, opts.kubeconfig, opts.timeoutMs));
  }
  return { pods: opts.pods, total, floor: { ms: list.ms, bytes: list.bytes }, stats };
}

/** The failure without the SDK's repeated "MCP error -32603:" prefixes. */
const why = (r: AllPodsRun | undefined) => (r?.status ?? "").replace(/MCP error -?\d+: /g, "").slice(0, 120);

function verdict(runs: AllPodsRun[], pods: number): string {
  const failed = runs.filter((r) => !r.ok);
  if (failed.length === runs.length) return `FAILED: ${why(failed[0])}`;
  const named = Math.max(...runs.filter((r) => r.ok).map((r) => r.podsNamed));
  const shown = named >= pods ? "complete" : `partial: ${named} of ${pods} scale pods named`;
  return failed.length ? `${shown}; ${failed.length}/${runs.length} failed: ${why(failed[0])}` : shown;
}

export function allPodsSection(results: Awaited<ReturnType<typeof allPods>>[]): Section {
  const rows: string[][] = [];
  for (const r of results) {
    rows.push([
      `${r.pods} (${r.total} pods in all)`,
      "raw API (floor)",
      `${ms(r.floor.ms)} ms`,
      kb(r.floor.bytes),
      "",
      "complete (JSON)",
    ]);
    for (const s of r.stats) {
      const good = s.runs.filter((x) => x.ok);
      rows.push([
        "",
        s.server,
        good.length ? `${ms(median(good.map((x) => x.ms)))} ms` : "–",
        good.length ? kb(median(good.map((x) => x.bytes))) : "–",
        `${mb(median(s.runs.map((x) => x.peakMB).filter(Number.isFinite)))} MB`,
        verdict(s.runs, r.pods),
      ]);
    }
  }
  return {
    title: 'All pods in all namespaces ("list every pod")',
    note:
      "One tool call per fresh server (read-only, default output); peak = resident memory of the server's " +
      "process tree (kubectl children included), sampled every 20 ms, and its VmHWM. Medians over runs. " +
      "“partial” counts the scaled Deployment's pod names present in the answer (kube-mcp pages: 200 rows and a continue token).",
    headers: ["scale pods", "server", "time", "answer", "peak RSS", "answer completed?"],
    rows,
    data: results,
  };
}

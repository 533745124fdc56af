// Throughput and latency with 1, 8 and 32 concurrent MCP clients over streamable HTTP: each client has
// its own session and calls one small read in a closed loop for a fixed time (bounded in count too).
import { freePort, httpSession, startHttp } from "../lib/http.js";
import type { Section } from "../lib/report.js";
import type { Call, Server } from "../lib/servers.js";
import { median, ms, percentile, ratio } from "../lib/stats.js";

const KEY = "kube-mcp-bench-0123456789abcdef";
const MAX_CALLS_PER_ROUND = 20_000;

export interface LoadStats {
  server: string;
  clients: number;
  /** Median over rounds of completed (ok) calls per second. */
  rps: number;
  p50: number;
  p95: number;
  ok: number;
  failed: number;
  status: string;
}

async function round(
  spec: Parameters<typeof httpSession>[0],
  call: Call,
  clients: number,
  seconds: number,
): Promise<{ latencies: number[]; failed: number; rps: number; status: string }> {
  const sessions = await Promise.all(Array.from({ length: clients }, () => httpSession(spec)));
  const latencies: number[] = [];
  let failed = 0;
  let status = "ok";
  let calls = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  await Promise.all(
    sessions.map(async (s) => {
      while (performance.now() < deadline && calls++ < MAX_CALLS_PER_ROUND) {
        const r = await s.call(call, 30_000);
        if (r.ok) latencies.push(r.ms);
        else {
          failed++;
          status = r.status;
        }
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  await Promise.all(sessions.map((s) => s.close().catch(() => {})));
  return { latencies, failed, rps: latencies.length / elapsed, status };
}

export async function httpLoad(
  servers: Server[],
  opts: { kubeconfig: string; levels: number[]; seconds: number; rounds: number; call: (s: Server) => Call },
): Promise<LoadStats[]> {
  const out: LoadStats[] = [];
  for (const s of servers) {
    const spec = s.http({ kubeconfig: opts.kubeconfig, readOnly: true }, await freePort(), KEY);
    let proc: Awaited<ReturnType<typeof startHttp>> | undefined;
    try {
      proc = await startHttp(spec);
      await round(spec, opts.call(s), 1, 0.5); // warm-up: connections, discovery, JIT
    } catch (err) {
      const status = `no HTTP server: ${err instanceof Error ? err.message : String(err)}`.slice(0, 160);
      for (const clients of opts.levels) {
        out.push({
          server: s.name,
          clients,
          rps: 0,
          p50: Number.NaN,
          p95: Number.NaN,
          ok: 0,
          failed: 0,
          status,
        });
      }
      await proc?.stop();
      continue;
    }
    for (const clients of opts.levels) {
      const rounds = [];
      for (let i = 0; i < opts.rounds; i++) {
        if (proc.exited()) break;
        rounds.push(
          await round(spec, opts.call(s), clients, opts.seconds).catch((err) => ({
            latencies: [],
            failed: 1,
            rps: 0,
            status: `error: ${err instanceof Error ? err.message : String(err)}`.slice(0, 160),
          })),
        );
      }
      const lat = rounds.flatMap((r) => r.latencies);
      const failed = rounds.reduce((n, r) => n + r.failed, 0);
      out.push({
        server: s.name,
        clients,
        rps: median(rounds.map((r) => r.rps)),
        p50: median(lat),
        p95: percentile(lat, 95),
        ok: lat.length,
        failed,
        status: proc.exited() ? "server exited" : (rounds.find((r) => r.failed)?.status ?? "ok"),
      });
    }
    await proc.stop();
  }
  return out;
}

export function httpSection(stats: LoadStats[], label: string, seconds: number, rounds: number): Section {
  const base = (clients: number) => stats.find((x) => x.server === "kube-mcp" && x.clients === clients);
  return {
    title: "Concurrent clients over streamable HTTP",
    note:
      `Each client: its own MCP session, calling "${label}" in a closed loop for ${seconds} s; ${rounds} ` +
      "round(s) per level, throughput is the median over rounds, latency percentiles over all calls. " +
      "Read-only configuration. Ratios: kube-mcp ÷ peer for throughput, peer ÷ kube-mcp for latency.",
    headers: [
      "clients",
      "server",
      "calls/s",
      "kube-mcp ×",
      "p50",
      "p95",
      "p50 × kube-mcp",
      "calls ok / failed",
    ],
    rows: stats.map((s) => [
      String(s.clients),
      s.server,
      s.ok ? s.rps.toFixed(1) : "0",
      ratio(base(s.clients)?.rps ?? Number.NaN, s.rps),
      `${ms(s.p50)} ms`,
      `${ms(s.p95)} ms`,
      ratio(s.p50, base(s.clients)?.p50 ?? Number.NaN),
      s.failed || s.status !== "ok" ? `${s.ok} / ${s.failed}: ${s.status.slice(0, 80)}` : `${s.ok} / 0`,
    ]),
    data: stats,
  };
}

// The soak's report: what the calls came to, by outcome and by cause, latency in steady state and in
// each fault's window, how long each fault took to recover from, and memory and descriptors over time.
import { percentile } from "../lib/stats.js";
import type { Crash, Sample } from "./cast.js";
import type { FaultRun } from "./faults.js";
import type { Outcome, Record_ } from "./load.js";

export interface SoakResult {
  startedAt: string;
  machine: string;
  loadBefore: number[];
  loadAfter: number[];
  settings: Record<string, unknown>;
  calls: Record_[];
  faults: FaultRun[];
  crashes: Crash[];
  samples: Sample[];
  /** When the first fault was done: memory before it is the baseline. */
  firstFaultAt: number;
  warmUpEnd: number;
  endedAt: number;
}

const count = (xs: Record_[], o: Outcome) => xs.filter((c) => c.outcome === o).length;
const fmt = (x: number) => (Number.isFinite(x) ? String(Math.round(x)) : "–");

function windowOf(f: FaultRun): [number, number] {
  return [f.injectedAt, f.recoveredAt ?? f.restoredAt + 120_000];
}

function latencyRow(name: string, xs: Record_[]): string[] {
  const answered = xs.filter((c) => c.outcome !== "hang" && c.outcome !== "cancelled");
  const ms = answered.map((c) => c.ms);
  const ok = answered.filter((c) => c.outcome === "ok" || c.outcome === "partial").length;
  return [
    name,
    String(xs.length),
    answered.length ? `${((100 * ok) / answered.length).toFixed(1)}%` : "–",
    fmt(percentile(ms, 50)),
    fmt(percentile(ms, 99)),
    String(count(xs, "hang")),
    String(count(xs, "misroute")),
  ];
}

function table(headers: string[], rows: string[][]): string {
  return [
    `| ${headers.join(" | ")} |`,
    `|${headers.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

/** Per process: memory and descriptors before the first fault, at the peak and at the end. */
function memoryRows(r: SoakResult): string[][] {
  const names = [...new Set(r.samples.map((s) => s.name))];
  return names.map((name) => {
    const mine = r.samples.filter((s) => s.name === name);
    const base = mine.filter((s) => s.t < r.firstFaultAt);
    const baseRss = base.length ? (base.at(-1) as Sample).rssMB : Number.NaN;
    const end = mine.at(-1);
    const peak = Math.max(...mine.map((s) => s.rssMB));
    const treePeak = Math.max(...mine.map((s) => s.treeMB));
    return [
      name,
      Number.isFinite(baseRss) ? baseRss.toFixed(1) : "–",
      peak.toFixed(1),
      end ? end.rssMB.toFixed(1) : "–",
      end && Number.isFinite(baseRss) ? `${((100 * (end.rssMB - baseRss)) / baseRss).toFixed(0)}%` : "–",
      `${base.at(-1)?.fds ?? "–"} → ${end?.fds ?? "–"}`,
      treePeak.toFixed(1),
      `${base.at(-1)?.heapMB?.toFixed(1) ?? "–"} → ${end?.heapMB?.toFixed(1) ?? "–"}`,
    ];
  });
}

/** RSS per process every ~`stepMs`, as one line each. */
function rssSeries(r: SoakResult, stepMs: number): string[] {
  const names = [...new Set(r.samples.map((s) => s.name))];
  const t0 = r.samples[0]?.t ?? 0;
  return names.map((name) => {
    const points: string[] = [];
    let next = t0;
    for (const s of r.samples.filter((x) => x.name === name))
      if (s.t >= next) {
        const heap = s.heapMB === undefined ? "" : `/${s.heapMB.toFixed(0)}`;
        points.push(`${Math.round((s.t - t0) / 1000)}s:${s.rssMB.toFixed(0)}${heap}`);
        next = s.t + stepMs;
      }
    return `- ${name} (MB): ${points.join(" ")}`;
  });
}

/** The long fuzz's calls, apart from the mix: refusals are expected, hangs and internal errors are not. */
function fuzzLine(xs: Record_[]): string {
  if (!xs.length) return "No fuzz clients.";
  const internal = xs.filter((c) => c.outcome === "unclear").length;
  return `${xs.length} fuzzed calls through the server (generated from the read-only tools' schemas, mostly hostile): ${count(xs, "ok")} answered, ${count(xs, "error")} refused with a tool error, ${count(xs, "hang")} hangs, ${internal} internal errors, ${count(xs, "transport")} client reconnects.`;
}

export function markdown(r: SoakResult): string {
  const fuzz = r.calls.filter((c) => c.kind === "fuzz");
  const calls = r.calls.filter((c) => c.kind !== "fuzz");
  const steady = calls.filter(
    (c) => c.at >= r.warmUpEnd && !r.faults.some((f) => c.at >= windowOf(f)[0] && c.at <= windowOf(f)[1]),
  );
  const causes = new Map<string, number>();
  for (const c of calls)
    if (c.cause && c.outcome !== "ok")
      causes.set(`${c.outcome}: ${c.cause}`, (causes.get(`${c.outcome}: ${c.cause}`) ?? 0) + 1);
  const secs = (r.endedAt - Date.parse(r.startedAt)) / 1000;
  return [
    `# Soak: ${Math.round(secs)} s, ${r.settings.clients} clients, ${r.faults.length} faults`,
    "",
    `${r.startedAt}; ${r.machine}. Load average before ${r.loadBefore.map((x) => x.toFixed(2)).join(" ")}, after ${r.loadAfter.map((x) => x.toFixed(2)).join(" ")}.`,
    `Settings: ${JSON.stringify(r.settings)}`,
    "",
    "## Outcome",
    "",
    table(
      [
        "calls",
        "ok",
        "ok, a cluster failed (named)",
        "clean errors",
        "cancelled",
        "client reconnects",
        "hangs",
        "misroutes",
        "unclear errors",
        "crashes",
      ],
      [
        [
          calls.length,
          count(calls, "ok"),
          count(calls, "partial"),
          count(calls, "error"),
          count(calls, "cancelled"),
          count(calls, "transport"),
          count(calls, "hang"),
          count(calls, "misroute"),
          count(calls, "unclear"),
          r.crashes.length,
        ].map(String),
      ],
    ),
    "",
    fuzzLine(fuzz),
    "",
    "## Errors by cause",
    "",
    causes.size
      ? table(
          ["outcome: cause", "calls"],
          [...causes].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, String(v)]),
        )
      : "None.",
    "",
    "## Latency (ms) in steady state and in each fault's window (from the fault until recovery)",
    "",
    table(
      ["phase", "calls", "answered ok", "p50", "p99", "hangs", "misroutes"],
      [
        latencyRow("steady state", steady),
        ...r.faults.map((f) => {
          const [a, b] = windowOf(f);
          return latencyRow(
            f.name,
            calls.filter((c) => c.at >= a && c.at <= b),
          );
        }),
      ],
    ),
    "",
    "## Faults",
    "",
    table(
      ["fault", "held (ms)", "recovered after undo (ms)", "from the fault (ms)"],
      r.faults.map((f) => [
        f.name,
        String(f.restoredAt - f.injectedAt),
        f.recoveredAt ? String(f.recoveredAt - f.restoredAt) : "NOT RECOVERED",
        f.recoveredAt ? String(f.recoveredAt - f.injectedAt) : "–",
      ]),
    ),
    "",
    "## Memory (RSS, MB) and open descriptors",
    "",
    "The process's own RSS; baseline: the last sample before the first fault. A process killed by a fault starts again, so its end is a new process's.",
    "",
    table(
      [
        ...["process", "baseline", "peak", "end", "end vs baseline", "fds baseline → end"],
        ...["peak with children", "heap after full GC, baseline → end"],
      ],
      memoryRows(r),
    ),
    "",
    "RSS / heap after the latest full GC, over time:",
    "",
    ...rssSeries(r, Math.max(5000, (r.endedAt - Date.parse(r.startedAt)) / 20)),
    "",
    ...(r.crashes.length
      ? [
          "## Crashes",
          "",
          ...r.crashes.map((c) => `- ${c.name} exited ${c.code ?? c.signal}: ${c.stderr.slice(-400)}`),
        ]
      : []),
  ].join("\n");
}

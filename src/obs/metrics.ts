// Prometheus metrics in the text exposition format (0.0.4), without a client library: tool calls by
// outcome, their durations, and gauges a role registers (connected agents…). Served at /metrics.
const BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

const label = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

export class Metrics {
  private calls = new Map<string, number>();
  private durations = new Map<string, Histogram>();
  private gauges: { name: string; help: string; value: () => number }[] = [];
  private counters: { name: string; help: string; value: () => number }[] = [];

  constructor(
    private readonly role: string,
    private readonly version: string,
    /** More labels of kube_mcp_build_info: an agent's cluster, which dashboards join its series by. */
    private readonly info: Record<string, string> = {},
  ) {}

  /** One finished tool call. */
  call(tool: string, outcome: string, ms: number): void {
    const key = `${tool}\u0000${outcome}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
    let h = this.durations.get(tool);
    if (!h) {
      h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.durations.set(tool, h);
    }
    const s = ms / 1000;
    BUCKETS.forEach((b, i) => {
      if (s <= b) (h as Histogram).counts[i] = ((h as Histogram).counts[i] ?? 0) + 1;
    });
    h.sum += s;
    h.count++;
  }

  gauge(name: string, help: string, value: () => number): void {
    this.gauges.push({ name, help, value });
  }

  /** A counter kept elsewhere (dropped trace spans…), read when scraped. */
  counter(name: string, help: string, value: () => number): void {
    this.counters.push({ name, help, value });
  }

  render(): string {
    const out: string[] = [
      "# HELP kube_mcp_build_info The running kube-mcp: role and version.",
      "# TYPE kube_mcp_build_info gauge",
      `kube_mcp_build_info{role="${label(this.role)}",version="${label(this.version)}"${Object.entries(
        this.info,
      )
        .map(([k, v]) => `,${k}="${label(v)}"`)
        .join("")}} 1`,
      "# HELP kube_mcp_tool_calls_total Tool calls by tool and outcome (ok, error, declined).",
      "# TYPE kube_mcp_tool_calls_total counter",
    ];
    for (const [key, n] of this.calls) {
      const [tool, outcome] = key.split("\u0000") as [string, string];
      out.push(`kube_mcp_tool_calls_total{tool="${label(tool)}",outcome="${label(outcome)}"} ${n}`);
    }
    out.push(
      "# HELP kube_mcp_tool_call_duration_seconds How long tool calls took.",
      "# TYPE kube_mcp_tool_call_duration_seconds histogram",
    );
    for (const [tool, h] of this.durations) {
      const t = label(tool);
      BUCKETS.forEach((b, i) => {
        out.push(`kube_mcp_tool_call_duration_seconds_bucket{tool="${t}",le="${b}"} ${h.counts[i] ?? 0}`);
      });
      out.push(`kube_mcp_tool_call_duration_seconds_bucket{tool="${t}",le="+Inf"} ${h.count}`);
      out.push(`kube_mcp_tool_call_duration_seconds_sum{tool="${t}"} ${h.sum}`);
      out.push(`kube_mcp_tool_call_duration_seconds_count{tool="${t}"} ${h.count}`);
    }
    for (const g of this.gauges)
      out.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} gauge`, `${g.name} ${g.value()}`);
    for (const c of this.counters)
      out.push(`# HELP ${c.name} ${c.help}`, `# TYPE ${c.name} counter`, `${c.name} ${c.value()}`);
    const mem = process.memoryUsage();
    out.push(
      "# HELP process_resident_memory_bytes Resident memory size in bytes.",
      "# TYPE process_resident_memory_bytes gauge",
      `process_resident_memory_bytes ${mem.rss}`,
      "# HELP process_start_time_seconds Start time of the process since the Unix epoch in seconds.",
      "# TYPE process_start_time_seconds gauge",
      `process_start_time_seconds ${Math.round(Date.now() / 1000 - process.uptime())}`,
    );
    return `${out.join("\n")}\n`;
  }
}

export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

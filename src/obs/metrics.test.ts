import { describe, expect, it } from "vitest";
import { Metrics } from "./metrics.js";

describe("Metrics", () => {
  it("renders counters, cumulative histogram buckets and gauges in the text format", () => {
    const m = new Metrics("hub", "1.2.3");
    m.call("resources_list", "ok", 30);
    m.call("resources_list", "ok", 700);
    m.call("resources_list", "error", 5);
    m.call('we"ird', "ok", 1);
    let agents = 2;
    m.gauge("kube_mcp_agents_connected", "Agents connected.", () => agents);
    agents = 3;
    const text = m.render();
    expect(text).toContain('kube_mcp_build_info{role="hub",version="1.2.3"} 1\n');
    expect(text).toContain('kube_mcp_tool_calls_total{tool="resources_list",outcome="ok"} 2\n');
    expect(text).toContain('kube_mcp_tool_calls_total{tool="resources_list",outcome="error"} 1\n');
    expect(text).toContain('kube_mcp_tool_calls_total{tool="we\\"ird",outcome="ok"} 1\n');
    expect(text).toContain('kube_mcp_tool_call_duration_seconds_bucket{tool="resources_list",le="0.01"} 1\n');
    expect(text).toContain('kube_mcp_tool_call_duration_seconds_bucket{tool="resources_list",le="0.05"} 2\n');
    expect(text).toContain('kube_mcp_tool_call_duration_seconds_bucket{tool="resources_list",le="1"} 3\n');
    expect(text).toContain('kube_mcp_tool_call_duration_seconds_bucket{tool="resources_list",le="+Inf"} 3\n');
    expect(text).toContain('kube_mcp_tool_call_duration_seconds_count{tool="resources_list"} 3\n');
    expect(text).toContain("# TYPE kube_mcp_agents_connected gauge\nkube_mcp_agents_connected 3\n");
    m.counter("kube_mcp_trace_spans_dropped_total", "Dropped spans.", () => 4);
    expect(m.render()).toContain(
      "# TYPE kube_mcp_trace_spans_dropped_total counter\nkube_mcp_trace_spans_dropped_total 4\n",
    );
    // An agent's build info names its cluster: dashboards join its series to the cluster by it.
    expect(new Metrics("agent", "1.2.3", { cluster: "prod" }).render()).toContain(
      'kube_mcp_build_info{role="agent",version="1.2.3",cluster="prod"} 1\n',
    );
    for (const line of text.trimEnd().split("\n"))
      expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? -?[\d.e+]+)$/);
  });
});

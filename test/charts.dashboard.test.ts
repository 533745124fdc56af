// The fleet dashboard in the hub chart queries only metrics kube-mcp exports: every metric name in every
// PromQL expression is one the code writes (found in src/, where each name is a literal), so a renamed or
// removed metric fails here instead of leaving an empty panel. The chart ships it as a sidecar ConfigMap.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { CHARTS_DIR, one, render } from "./helpers/charts.js";

const SRC = join(import.meta.dirname, "..", "src");
const dashboardText = readFileSync(join(CHARTS_DIR, "kube-mcp-hub", "dashboards", "kube-mcp.json"), "utf8");

interface Panel {
  title: string;
  targets?: { expr: string }[];
}

/** Metric names written by the code: kube_mcp_* and process_* literals outside tests. */
function exported(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts"))
        for (const m of readFileSync(p, "utf8").matchAll(
          /\b(kube_mcp_[a-z0-9_]+|process_[a-z_]+_(?:bytes|seconds))\b/g,
        ))
          names.add(m[1] as string);
    }
  };
  walk(SRC);
  return names;
}

/** Metric names a PromQL expression reads (label names, functions and keywords excluded). */
function metricsIn(expr: string): string[] {
  const noLabels = expr
    .replace(/\{[^}]*\}/g, "")
    .replace(/\b(by|on|without|ignoring|group_left|group_right)\s*\([^)]*\)/g, "");
  return [...noLabels.matchAll(/\b[a-z_][a-z0-9_]*\b(?!\s*\()/g)]
    .map((m) => m[0])
    .filter((n) => n.startsWith("kube_mcp_") || n.startsWith("process_"));
}

describe("the fleet dashboard", () => {
  const dashboard = JSON.parse(dashboardText) as { panels: Panel[] };
  const names = exported();

  it("queries only metrics the code exports, in every panel", () => {
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(8);
    for (const panel of dashboard.panels) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const t of panel.targets ?? []) {
        const used = metricsIn(t.expr);
        expect(used.length, `${panel.title}: ${t.expr}`).toBeGreaterThan(0);
        for (const n of used) expect(names, `${panel.title}: ${n}`).toContain(n);
      }
    }
  });

  it("covers calls, latency, agents connected and errors by cluster", () => {
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)).join("\n");
    expect(exprs).toContain("kube_mcp_tool_calls_total");
    expect(exprs).toContain("kube_mcp_tool_call_duration_seconds_bucket");
    expect(exprs).toContain("kube_mcp_agents_connected");
    expect(exprs).toMatch(/sum by \(cluster\) \(rate\(kube_mcp_tool_calls_total\{[^}]*outcome="error"/);
  });

  it("is shipped by the hub chart as a ConfigMap for Grafana's sidecar when enabled", async () => {
    const helm = join(inject("testbedBin"), "helm");
    const on = await render(helm, "kube-mcp-hub", { set: ["grafanaDashboard.enabled=true"] });
    expect(on.code, on.stderr).toBe(0);
    const cm = one(on.docs, "ConfigMap", "-dashboard");
    expect(cm.metadata.labels?.grafana_dashboard).toBe("1");
    expect(JSON.parse(cm.data["kube-mcp.json"])).toEqual(dashboard);
    const off = await render(helm, "kube-mcp-hub");
    expect(off.docs.filter((d) => d.metadata?.name?.endsWith("-dashboard"))).toEqual([]);
  });
});

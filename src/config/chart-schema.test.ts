import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHART_CONFIG, chartConfigSchema, withChartConfig } from "./chart-schema.js";

const CHARTS_DIR = join(import.meta.dirname, "..", "..", "charts");
const charts = readdirSync(CHARTS_DIR);

describe("the charts' config schema", () => {
  it("has a row for every chart", () => {
    expect(charts.sort()).toEqual(Object.keys(CHART_CONFIG).sort());
  });

  it.each(charts)(
    "%s: the committed values.schema.json is the one generated from the zod schema (npm run docs)",
    (chart) => {
      const committed = readFileSync(join(CHARTS_DIR, chart, "values.schema.json"), "utf8");
      expect(JSON.parse(committed).properties.config).toEqual(chartConfigSchema(chart));
      expect(committed).toBe(withChartConfig(chart, committed));
    },
  );

  it("takes every field kube-mcp takes, except what the chart sets or keeps out of its ConfigMap", () => {
    const serve = chartConfigSchema("kube-mcp") as { properties: Record<string, { not?: object }> };
    expect(serve.properties.audit).toMatchObject({ type: "boolean" });
    expect(serve.properties.capi).toMatchObject({ type: "object" });
    const agent = chartConfigSchema("kube-mcp-agent") as {
      properties: Record<string, { description?: string }>;
    };
    expect(agent.properties.capi).toEqual({ not: {}, description: expect.stringContaining("capi.enabled") });
  });
});

// Every chart renders with every config field kube-mcp takes, less what the chart sets itself: the
// charts' values.schema.json is generated from the config schema (src/config/chart-schema.ts), and this
// proves helm accepts what that schema promises and passes it into the ConfigMap unchanged.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { parse as parseYaml, stringify } from "yaml";
import { CHART_CONFIG, configJsonSchema } from "../src/config/chart-schema.js";
import { ConfigSchema } from "../src/config/schema.js";
import { CHARTS, CHARTS_DIR, one, render } from "./helpers/charts.js";

const HELM = join(inject("testbedBin"), "helm");
const EVERY_KEY = parseYaml(
  readFileSync(join(import.meta.dirname, "fixtures", "config-every-key.yaml"), "utf8"),
);
const dir = mkdtempSync(join(tmpdir(), "kube-mcp-chart-config-"));

type Json = Record<string, unknown> & {
  properties?: Record<string, Json>;
  items?: Json;
  additionalProperties?: Json | boolean;
  anyOf?: Json[];
};

/** The schema's leaf fields: `a.b`, `a[].b` for list items, `a.*.b` for map values. */
function leaves(s: Json, path = ""): string[] {
  return Object.entries(s.properties ?? {}).flatMap(([k, v]) => {
    const inner = v.anyOf?.find((x) => x.properties) ?? v;
    const item = inner.items?.anyOf?.find((x) => x.properties) ?? inner.items;
    const map = typeof inner.additionalProperties === "object" ? inner.additionalProperties : undefined;
    const below = [
      ...(inner.properties ? leaves(inner, `${path + k}.`) : []),
      ...(item?.properties ? leaves(item, `${path + k}[].`) : []),
      ...(map?.properties ? leaves(map, `${path + k}.*.`) : []),
    ];
    return below.length ? below : [path + k];
  });
}

/** Whether `value` sets `path` ([] and * match any element). */
function sets(value: unknown, path: string[]): boolean {
  if (!path.length) return value !== undefined;
  const [head, ...rest] = path as [string, ...string[]];
  if (typeof value !== "object" || value === null) return false;
  if (head === "[]" || head === "*") return Object.values(value).some((v) => sets(v, rest));
  const key = head.endsWith("[]") ? head.slice(0, -2) : head;
  const next = (value as Record<string, unknown>)[key];
  return head.endsWith("[]") ? sets(next, ["[]", ...rest]) : sets(next, rest);
}

/** The fixture less the paths a chart refuses. */
function forChart(chart: string): Record<string, unknown> {
  const config = structuredClone(EVERY_KEY) as Record<string, Record<string, unknown>>;
  for (const path of Object.keys(CHART_CONFIG[chart]?.refuses ?? {})) {
    const [a, b] = path.split(".") as [string, string | undefined];
    if (b === undefined) delete config[a];
    else if (config[a]) delete config[a][b];
  }
  return config;
}

describe("chart config", () => {
  it("the fixture sets every field of the config schema, and kube-mcp accepts it", () => {
    const missing = leaves(configJsonSchema() as Json).filter((p) => !sets(EVERY_KEY, p.split(".")));
    expect(missing, "add these to test/fixtures/config-every-key.yaml").toEqual([]);
    expect(ConfigSchema.safeParse(EVERY_KEY).error).toBeUndefined();
  });

  it.each([...CHARTS])(
    "%s renders with every config field it takes, into its ConfigMap as given",
    async (chart) => {
      const config = forChart(chart);
      const values = join(dir, `${chart}.yaml`);
      writeFileSync(values, stringify({ config }));
      // On top of the chart's quick-start values (an agent needs its hub and token to render at all).
      const r = await render(HELM, chart, {
        values: [join(CHARTS_DIR, chart, "ci", "default-values.yaml"), values],
      });
      expect(r.code, r.stderr).toBe(0);
      const rendered = parseYaml(one(r.docs, "ConfigMap").data["config.yaml"]);
      expect(rendered).toMatchObject(config);
      expect(ConfigSchema.safeParse(rendered).error).toBeUndefined();
    },
  );
});

// Tracing costs a server that does not trace nothing at start-up: the built bin is started over stdio with
// V8's coverage on, and no function of an OpenTelemetry package (nor of src/obs/tracing-otel.ts) may have
// run; OpenTelemetry sits in a bundle of its own, dist/kube-mcp-tracing.cjs, never read unless tracing is
// configured. With an endpoint configured, the same check sees it load.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI } from "./helpers/proc.js";

/** The original sources of every function that ran in the bundles under dist/. */
function ranSources(env: Record<string, string>): Set<string> {
  const dir = mkdtempSync(join(tmpdir(), "kube-mcp-cov-"));
  const r = spawnSync(process.execPath, [CLI, "serve"], {
    input: "",
    env: { ...process.env, KUBECONFIG: "/dev/null", NODE_V8_COVERAGE: dir, ...env },
    timeout: 20_000,
  });
  expect(r.status, r.stderr.toString()).toBe(0);
  const ran = new Set<string>();
  for (const f of readdirSync(dir)) {
    for (const script of JSON.parse(readFileSync(join(dir, f), "utf8")).result as {
      url: string;
      functions: { ranges: { startOffset: number; count: number }[] }[];
    }[]) {
      if (!/\/dist\/kube-mcp[^/]*\.cjs$/.test(script.url)) continue;
      const file = new URL(script.url).pathname;
      const code = readFileSync(file, "utf8");
      const map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, "utf8")));
      const starts = [0];
      for (let i = 0; i < code.length; i++) if (code.charCodeAt(i) === 10) starts.push(i + 1);
      for (const fn of script.functions) {
        const range = fn.ranges[0];
        if (!range?.count) continue;
        let line = starts.findLastIndex((s) => s <= range.startOffset);
        if (line < 0) line = 0;
        const entry = map.findEntry(line, range.startOffset - (starts[line] ?? 0)) as {
          originalSource?: string;
        };
        if (entry.originalSource) ran.add(entry.originalSource);
      }
    }
  }
  return ran;
}

const otelCode = (s: string) => s.includes("@opentelemetry") || s.endsWith("tracing-otel.ts");

describe("tracing at start-up", () => {
  it("a server that does not trace runs no OpenTelemetry code", () => {
    const ran = [...ranSources({})];
    expect(ran.length).toBeGreaterThan(50);
    expect(ran.filter(otelCode)).toEqual([]);
    expect(dirname(CLI)).toMatch(/dist$/);
  });

  it("a configured endpoint loads it", () => {
    const ran = [...ranSources({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9" })];
    expect(ran.filter(otelCode).length).toBeGreaterThan(10);
  });
});

// The shape of src/, kept by a test: every import points down the layer table (no upward arrow, no
// cycle between folders), no function runs past 80 lines and no tool handler past 25 (docs/architecture.md).
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { parseAst } from "rolldown/parseAst";
import { describe, expect, it } from "vitest";

/** Bottom to top. A folder may import its own files and any folder in a lower row, nothing else. */
const LAYERS: string[][] = [
  ["errors.ts", "version.ts"],
  ["format"],
  ["config"],
  ["policy"],
  ["obs"],
  ["kube"],
  ["targets"],
  ["passthrough"],
  ["link"],
  ["tools"],
  ["agent"],
  ["mcp"],
  ["serve", "hub"],
  ["cli.ts", "bin.ts"],
];
const MAX_FUNCTION = 80;
const MAX_HANDLER = 25;

/** Debts being paid off: each entry is an arrow or a function that breaks the rules today. Only shrinks. */
const KNOWN: string[] = [
  "agent -> mcp: agent/index.ts imports ../mcp/http.js",
  "agent -> serve: agent/index.ts imports ../serve/local.js",
  "config -> passthrough: config/cli-rules.ts imports ../passthrough/regex.js",
  "config -> policy: config/compat.ts imports ../policy/modes.js",
  "config -> policy: config/schema.ts imports ../policy/rules.js",
  "config -> policy: config/schema.ts imports ../policy/scope.js",
  "hub -> serve: hub/index.ts imports ../serve/instructions.js",
  "hub -> serve: hub/index.ts imports ../serve/local.js",
  "kube -> targets: kube/access.ts imports ../targets/identity.js",
  "kube -> targets: kube/api.ts imports ../targets/identity.js",
  "kube -> targets: kube/exec.ts imports ../targets/clusters.js",
  "kube -> targets: kube/http.ts imports ../targets/identity.js",
  "kube -> targets: kube/portforward.ts imports ../targets/clusters.js",
  "kube -> passthrough: kube/subject-review.ts imports ../passthrough/grammar.js",
  "kube -> targets: kube/ws.ts imports ../targets/clusters.js",
  "kube -> targets: kube/ws.ts imports ../targets/identity.js",
  "obs -> targets: obs/audit.ts imports ../targets/identity.js",
  "policy -> tools: policy/modes.ts imports ../tools/define.js",
  "policy -> tools: policy/toolsets.ts imports ../tools/define.js",
  "policy -> tools: policy/toolsets.ts imports ../tools/toolsets.js",
  "targets -> tools: targets/fanout.ts imports ../tools/define.js",
  "function agent/connection.ts:89",
  "function agent/index.ts:121",
  "function hub/clusters-list.ts:50",
  "function hub/clusters-list.ts:62",
  "function hub/index.ts:39",
  "function kube/exec.ts:17",
  "function mcp/http.ts:120",
  "function mcp/http.ts:175",
  "function mcp/oauth.ts:136",
  "function mcp/server.ts:90",
  "function mcp/server.ts:120",
  "function mcp/server.ts:129",
  "function mcp/subscriptions.ts:40",
  "function obs/tracing-otel.ts:132",
  "function passthrough/runner.ts:74",
  "function policy/stops.ts:8",
  "function serve/index.ts:21",
  "function serve/local.ts:130",
  "handler tools/api.ts:20",
  "function tools/cli-run.ts:98",
  "handler tools/cluster-tool.ts:232",
  "handler tools/cluster-tool.ts:285",
  "handler tools/clusters.ts:36",
  "handler tools/debug.ts:32",
  "handler tools/delete.ts:31",
  "handler tools/drain.ts:29",
  "handler tools/events.ts:24",
  "handler tools/exec.ts:25",
  "handler tools/health.ts:28",
  "function tools/helm.ts:88",
  "handler tools/logs.ts:71",
  "function tools/logs.ts:71",
  "function tools/passthrough.ts:41",
  "handler tools/passthrough.ts:102",
  "handler tools/portforward.ts:130",
  "handler tools/resources.ts:54",
  "handler tools/rollout.ts:56",
  "handler tools/rollout.ts:103",
  "handler tools/top.ts:60",
  "handler tools/write.ts:61",
  "handler tools/write.ts:118",
];

const SRC = resolve(import.meta.dirname);
const unit = (file: string) => relative(SRC, file).split("/")[0] ?? "";
const layerOf = (u: string) => LAYERS.findIndex((row) => row.includes(u));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "testdata" ? [] : sources(p);
    return p.endsWith(".ts") && !p.endsWith(".test.ts") && !p.endsWith(".d.ts") ? [p] : [];
  });
}

interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

function scan(file: string, text: string) {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
  const line = (offset: number) => lineStarts.findLastIndex((s) => s <= offset) + 1;
  const imports: string[] = [];
  const long: string[] = [];
  const where = (n: Node) => `${relative(SRC, file)}:${line(n.start)}`;
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    if (!value || typeof value !== "object") return;
    const n = value as Node;
    const source = (n.source as { value?: unknown } | undefined)?.value;
    if (typeof source === "string" && source.startsWith(".")) imports.push(source);
    if (/^(FunctionDeclaration|FunctionExpression|ArrowFunctionExpression)$/.test(n.type)) {
      const lines = line(n.end) - line(n.start) + 1;
      if (lines > MAX_FUNCTION) long.push(`function ${where(n)} is ${lines} lines`);
    }
    const key = (n.key as { name?: string } | undefined)?.name;
    const fn = n.value as Node | undefined;
    if (n.type === "Property" && (key === "handle" || key === "run") && fn && /Function/.test(fn.type)) {
      const lines = line(fn.end) - line(fn.start) + 1;
      if (lines > MAX_HANDLER && unit(file) === "tools") long.push(`handler ${where(fn)} is ${lines} lines`);
    }
    for (const [k, v] of Object.entries(n)) if (k !== "parent" && typeof v === "object") visit(v);
  };
  visit(parseAst(text, { lang: "ts" }, file).body);
  return { imports, long };
}

const files = sources(SRC).map((file) => ({ file, ...scan(file, readFileSync(file, "utf8")) }));

describe("src/ layering", () => {
  const paid: string[] = [];
  it("knows every folder", () => {
    const unknown = [...new Set(files.map((f) => unit(f.file)))].filter((u) => layerOf(u) < 0);
    expect(unknown, "add new folders to LAYERS").toEqual([]);
  });

  it("has no upward import (so no cycle between folders)", () => {
    const bad = new Set<string>();
    for (const { file, imports } of files)
      for (const spec of imports) {
        const from = unit(file);
        const to = unit(resolve(dirname(file), spec));
        if (from === to || layerOf(to) < layerOf(from)) continue;
        bad.add(`${from} -> ${to}: ${relative(SRC, file)} imports ${spec}`);
      }
    expect([...bad].filter((b) => !KNOWN.includes(b))).toEqual([]);
    paid.push(...KNOWN.filter((k) => k.includes(" -> ") && !bad.has(k)));
  });

  it(`has no function over ${MAX_FUNCTION} lines and no tool handler over ${MAX_HANDLER}`, () => {
    const long = files.flatMap((f) => f.long);
    expect(long.filter((l) => !KNOWN.some((k) => l.startsWith(`${k} `)))).toEqual([]);
    paid.push(...KNOWN.filter((k) => !k.includes(" -> ") && !long.some((l) => l.startsWith(`${k} `))));
  });

  it("lists no debt that is already paid (remove those lines from KNOWN)", () => {
    expect(paid).toEqual([]);
  });
});

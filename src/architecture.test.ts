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

/**
 * Debts being paid off: an arrow, or a file with a function or handler too long today. Only shrinks: a
 * test below fails when an entry is no longer needed.
 */
const KNOWN: string[] = [];

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
  const where = (n: Node) => `${relative(SRC, file)} (line ${line(n.start)})`;
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
      if (lines > MAX_HANDLER) long.push(`handler ${where(fn)} is ${lines} lines`);
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

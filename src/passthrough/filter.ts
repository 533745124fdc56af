// In-process output filters for the passthrough tools. There is no shell, so `filter` gives the model
// what pipes gave it (grep, head, tail, sort, uniq, wc, cut, jq). Steps are text → lines → text and
// bounded: regexes run on a linear-time engine (regex.ts), and one call's filtering has a deadline and
// yields to the event loop as it goes, so a heavy filter never holds up other callers or /healthz.
import * as z from "zod";
import { ToolError } from "../errors.js";
import { compileRegex, MAX_PATTERN, type Matcher, RegexError } from "../format/regex.js";
import { JqError, runJq } from "./jq.js";

/** A filter kube-mcp does not run, or one that failed on the output; a ToolError, so it reaches the model as it is. */
export class FilterError extends ToolError {}

const DEADLINE_MS = 2_000;
/** Longest stretch of filtering between two turns of the event loop. */
const SLICE_MS = 10;

const flag = (d: string) => z.boolean().optional().describe(d);
const lines = z.number().int().min(1).max(100_000).describe("line count");

export const FilterStep = z.discriminatedUnion("op", [
  z.object({
    op: z.literal("grep"),
    pattern: z
      .string()
      .max(MAX_PATTERN)
      .describe("JS regex without back-references or lookarounds (plain text if fixed)"),
    invert: flag("keep non-matching (-v)"),
    ignoreCase: flag("-i"),
    fixed: flag("-F"),
  }),
  z.object({ op: z.literal("head"), lines }),
  z.object({ op: z.literal("tail"), lines }),
  z.object({
    op: z.literal("sort"),
    numeric: flag("-n; understands 250m, 2Gi"),
    reverse: flag("-r"),
    key: z.number().int().min(1).max(100).optional().describe("1-based whitespace field (-k)"),
    unique: flag("-u"),
  }),
  z.object({ op: z.literal("uniq"), count: flag("-c") }),
  z.object({
    op: z.literal("wc"),
    what: z.enum(["lines", "words", "bytes"]).optional().describe("default lines"),
  }),
  z.object({
    op: z.literal("cut"),
    fields: z.string().describe('1-based, e.g. "1,3-5"'),
    delimiter: z.string().min(1).optional().describe("default: whitespace runs"),
  }),
  z.object({
    op: z.literal("jq"),
    query: z
      .string()
      .max(1000)
      .describe('jq subset, e.g. .items[] | select(.status.phase != "Running") | .metadata.name'),
    raw: flag("-r"),
  }),
]);
export type FilterStep = z.infer<typeof FilterStep>;

export const FilterSchema = z
  .array(FilterStep)
  .max(10)
  .optional()
  .describe("steps applied in order to the output, instead of shell pipes");

type Op = FilterStep["op"];
type StepOf<K extends Op> = Extract<FilterStep, { op: K }>;
type Run<K extends Op> = (lines: string[], step: StepOf<K>, pace: Pace) => string[] | Promise<string[]>;

const OPS: { [K in Op]: Run<K> } = {
  grep: async (lines, s, pace) => {
    const m = compileRegex(s.pattern, s);
    const keep = !s.invert;
    return await pace.filter(lines, (l) => m(l) === keep);
  },
  head: (lines, s) => lines.slice(0, Math.max(0, s.lines)),
  tail: (lines, s) => lines.slice(Math.max(0, lines.length - s.lines)),
  sort: sortLines,
  uniq: (lines, s) => {
    const out: string[] = [];
    for (let i = 0, j = 0; i < lines.length; i = j) {
      while (j < lines.length && lines[j] === lines[i]) j++;
      out.push(s.count ? `${String(j - i).padStart(7)} ${lines[i]}` : (lines[i] as string));
    }
    return out;
  },
  wc: async (lines, s, pace) => {
    if (s.what === "words")
      return [String((await pace.map(lines, (l) => words(l).length)).reduce((a, b) => a + b, 0))];
    if (s.what === "bytes") return [String(Buffer.byteLength(toText(lines)))];
    return [String(lines.length)];
  },
  cut: async (lines, s, pace) => {
    const pick = fieldPicker(s.fields);
    const d = s.delimiter;
    const split = d ? (l: string) => l.split(d) : words;
    return await pace.map(lines, (l) => pick(split(l)).join(d ?? " "));
  },
  // jq runs in one piece (its evaluator cannot pause), bounded by its value budget and the deadline.
  jq: (lines, s, pace) => {
    const results = runJq(lines.join("\n"), s.query, {
      raw: s.raw,
      regex: (p, ignoreCase): Matcher => {
        const m = compileRegex(p, { ignoreCase });
        return (v) => {
          pace.check();
          return m(v);
        };
      },
      interrupt: () => pace.check(),
    });
    return results.flatMap((r) => r.split("\n"));
  },
};

export interface FilterOptions {
  /** Stops filtering when the call is cancelled. */
  signal?: AbortSignal;
  deadlineMs?: number;
}

export async function applyFilters(
  text: string,
  steps: FilterStep[],
  o: FilterOptions = {},
): Promise<string> {
  if (steps.length === 0) return text;
  const pace = new Pace(o.deadlineMs ?? DEADLINE_MS, o.signal);
  let lines = toLines(text);
  for (const [i, step] of steps.entries()) {
    const run = OPS[step.op] as Run<Op> | undefined;
    if (!run) throw new FilterError(`filter step ${i + 1}: unknown op; use ${Object.keys(OPS).join(", ")}`);
    try {
      pace.check();
      lines = await run(lines, step, pace);
    } catch (e) {
      if (!(e instanceof FilterError || e instanceof JqError || e instanceof RegexError)) throw e;
      throw new FilterError(`filter step ${i + 1} (${step.op}): ${e.message}`);
    }
  }
  return toText(lines);
}

/**
 * One call's clock: line loops hand the event loop back every SLICE_MS, and everything stops with a
 * FilterError once the deadline has passed (or with the signal's reason once the call is cancelled).
 */
class Pace {
  private readonly deadline: number;
  private sliceEnd: number;
  constructor(
    private readonly ms: number,
    private readonly signal?: AbortSignal,
  ) {
    const now = performance.now();
    this.deadline = now + ms;
    this.sliceEnd = now + SLICE_MS;
  }

  check(): void {
    this.signal?.throwIfAborted();
    if (performance.now() >= this.deadline)
      throw new FilterError(
        `filtering ran past its ${this.ms} ms deadline; narrow the command's output first (a namespace, a label selector, -o name), put a cheap step first (grep -F, head), or simplify the pattern`,
      );
  }

  async map<T>(lines: string[], f: (l: string) => T): Promise<T[]> {
    const out: T[] = new Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      if (performance.now() >= this.sliceEnd) await this.pause();
      out[i] = f(lines[i] as string);
    }
    return out;
  }

  async filter(lines: string[], keep: (l: string) => boolean): Promise<string[]> {
    const kept = await this.map(lines, keep);
    return lines.filter((_, i) => kept[i]);
  }

  private async pause(): Promise<void> {
    await new Promise(setImmediate);
    this.check();
    this.sliceEnd = performance.now() + SLICE_MS;
  }
}

/** Lines as a pipe sees them; a final newline ends the last line, and CRLF counts as one newline. */
function toLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  if (text.endsWith("\n")) lines.pop();
  return lines;
}
function toText(lines: string[]): string {
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
function words(line: string): string[] {
  const t = line.trim();
  return t === "" ? [] : t.split(/\s+/);
}

function sortLines(lines: string[], s: StepOf<"sort">): string[] {
  const keyOf = (l: string) => (s.key ? (words(l)[s.key - 1] ?? "") : l);
  const rows = lines.map((l) => {
    const k = keyOf(l);
    return { l, k: s.numeric ? quantity(k) : k };
  });
  const byKey = (a: { k: string | number }, b: { k: string | number }) =>
    a.k < b.k ? -1 : a.k > b.k ? 1 : 0;
  const dir = s.reverse ? -1 : 1;
  rows.sort((a, b) => dir * (byKey(a, b) || (a.l < b.l ? -1 : a.l > b.l ? 1 : 0)));
  // Like sort -u: of keys that compare equal, the first line stays.
  return rows
    .filter((r, i) => !s.unique || i === 0 || byKey(rows[i - 1] as typeof r, r) !== 0)
    .map((r) => r.l);
}

/** A leading number with an optional Kubernetes quantity suffix; lines without one sort first. */
function quantity(s: string): number {
  const m = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)([KMGTPE]i|[mkMGTPE])?/.exec(s);
  if (!m) return Number.NEGATIVE_INFINITY;
  const u = m[2] ?? "";
  const scale =
    u === ""
      ? 1
      : u === "m"
        ? 1e-3
        : u.endsWith("i")
          ? 1024 ** ("KMGTPE".indexOf(u[0] as string) + 1)
          : 1000 ** ("kMGTPE".indexOf(u) + 1);
  return Number(m[1]) * scale;
}

function fieldPicker(spec: string): (fields: string[]) => string[] {
  const bad = () =>
    new FilterError(
      `fields "${spec}" is not a field list; write 1-based fields and ranges like "1,3-5" or "2-"`,
    );
  const ranges = spec.split(",").map((part) => {
    const m = /^(\d*)(?:(-)(\d*))?$/.exec(part.trim());
    if (!m || (!m[1] && !m[3])) throw bad();
    const from = m[1] ? Number(m[1]) : 1;
    const to = !m[2] ? from : m[3] ? Number(m[3]) : Number.POSITIVE_INFINITY;
    if (from < 1 || to < from) throw bad();
    return [from, to] as const;
  });
  return (fields) => ranges.flatMap(([from, to]) => fields.slice(from - 1, Math.min(to, fields.length)));
}

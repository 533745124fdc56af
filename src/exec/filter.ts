// In-process output filters for the passthrough tools. There is no shell, so `filter` gives the model
// what pipes gave it (grep, head, tail, sort, uniq, wc, cut, jq). Steps are pure text → lines → text and
// bounded: regexes are screened for catastrophic backtracking, run on capped lines and under a deadline.
import * as z from "zod";
import { JqError, type Matcher, runJq } from "./jq.js";

export class FilterError extends Error {}

const MAX_PATTERN = 300;
/** Longest line prefix a regex sees; two unbounded repeats cost O(n³), so they see less. */
const LINE_CAP = 10_000;
const LINE_CAP_TWO_REPEATS = 1_000;
const DEADLINE_MS = 2_000;

const flag = (d: string) => z.boolean().optional().describe(d);
const lines = z.number().int().min(1).max(100_000).describe("line count");

export const FilterStep = z.discriminatedUnion("op", [
  z.object({
    op: z.literal("grep"),
    pattern: z.string().max(MAX_PATTERN).describe("JS regex (plain text if fixed)"),
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
type Regex = (pattern: string, o: { ignoreCase?: boolean; fixed?: boolean }) => Matcher;
type Run<K extends Op> = (lines: string[], step: StepOf<K>, regex: Regex) => string[];

const OPS: { [K in Op]: Run<K> } = {
  grep: (lines, s, regex) => {
    const m = regex(s.pattern, s);
    return lines.filter((l) => m(l) !== Boolean(s.invert));
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
  wc: (lines, s) => {
    if (s.what === "words") return [String(lines.reduce((n, l) => n + words(l).length, 0))];
    if (s.what === "bytes") return [String(Buffer.byteLength(toText(lines)))];
    return [String(lines.length)];
  },
  cut: (lines, s) => {
    const pick = fieldPicker(s.fields);
    const d = s.delimiter;
    const split = d ? (l: string) => l.split(d) : words;
    return lines.map((l) => pick(split(l)).join(d ?? " "));
  },
  jq: (lines, s, regex) => {
    const results = runJq(lines.join("\n"), s.query, {
      raw: s.raw,
      regex: (p, i) => regex(p, { ignoreCase: i }),
    });
    return results.flatMap((r) => r.split("\n"));
  },
};

export function applyFilters(text: string, steps: FilterStep[]): string {
  if (steps.length === 0) return text;
  const deadline = Date.now() + DEADLINE_MS;
  const regex: Regex = (p, o) => timed(compile(p, o), deadline);
  let lines = toLines(text);
  for (const [i, step] of steps.entries()) {
    const run = OPS[step.op] as Run<Op> | undefined;
    if (!run) throw new FilterError(`filter step ${i + 1}: unknown op; use ${Object.keys(OPS).join(", ")}`);
    try {
      lines = run(lines, step, regex);
    } catch (e) {
      if (!(e instanceof FilterError || e instanceof JqError)) throw e;
      throw new FilterError(`filter step ${i + 1} (${step.op}): ${e.message}`);
    }
  }
  return toText(lines);
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

function compile(pattern: string, o: { ignoreCase?: boolean; fixed?: boolean }): Matcher {
  if (pattern.length > MAX_PATTERN)
    throw new FilterError(`pattern is ${pattern.length} chars; the limit is ${MAX_PATTERN}`);
  if (o.fixed) {
    const p = o.ignoreCase ? pattern.toLowerCase() : pattern;
    return (s) => (o.ignoreCase ? s.toLowerCase() : s).includes(p);
  }
  let re: RegExp;
  try {
    re = new RegExp(pattern, o.ignoreCase ? "i" : "");
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new FilterError(`${why}; escape special characters with \\ or set fixed: true`);
  }
  const cap = unboundedRepeats(pattern) === 2 ? LINE_CAP_TWO_REPEATS : LINE_CAP;
  return (s) => re.test(s.length > cap ? s.slice(0, cap) : s);
}

function timed(m: Matcher, deadline: number): Matcher {
  return (s) => {
    if (Date.now() > deadline)
      throw new FilterError(
        `regex matching took over ${DEADLINE_MS} ms; simplify the pattern or use fixed: true`,
      );
    return m(s);
  };
}

/**
 * A structural screen for backtracking blow-ups, on a pattern RegExp has already accepted: a repeated
 * group may not contain a repeat or an alternation (`(a+)+`, `(a|ab)*`), and at most two unbounded
 * repeats are allowed. Returns the number of unbounded repeats.
 */
function unboundedRepeats(p: string): number {
  const nested =
    "a repeated group contains a repeat or |, which can backtrack catastrophically; " +
    "repeat a character class instead, e.g. [ab]+ not (a|b)+ and \\w+ not (\\w+)+, or use fixed: true";
  const groups: boolean[] = [false]; // per open group: contains a repeat or |
  let lastGroupRisky: boolean | undefined; // the atom before a quantifier, when it is a group
  let unbounded = 0;
  const quantifier = /[*+?]|\{(\d+)(,(\d*))?\}/y;
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    quantifier.lastIndex = i;
    const q = quantifier.exec(p);
    if (q) {
      const max = c === "?" ? 1 : c === "*" || c === "+" || (q[2] && !q[3]) ? Infinity : Number(q[3] ?? q[1]);
      if (max > 1 && lastGroupRisky) throw new FilterError(nested);
      if (max > 32) unbounded++;
      groups[groups.length - 1] = true;
      i += q[0].length - 1;
      if (p[i + 1] === "?") i++;
      lastGroupRisky = undefined;
      continue;
    }
    lastGroupRisky = undefined;
    if (c === "\\") i++;
    else if (c === "[") {
      for (i++; i < p.length && p[i] !== "]"; i++) if (p[i] === "\\") i++;
    } else if (c === "(") {
      groups.push(false);
      if (p[i + 1] === "?") i++; // (?: (?= (?<name> are groups, not a quantifier
    } else if (c === ")") {
      lastGroupRisky = groups.pop() ?? false;
      if (lastGroupRisky) groups[groups.length - 1] = true;
    } else if (c === "|") groups[groups.length - 1] = true;
  }
  if (unbounded > 2)
    throw new FilterError(
      `pattern has ${unbounded} unbounded repeats (* + {n,}); the limit is 2. Chain several grep steps instead`,
    );
  return unbounded;
}

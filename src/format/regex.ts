// Model-supplied regexes (grep patterns, jq's test) run only on V8's linear-time engine, so no pattern
// can backtrack exponentially and stall the process for every other caller. Constructs that engine
// cannot run (back-references, lookarounds, large counted repeats) are refused with what to do
// instead; if the engine is missing, regexes are refused too, never run on the backtracking engine.
import { setFlagsFromString } from "node:v8";
import { ToolError } from "../errors.js";
import { foldCase } from "./regex-case.js";

export class RegexError extends ToolError {}
export type Matcher = (s: string) => boolean;

export const MAX_PATTERN = 300;
/**
 * One match is one synchronous call costing about (line length × pattern length), so a regex sees a
 * line prefix of WORK_PER_LINE / pattern length characters, and never fewer than MIN_LINE_CAP.
 */
const WORK_PER_LINE = 3_000_000;
export const MIN_LINE_CAP = 10_000;

const WHY = "kube-mcp runs patterns on a linear-time engine, and this could take exponential time";

// The flag is process-wide and only adds the `l` regex flag; it is set on the first model regex, not at
// start-up, and whether it took is remembered because it cannot change afterwards.
let linear: boolean | undefined;
function linearEngine(): boolean {
  if (linear === undefined) {
    setFlagsFromString("--enable-experimental-regexp-engine");
    try {
      // biome-ignore lint/complexity/useRegexLiterals: a literal with the l flag would not even parse without the engine
      new RegExp("", "l");
      linear = true;
    } catch {
      linear = false;
    }
  }
  return linear;
}

/** A matcher for `pattern` that runs in time linear in the line; throws RegexError when refused. */
export function compileRegex(pattern: string, o: { ignoreCase?: boolean; fixed?: boolean } = {}): Matcher {
  if (pattern.length > MAX_PATTERN)
    throw new RegexError(`pattern is ${pattern.length} chars; the limit is ${MAX_PATTERN}`);
  if (o.fixed) {
    const p = o.ignoreCase ? pattern.toLowerCase() : pattern;
    return (s) => (o.ignoreCase ? s.toLowerCase() : s).includes(p);
  }
  if (!linearEngine())
    throw new RegexError(
      `this Node.js has no linear-time regex engine, so kube-mcp runs no regexes (a pattern could take exponential time); match plain text with fixed: true (grep -F) instead`,
    );
  const property = /\\[pP]\{/.exec(pattern);
  if (property)
    throw new RegexError(
      `Unicode property classes (${property[0]}…}) are not supported by the linear-time engine kube-mcp runs patterns on; use a character class instead, e.g. [A-Za-z] or [^\\x00-\\x7f] for non-ASCII`,
    );
  const re = build(pattern);
  const run = o.ignoreCase ? build(foldCase(pattern), pattern) : re;
  const cap = Math.max(MIN_LINE_CAP, Math.floor(WORK_PER_LINE / Math.max(1, pattern.length)));
  return (s) => run.test(s.length > cap ? s.slice(0, cap) : s);
}

function build(source: string, shown = source): RegExp {
  try {
    return new RegExp(source, "l");
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    if (/linear time/i.test(why)) throw new RegexError(refusal(shown));
    const what = why.replace(/^Invalid regular expression: \/.*\/\w*: /s, "");
    throw new RegexError(
      `invalid regex ${JSON.stringify(shown)}: ${what}; escape special characters with \\ or set fixed: true`,
    );
  }
}

/** Names the construct the engine refused, and what to write instead. */
function refusal(p: string): string {
  const outside = p.replace(/\\[\s\S]|\[(?:\\[\s\S]|[^\]\\])*\]/g, (m) => (m.startsWith("\\") ? m : "[]"));
  if (/\\[1-9]|\\k</.test(outside))
    return `back-references (\\1, \\k<name>) are not supported: ${WHY}. Match the repeated text itself, with plain text (grep -F, fixed: true) or a character class`;
  if (/\(\?<[=!]/.test(outside))
    return `lookbehind ((?<=…), (?<!…)) is not supported: ${WHY}. Match the preceding text as part of the pattern, or use several grep steps (grep A | grep B, grep -v to exclude)`;
  if (/\(\?[=!]/.test(outside))
    return `lookahead ((?=…), (?!…)) is not supported: ${WHY}. Use several grep steps instead, e.g. grep A | grep -v B for lines with A but not B`;
  const counts = [...outside.matchAll(/\{(\d+)(?:,(\d*))?\}/g)];
  const largest = counts.sort((a, b) => Number(b[2] || b[1]) - Number(a[2] || a[1]))[0];
  if (largest)
    return `counted repeats such as ${largest[0]} are not supported beyond {16} (nested counts multiply): ${WHY}. Split the count, e.g. [0-9a-f]{16}[0-9a-f]{16} for 32, or use an open repeat such as [0-9a-f]+`;
  return `this pattern is too large for the linear-time engine: ${WHY}. Simplify it, use a character class, or split it into several grep steps`;
}

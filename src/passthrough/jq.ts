// A safe subset of jq for the passthrough tools' `filter`, written here so nothing is ever evaluated as
// code and no dependency is needed: a tokenizer, a recursive-descent parser to a small AST, and an
// evaluator over parsed JSON. Work is bounded: query length and nesting, values produced, results, and
// the size of strings and arrays built; the caller's interrupt can stop a run (its deadline), and
// regexes come from the caller, who compiles them for a linear-time engine.
import { ToolError } from "../errors.js";
import type { Matcher } from "../format/regex.js";

export class JqError extends ToolError {}
/** A bound was hit; `?` and `//` never hide it. */
class JqLimit extends JqError {}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export interface JqOptions {
  /** Strings unquoted, like `jq -r`. */
  raw?: boolean;
  /** Compiles a regex for `test`; throws for patterns it refuses. */
  regex: (pattern: string, ignoreCase: boolean) => Matcher;
  /** Called every INTERRUPT_EVERY values; throws to stop the run (a deadline, a cancelled call). */
  interrupt?: () => void;
}

const MAX_QUERY = 1000;
const MAX_DEPTH = 64;
const MAX_RESULTS = 100_000;
const MAX_VALUES = 1_000_000;
const MAX_SIZE = 10_000_000;
const INTERRUPT_EVERY = 1024;

type Node =
  | { t: "id" }
  | { t: "lit"; v: Json }
  | { t: "index"; of: Node; key: Node }
  | { t: "slice"; of: Node; from?: Node; to?: Node }
  | { t: "iter"; of: Node }
  | { t: "try"; of: Node }
  | { t: "pipe" | "comma"; l: Node; r: Node }
  | { t: "bin"; op: string; l: Node; r: Node }
  | { t: "arr"; of?: Node }
  | { t: "obj"; entries: [Node, Node][] }
  | { t: "call"; fn: string; args: Node[] };

interface Run {
  budget: number;
  opts: JqOptions;
  regexes: Map<string, Matcher>;
}
type Fn = (x: Json, a: Node[], r: Run) => Iterable<Json>;

const arg = (a: Node[], i: number): Node => a[i] as Node;
const FNS: Record<string, Fn> = {
  "length/0": (x) => [length(x)],
  "keys/0": (x) => [Array.isArray(x) ? x.map((_, i) => i) : Object.keys(obj(x, "keys")).sort()],
  "map/1": (x, a, r) => [iterate(x).flatMap((v) => all(arg(a, 0), v, r))],
  "select/1": (x, a, r) => all(arg(a, 0), x, r).flatMap((v) => (truthy(v) ? [x] : [])),
  "test/1": (x, a, r) => all(arg(a, 0), x, r).map((p) => test(x, p, "", r)),
  "test/2": (x, a, r) =>
    all(arg(a, 1), x, r).flatMap((f) => all(arg(a, 0), x, r).map((p) => test(x, p, f, r))),
  "has/1": (x, a, r) => all(arg(a, 0), x, r).map((k) => has(x, k)),
  "not/0": (x) => [!truthy(x)],
  "empty/0": () => [],
  "add/0": (x) => [iterate(x).reduce<Json>((s, v) => plus(s, v), null)],
  "first/0": (x) => [index(x, 0)],
  "last/0": (x) => [index(x, -1)],
  "sort/0": (x) => [[...list(x, "sort")].sort(compare)],
  "sort_by/1": (x, a, r) => [sortBy(list(x, "sort_by"), arg(a, 0), r).map(([, v]) => v)],
  "unique/0": (x) => [
    [...list(x, "unique")].sort(compare).filter((v, i, s) => i === 0 || compare(s[i - 1] as Json, v)),
  ],
  "to_entries/0": (x) => [Object.entries(obj(x, "to_entries")).map(([key, value]) => ({ key, value }))],
  "type/0": (x) => [typeOf(x)],
  "tostring/0": (x) => [typeof x === "string" ? x : JSON.stringify(x)],
  "tonumber/0": (x) => [toNumber(x)],
  "join/1": (x, a, r) => all(arg(a, 0), x, r).map((s) => join(list(x, "join"), str(s, "join"))),
  "split/1": (x, a, r) => all(arg(a, 0), x, r).map((s) => str(x, "split").split(str(s, "split"))),
  "startswith/1": (x, a, r) =>
    all(arg(a, 0), x, r).map((s) => str(x, "startswith").startsWith(str(s, "startswith"))),
  "endswith/1": (x, a, r) => all(arg(a, 0), x, r).map((s) => str(x, "endswith").endsWith(str(s, "endswith"))),
  "ascii_downcase/0": (x) => [str(x, "ascii_downcase").toLowerCase()],
};

export const JQ_SUPPORTED =
  'Supported jq: . .a .a.b .["k-8s"] .[0] .[-1] .[2:5] .[] .a[]? | , () [..] {a: .x, b, ("k"): 1} ' +
  '"str" 1 true false null == != < <= > >= and or // + -; functions: ' +
  `${Object.keys(FNS)
    .map((f) => f.replace(/\/0$/, "").replace("/1", "(x)").replace("/2", "(x; y)"))
    .join(" ")}. Not supported: variables, if, reduce, def, .., string interpolation.`;

const CMP: Record<string, (c: number) => boolean> = {
  "==": (c) => c === 0,
  "!=": (c) => c !== 0,
  "<": (c) => c < 0,
  "<=": (c) => c <= 0,
  ">": (c) => c > 0,
  ">=": (c) => c >= 0,
};
const UNSUPPORTED = new Set("if then else elif end as reduce foreach def try catch label".split(" "));

export function runJq(text: string, query: string, opts: JqOptions): string[] {
  if (query.length > MAX_QUERY)
    throw new JqError(`query is ${query.length} chars; the limit is ${MAX_QUERY}`);
  const ast = new Parser(tokenize(query)).parse();
  const r: Run = { budget: MAX_VALUES, opts, regexes: new Map() };
  const out: string[] = [];
  try {
    for (const input of parseInput(text)) {
      for (const v of ev(ast, input, r)) {
        if (out.length >= MAX_RESULTS)
          throw new JqLimit(`more than ${MAX_RESULTS} results; narrow the query`);
        out.push(opts.raw && typeof v === "string" ? v : JSON.stringify(v));
      }
    }
  } catch (e) {
    if (e instanceof RangeError) throw new JqError(`input too large or too deeply nested (${e.message})`);
    throw e;
  }
  return out;
}

/** One JSON document, or JSON lines (e.g. structured logs). */
function parseInput(text: string): Json[] {
  if (text.trim() === "") return [];
  try {
    return [JSON.parse(text) as Json];
  } catch (e) {
    const lines = text.split("\n").filter((l) => l.trim() !== "");
    if (lines.length > 1) {
      try {
        return lines.map((l) => JSON.parse(l) as Json);
      } catch {}
    }
    const why = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").slice(0, 200);
    throw new JqError(`input is not JSON (${why}); ask the command for JSON, e.g. -o json`);
  }
}

interface Tok {
  k: "field" | "ident" | "str" | "num" | "punct" | "end";
  v: string;
  at: number;
}

function tokenize(q: string): Tok[] {
  const re =
    /(\.[A-Za-z_]\w*)|([A-Za-z_]\w*)|("(?:[^"\\]|\\.)*")|(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|(==|!=|<=|>=|\/\/|\.\.|\S)/y;
  const toks: Tok[] = [];
  for (let i = 0; ; ) {
    while (i < q.length && /\s/.test(q[i] as string)) i++;
    if (i >= q.length) return [...toks, { k: "end", v: "", at: i }];
    re.lastIndex = i;
    const m = re.exec(q) as RegExpExecArray;
    const k = m[1] ? "field" : m[2] ? "ident" : m[3] ? "str" : m[4] ? "num" : "punct";
    if (m[0] === '"') throw new JqError(`unterminated string at position ${i}`);
    toks.push({ k, v: m[0], at: i });
    i += m[0].length;
  }
}

const ID: Node = { t: "id" };
const lit = (v: Json): Node => ({ t: "lit", v });

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly toks: Tok[]) {}

  private get tok(): Tok {
    return this.toks[this.i] as Tok;
  }
  private next(): Tok {
    return this.toks[this.i++] as Tok;
  }
  private eat(v: string): boolean {
    const ok = (this.tok.k === "punct" || this.tok.k === "ident") && this.tok.v === v;
    if (ok) this.i++;
    return ok;
  }
  private fail(msg: string): JqError {
    const near = this.tok.k === "end" ? "the end" : `"${this.tok.v}"`;
    return new JqError(`${msg} at position ${this.tok.at} (near ${near}). ${JQ_SUPPORTED}`);
  }
  private expect(v: string): void {
    if (!this.eat(v))
      throw this.fail(UNSUPPORTED.has(this.tok.v) ? `"${this.tok.v}" is not supported` : `expected "${v}"`);
  }

  parse(): Node {
    const n = this.pipe(false);
    if (this.tok.k !== "end")
      throw this.fail(`${UNSUPPORTED.has(this.tok.v) ? "not supported:" : "unexpected"} "${this.tok.v}"`);
    return n;
  }

  /** In object values a comma separates entries, so it is not an operator there. */
  private pipe(noComma: boolean): Node {
    if (++this.depth > MAX_DEPTH) throw new JqError(`query nested more than ${MAX_DEPTH} levels deep`);
    const next = () => (noComma ? this.alt() : this.comma());
    let n = next();
    while (this.eat("|")) n = { t: "pipe", l: n, r: next() };
    this.depth--;
    return n;
  }
  private comma(): Node {
    let n = this.alt();
    while (this.eat(",")) n = { t: "comma", l: n, r: this.alt() };
    return n;
  }
  private alt(): Node {
    const l = this.or();
    return this.eat("//") ? { t: "bin", op: "//", l, r: this.alt() } : l;
  }
  private or(): Node {
    let n = this.and();
    while (this.eat("or")) n = { t: "bin", op: "or", l: n, r: this.and() };
    return n;
  }
  private and(): Node {
    let n = this.cmp();
    while (this.eat("and")) n = { t: "bin", op: "and", l: n, r: this.cmp() };
    return n;
  }
  private cmp(): Node {
    const l = this.sum();
    const op = this.tok.v;
    if (this.tok.k !== "punct" || !(op in CMP)) return l;
    this.i++;
    return { t: "bin", op, l, r: this.sum() };
  }
  private sum(): Node {
    let n = this.postfix();
    for (let op = this.tok.v; this.tok.k === "punct" && (op === "+" || op === "-"); op = this.tok.v) {
      this.i++;
      n = { t: "bin", op, l: n, r: this.postfix() };
    }
    return n;
  }
  private postfix(): Node {
    let n = this.primary();
    for (;;) {
      const next = this.toks[this.i + 1];
      if (this.tok.k === "field") {
        n = { t: "index", of: n, key: lit(this.tok.v.slice(1)) };
        this.i++;
      } else if (this.tok.v === "." && this.tok.k === "punct" && (next?.k === "str" || next?.v === "[")) {
        this.i++;
        if (next.k === "str") n = { t: "index", of: n, key: this.literal() };
      } else if (this.eat("[")) n = this.bracket(n);
      else if (this.eat("?")) n = { t: "try", of: n };
      else return n;
    }
  }
  private bracket(of: Node): Node {
    if (this.eat("]")) return { t: "iter", of };
    const from = this.tok.v === ":" ? undefined : this.pipe(false);
    if (!this.eat(":")) {
      this.expect("]");
      return { t: "index", of, key: from as Node };
    }
    const to = this.tok.v === "]" ? undefined : this.pipe(false);
    this.expect("]");
    return { t: "slice", of, ...(from && { from }), ...(to && { to }) };
  }
  private primary(): Node {
    const t = this.tok;
    if (t.k === "field") return ID;
    if (t.k === "str") return this.literal();
    if (t.k === "ident") return this.word();
    if (t.k === "num" || (t.v === "-" && this.toks[this.i + 1]?.k === "num")) {
      const neg = this.eat("-");
      const v = Number(this.tok.v);
      this.i++;
      return lit(neg ? -v : v);
    }
    if (this.eat(".")) return this.tok.k === "str" ? { t: "index", of: ID, key: this.literal() } : ID;
    if (this.eat("(")) {
      const n = this.pipe(false);
      this.expect(")");
      return n;
    }
    if (this.eat("[")) {
      if (this.eat("]")) return { t: "arr" };
      const of = this.pipe(false);
      this.expect("]");
      return { t: "arr", of };
    }
    if (this.eat("{")) return this.object();
    if (t.v === "$" || t.v === "@" || t.v === "..")
      throw this.fail(`"${t.v}" (variables, formats, ..) is not supported`);
    throw this.fail(t.k === "end" ? "query ends too early" : `unexpected "${t.v}"`);
  }
  private literal(): Node {
    try {
      return lit(JSON.parse(this.tok.v) as string);
    } catch {
      throw this.fail(
        this.tok.v.includes("\\(")
          ? "string interpolation is not supported; join strings with +"
          : 'bad string literal; double each backslash, e.g. "\\\\d+"',
      );
    } finally {
      this.i++;
    }
  }
  private word(): Node {
    const name = this.tok.v;
    this.i++;
    if (name === "true" || name === "false" || name === "null") return lit(JSON.parse(name) as Json);
    if (UNSUPPORTED.has(name)) throw this.fail(`"${name}" is not supported`);
    const args: Node[] = [];
    if (this.eat("(")) {
      do args.push(this.pipe(false));
      while (this.eat(";"));
      this.expect(")");
    }
    const fn = `${name}/${args.length}`;
    if (!(fn in FNS)) {
      const dash = this.toks[this.i - 2]?.v === "-" ? ' For keys with "-", write .["my-key"].' : "";
      throw new JqError(`unknown function ${fn}.${dash} ${JQ_SUPPORTED}`);
    }
    return { t: "call", fn, args };
  }
  private object(): Node {
    const entries: [Node, Node][] = [];
    if (!this.eat("}")) {
      do entries.push(this.entry());
      while (this.eat(","));
      this.expect("}");
    }
    return { t: "obj", entries };
  }
  private entry(): [Node, Node] {
    const t = this.tok;
    let key: Node;
    if (t.k === "ident" || t.k === "str") {
      key = t.k === "str" ? this.literal() : lit(this.next().v);
      if (!this.eat(":")) return [key, { t: "index", of: ID, key }];
    } else if (this.eat("(")) {
      key = this.pipe(false);
      this.expect(")");
      this.expect(":");
    } else throw this.fail('object keys are names, "strings" or (expressions)');
    return [key, this.pipe(true)];
  }
}

/** Values are generated one at a time, as in jq, so `?` and `//` keep what came before an error. */
function* ev(n: Node, x: Json, r: Run): Generator<Json> {
  for (const v of evNode(n, x, r)) {
    if (--r.budget < 0)
      throw new JqLimit(`query produced more than ${MAX_VALUES} values; select before projecting`);
    if (r.budget % INTERRUPT_EVERY === 0) r.opts.interrupt?.();
    yield v;
  }
}
const all = (n: Node, x: Json, r: Run): Json[] => [...ev(n, x, r)];

function* evNode(n: Node, x: Json, r: Run): Generator<Json> {
  switch (n.t) {
    case "id":
      return yield x;
    case "lit":
      return yield n.v;
    case "index":
      for (const v of ev(n.of, x, r)) for (const k of ev(n.key, x, r)) yield index(v, k);
      return;
    case "slice":
      for (const v of ev(n.of, x, r))
        for (const a of n.from ? ev(n.from, x, r) : [null])
          for (const b of n.to ? ev(n.to, x, r) : [null]) yield slice(v, a, b);
      return;
    case "iter":
      for (const v of ev(n.of, x, r)) yield* iterate(v);
      return;
    case "try":
      return yield* recover(ev(n.of, x, r));
    case "pipe":
      for (const v of ev(n.l, x, r)) yield* ev(n.r, v, r);
      return;
    case "comma":
      yield* ev(n.l, x, r);
      return yield* ev(n.r, x, r);
    case "arr":
      return yield n.of ? all(n.of, x, r) : [];
    case "obj":
      return yield* construct(n.entries, x, r);
    case "call":
      return yield* (FNS[n.fn] as Fn)(x, n.args, r);
    case "bin":
      return yield* binary(n.op, n.l, n.r, x, r);
  }
}

/** jq's `try`: an error ends the generator quietly, unless it is a bound. */
function* recover(values: Iterable<Json>): Generator<Json> {
  try {
    yield* values;
  } catch (e) {
    if (!(e instanceof JqError) || e instanceof JqLimit) throw e;
  }
}

function* binary(op: string, l: Node, rn: Node, x: Json, r: Run): Generator<Json> {
  if (op === "//") {
    let any = false;
    for (const v of recover(ev(l, x, r))) {
      if (!truthy(v)) continue;
      any = true;
      yield v;
    }
    if (!any) yield* ev(rn, x, r);
    return;
  }
  if (op === "and" || op === "or") {
    const short = op === "or";
    for (const a of ev(l, x, r)) {
      if (truthy(a) === short) yield short;
      else for (const b of ev(rn, x, r)) yield truthy(b);
    }
    return;
  }
  const f = CMP[op];
  const apply = f ? (a: Json, b: Json) => f(compare(a, b)) : op === "+" ? plus : minus;
  for (const b of ev(rn, x, r)) for (const a of ev(l, x, r)) yield apply(a, b);
}

function construct(entries: [Node, Node][], x: Json, r: Run): Json[] {
  let rows: [string, Json][][] = [[]];
  for (const [kn, vn] of entries) {
    const keys = all(kn, x, r).map((k) => str(k, "object key"));
    const vals = all(vn, x, r);
    r.budget -= rows.length * keys.length * vals.length;
    if (r.budget < 0) throw new JqLimit(`object construction produced more than ${MAX_VALUES} values`);
    rows = rows.flatMap((row) => keys.flatMap((k) => vals.map((v): [string, Json][] => [...row, [k, v]])));
  }
  return rows.map((row) => Object.fromEntries(row));
}

function typeOf(v: Json): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}
function isObject(v: Json): v is { [k: string]: Json } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
function truthy(v: Json): boolean {
  return v !== null && v !== false;
}
function preview(v: Json): string {
  const s = JSON.stringify(v);
  return `${typeOf(v)} (${s.length > 30 ? `${s.slice(0, 30)}...` : s})`;
}
function obj(v: Json, fn: string): { [k: string]: Json } {
  if (isObject(v)) return v;
  throw new JqError(`${fn} needs an object, got ${preview(v)}`);
}
function list(v: Json, fn: string): Json[] {
  if (Array.isArray(v)) return v;
  throw new JqError(`${fn} needs an array, got ${preview(v)}`);
}
function str(v: Json, fn: string): string {
  if (typeof v === "string") return v;
  throw new JqError(`${fn} needs a string, got ${preview(v)}`);
}

function index(v: Json, k: Json): Json {
  if (v === null && (typeof k === "string" || typeof k === "number")) return null;
  if (typeof k === "string" && isObject(v)) return Object.hasOwn(v, k) ? (v[k] as Json) : null;
  if (typeof k === "number" && Array.isArray(v)) return v.at(Math.floor(k)) ?? null;
  throw new JqError(`cannot index ${preview(v)} with ${typeof k === "string" ? `"${k}"` : preview(k)}`);
}
function slice(v: Json, a: Json, b: Json): Json {
  if (v === null) return null;
  if ((a !== null && typeof a !== "number") || (b !== null && typeof b !== "number"))
    throw new JqError("slice bounds must be numbers");
  if (typeof v !== "string" && !Array.isArray(v)) throw new JqError(`cannot slice ${preview(v)}`);
  return v.slice(a === null ? 0 : Math.floor(a), b === null ? v.length : Math.ceil(b));
}
function iterate(v: Json): Json[] {
  if (Array.isArray(v)) return v;
  if (isObject(v)) return Object.values(v);
  throw new JqError(`cannot iterate over ${preview(v)}; use .a[]? to skip values that are not arrays`);
}
function length(v: Json): number {
  if (typeof v === "boolean") throw new JqError("boolean has no length");
  if (typeof v === "number") return Math.abs(v);
  if (typeof v === "string") return [...v].length;
  return v === null ? 0 : Array.isArray(v) ? v.length : Object.keys(v).length;
}
function has(v: Json, k: Json): boolean {
  if (isObject(v) && typeof k === "string") return Object.hasOwn(v, k);
  if (Array.isArray(v) && typeof k === "number") return k >= 0 && k < v.length;
  throw new JqError(`cannot check whether ${preview(v)} has key ${preview(k)}`);
}
function toNumber(v: Json): number {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
  if (Number.isNaN(n)) throw new JqError(`cannot parse ${preview(v)} as a number`);
  return n;
}
function join(items: Json[], sep: string): string {
  const parts = items.map((v) => (v === null ? "" : typeof v === "object" ? str(v, "join") : String(v)));
  return sized(parts.join(sep));
}
function test(s: Json, pattern: Json, flags: Json, r: Run): boolean {
  const p = str(pattern, "test");
  if (flags !== "" && flags !== "i") throw new JqError('test flags: only "i" is supported');
  const key = `${flags}/${p}`;
  const m = r.regexes.get(key) ?? r.opts.regex(p, flags === "i");
  r.regexes.set(key, m);
  return m(str(s, "test"));
}
function sortBy(items: Json[], f: Node, r: Run): [Json, Json][] {
  return items.map((v): [Json, Json] => [all(f, v, r), v]).sort((a, b) => compare(a[0], b[0]));
}
function sized<T extends string | Json[]>(v: T): T {
  if (v.length > MAX_SIZE) throw new JqLimit(`a value grew past ${MAX_SIZE} elements`);
  return v;
}

function plus(a: Json, b: Json): Json {
  if (a === null) return b;
  if (b === null) return a;
  if (typeof a === "number" && typeof b === "number") return a + b;
  if (typeof a === "string" && typeof b === "string") return sized(a + b);
  if (Array.isArray(a) && Array.isArray(b)) return sized([...a, ...b]);
  if (isObject(a) && isObject(b)) return { ...a, ...b };
  throw new JqError(`cannot add ${preview(a)} and ${preview(b)}`);
}
function minus(a: Json, b: Json): Json {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (Array.isArray(a) && Array.isArray(b)) return a.filter((v) => !b.some((w) => compare(v, w) === 0));
  throw new JqError(`cannot subtract ${preview(b)} from ${preview(a)}`);
}

const ORDER = ["null", "boolean", "number", "string", "array", "object"];
/** jq's total order: null < false < true < numbers < strings < arrays < objects. */
function compare(a: Json, b: Json): number {
  const d = ORDER.indexOf(typeOf(a)) - ORDER.indexOf(typeOf(b));
  if (d !== 0) return d;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compare(a[i] as Json, b[i] as Json);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a).sort();
    const byKeys = compare(keys, Object.keys(b).sort());
    const values = (o: { [k: string]: Json }) => keys.map((k) => o[k] as Json);
    return byKeys !== 0 ? byKeys : compare(values(a), values(b));
  }
  const [x, y] = [a, b] as [number | string, number | string];
  return x < y ? -1 : x > y ? 1 : 0;
}

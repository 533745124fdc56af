// kubectl's JSONPath output (`-o jsonpath=…`, `-o custom-columns=…`) evaluated in-process on objects
// that were already redacted, so templates cannot extract what redaction removed. Supported: text
// and {expr} blocks, {range EXPR}…{end}, string literals, and paths with .field, ['field'], [n],
// [a:b], [*], ..field and [?(@.path OP literal)] / [?(@.path)].
import { ToolError } from "../errors.js";
export class JsonPathError extends ToolError {}

type V = unknown;

function parsePath(expr: string): string[] {
  const steps: string[] = [];
  let i = 0;
  if (expr[0] === "$" || expr[0] === "@") i = 1;
  while (i < expr.length) {
    if (expr.startsWith("..", i)) {
      const m = /^\.\.([A-Za-z0-9_$-]+|\*)/.exec(expr.slice(i));
      if (!m) throw new JsonPathError(`bad recursive step at "${expr.slice(i)}"`);
      steps.push(`..${m[1]}`);
      i += m[0].length;
    } else if (expr[i] === ".") {
      const m = /^\.([A-Za-z0-9_$-]+|\*)?/.exec(expr.slice(i));
      if (m?.[1]) steps.push(m[1] === "*" ? "[*]" : `.${m[1]}`);
      i += m?.[0].length ?? 1;
    } else if (expr[i] === "[") {
      const end = expr.indexOf("]", expr[i + 1] === "?" ? expr.indexOf(")", i) : i);
      if (end < 0) throw new JsonPathError(`unclosed [ in "${expr}"`);
      steps.push(expr.slice(i, end + 1));
      i = end + 1;
    } else throw new JsonPathError(`unexpected "${expr[i]}" in "${expr}"`);
  }
  return steps;
}

const literal = (s: string): V => {
  const t = s.trim();
  if (/^(['"]).*\1$/.test(t)) return t.slice(1, -1);
  if (t === "true" || t === "false") return t === "true";
  return Number.isNaN(Number(t)) ? t : Number(t);
};

function children(v: V): V[] {
  if (Array.isArray(v)) return v;
  return v && typeof v === "object" ? Object.values(v) : [];
}

function descend(v: V, key: string, out: V[]): void {
  if (v && typeof v === "object") {
    if (!Array.isArray(v) && (key === "*" || key in v))
      out.push(key === "*" ? v : (v as Record<string, V>)[key]);
    for (const c of children(v)) descend(c, key, out);
  }
}

function applyStep(values: V[], step: string): V[] {
  const out: V[] = [];
  for (const v of values) {
    if (step.startsWith("..")) descend(v, step.slice(2), out);
    else if (step.startsWith(".")) {
      if (v && typeof v === "object" && !Array.isArray(v) && step.slice(1) in v)
        out.push((v as Record<string, V>)[step.slice(1)]);
    } else if (step === "[*]") out.push(...children(v));
    else if (step.startsWith("[?(")) {
      const m = /^\[\?\((@[^=!<>]*?)\s*(?:(==|!=|<=|>=|<|>)\s*(.+))?\)\]$/.exec(step);
      if (!m) throw new JsonPathError(`unsupported filter ${step}`);
      for (const item of children(v)) {
        const got = evalPath(item, m[1] as string);
        const want = m[3] === undefined ? undefined : literal(m[3]);
        const ok = got.some((g) => {
          if (m[2] === undefined) return g !== undefined && g !== null && g !== false;
          const a = g as number;
          const b = want as number;
          return m[2] === "=="
            ? g === want
            : m[2] === "!="
              ? g !== want
              : m[2] === "<"
                ? a < b
                : m[2] === ">"
                  ? a > b
                  : m[2] === "<="
                    ? a <= b
                    : a >= b;
        });
        if (ok) out.push(item);
      }
    } else {
      const inner = step.slice(1, -1).trim();
      if (/^['"]/.test(inner)) {
        const key = literal(inner) as string;
        if (v && typeof v === "object" && key in v) out.push((v as Record<string, V>)[key]);
      } else if (Array.isArray(v)) {
        const slice = /^(-?\d*):(-?\d*)$/.exec(inner);
        const idx = (n: string, dflt: number) =>
          n === "" ? dflt : Number(n) < 0 ? v.length + Number(n) : Number(n);
        if (slice) out.push(...v.slice(idx(slice[1] as string, 0), idx(slice[2] as string, v.length)));
        else if (/^-?\d+$/.test(inner)) {
          const item = v[idx(inner, 0)];
          if (item !== undefined) out.push(item);
        } else throw new JsonPathError(`unsupported index [${inner}]`);
      }
    }
  }
  return out;
}

export function evalPath(root: V, expr: string): V[] {
  return parsePath(expr.trim()).reduce<V[]>((vals, step) => applyStep(vals, step), [root]);
}

const show = (v: V) => (typeof v === "string" ? v : JSON.stringify(v));

/** Renders a kubectl JSONPath template, e.g. `{range .items[*]}{.metadata.name}{"\n"}{end}`. */
export function renderTemplate(template: string, root: V): string {
  const parts: { text?: string; expr?: string }[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf("{", i);
    if (open < 0) {
      parts.push({ text: template.slice(i) });
      break;
    }
    if (open > i) parts.push({ text: template.slice(i, open) });
    const close = template.indexOf("}", open);
    if (close < 0) throw new JsonPathError("unclosed { in the template");
    parts.push({ expr: template.slice(open + 1, close).trim() });
    i = close + 1;
  }
  let pos = 0;
  const run = (ctx: V, stopAtEnd: boolean): string => {
    let out = "";
    while (pos < parts.length) {
      const p = parts[pos++] as { text?: string; expr?: string };
      if (p.text !== undefined) out += p.text;
      else if (p.expr === "end") {
        if (!stopAtEnd) throw new JsonPathError("{end} without {range}");
        return out;
      } else if (p.expr?.startsWith("range ")) {
        const items = evalPath(ctx, p.expr.slice(6));
        const start = pos;
        if (!items.length) run(ctx, true);
        for (const item of items) {
          pos = start;
          out += run(item, true);
        }
      } else if (/^(['"]).*\1$/s.test(p.expr ?? "")) {
        out += (literal(p.expr as string) as string).replace(/\\n/g, "\n").replace(/\\t/g, "\t");
      } else
        out += evalPath(ctx, p.expr as string)
          .map(show)
          .join(" ");
    }
    if (stopAtEnd) throw new JsonPathError("{range} without {end}");
    return out;
  };
  return run(root, false);
}

/** `NAME:.metadata.name,NODE:.spec.nodeName` over a list (or one object) → a table. */
export function customColumns(spec: string, root: V): string {
  const cols = spec.split(",").map((c) => {
    const at = c.indexOf(":");
    if (at <= 0) throw new JsonPathError(`custom column "${c}" must be NAME:.path`);
    return { name: c.slice(0, at), path: c.slice(at + 1) };
  });
  const items =
    root && typeof root === "object" && Array.isArray((root as { items?: V[] }).items)
      ? (root as { items: V[] }).items
      : [root];
  const rows = items.map((it) =>
    cols.map(
      (c) =>
        evalPath(it, c.path.replace(/^\{|\}$/g, ""))
          .map(show)
          .join(",") || "<none>",
    ),
  );
  const widths = cols.map((c, i) => Math.max(c.name.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((x, i) => x.padEnd((widths[i] as number) + 3))
      .join("")
      .trimEnd();
  return [line(cols.map((c) => c.name)), ...rows.map(line)].join("\n");
}

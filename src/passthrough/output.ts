// CLI output goes through the same redaction as the typed tools, decided from the command that ran,
// and is fully redacted here, before the caller's `filter` sees it (a `grep KEY | cut -f2` must never
// find a bare value):
// - JSON and YAML (also kube-mcp's own jsonpath/custom-columns, rendered from JSON) are parsed and
//   redacted structurally (Secrets, last-applied, env literals, Helm values), then every leaf under a
//   credential name is masked and every string leaf gets the text backstop. Structured output that
//   cannot be parsed (e.g. cut by the byte cap) is withheld: base64 Secret data would slip past any
//   regex.
// - describe-like text (`kubectl describe`, `kubectl rollout history --revision N`, which prints a
//   pod template) gets the text backstop (every `Name: value` line at any indent), plus what only
//   describe prints: multi-word labels ("Master Key:"), flag and value on separate Args lines,
//   `Name:`/`Value:` line pairs, and ConfigMap data blocks (`KEY:`, `----`, value lines). Secret
//   describe prints sizes only and stays as it is.
// - every other text (tables, logs, notes, help) gets the text backstop, and in tables (kubectl get,
//   helm list, …) the cells under a credential-named column (a CRD printer column such as PASSWORD).
// Text outputs that could carry Secret data where no name marks it are not reached as text: the
// grammars refuse them (`helm get all`, `argocd app manifests|diff`, `istioctl proxy-config secret`,
// templates on Secrets) or they are parsed (`-o json|yaml`, `helm get manifest|hooks|values`).
// Every value masked along the way is also masked wherever else it appears in the same output (an
// annotation or another ConfigMap key holding a copy), here rather than only at the answer's edge:
// the filter comes next and could reshape a copy (`jq 'split("-")'`, `cut -d- -f2-`) so that no later
// pass recognises it. Structured output that was cut by the byte cap is withheld: a cut YAML list
// still parses, and the cut can fall after an item's `data` but before its `kind: Secret`.
import { parseAllDocuments, stringify } from "yaml";
import { ToolError } from "../errors.js";
import { KnownSecrets } from "../policy/known.js";
import { redactObject } from "../policy/redact.js";
import { NOT_SECRET, redactText } from "../policy/redact-text.js";
import { isCredentialFlag, isCredentialName } from "../policy/vocabulary.js";
import { lastFlag, type Parsed } from "./grammar.js";
import { customColumns, renderTemplate } from "./jsonpath.js";

/** Output that could not be redacted, so it is not shown; a ToolError, so it reaches the model as it is. */
export class Withheld extends ToolError {}

export type Kind =
  | "json"
  | "yaml"
  | "describe"
  | "helm-values"
  | "helm-status"
  | "annotations"
  | "text"
  | "jsonpath"
  | "custom-columns";

const REDACTED = "<redacted>";

/** The template of `-o jsonpath=T` / `-o custom-columns=SPEC`, which kube-mcp renders itself. */
export function templateOf(p: Parsed): { kind: "jsonpath" | "custom-columns"; template: string } | undefined {
  const o = p.flags.filter((f) => f.name === "output").at(-1)?.value ?? "";
  const m = /^(jsonpath|custom-columns)=(.*)$/s.exec(o);
  return m
    ? { kind: m[1] as "jsonpath" | "custom-columns", template: (m[2] as string).replace(/^'(.*)'$/s, "$1") }
    : undefined;
}

/** What any binary prints for `-o json|yaml`, and text otherwise (tables, notes, help). */
export function plainKind(p: Parsed): Kind {
  const o = lastFlag(p, "output");
  return o === "json" || o === "yaml" ? o : "text";
}

/** kubectl's output: templates kube-mcp renders, annotation and label lists, describe-like text. */
export function kubectlKind(p: Parsed): Kind {
  const t = templateOf(p);
  if (t) return t.kind;
  const o = lastFlag(p, "output");
  if (o === "json" || o === "yaml") return o;
  const list = p.flags.some((f) => f.name === "list" && f.value !== "false");
  if (["annotate", "label"].includes(p.path[0] ?? "") && list && !o) return "annotations";
  if (p.path[0] === "describe") return "describe";
  const revision = p.flags.some((f) => f.name === "revision" && f.value !== "0");
  if (p.path.join(" ") === "rollout history" && revision && !o) return "describe";
  return "text";
}

/** helm's output: values masked by key name, manifests and charts as YAML, a release's status. */
export function helmKind(p: Parsed): Kind {
  const o = lastFlag(p, "output");
  if (p.path[0] === "get" && p.path[1] === "values") return o === "json" ? "json" : "helm-values";
  if (p.path[0] === "get" && ["manifest", "hooks", "all"].includes(p.path[1] ?? "")) return "yaml";
  // A chart's default values are masked by key name like a release's; Chart.yaml and CRDs are YAML.
  if (p.path[0] === "show" && p.path[1] !== "readme") return p.path[1] === "values" ? "helm-values" : "yaml";
  if (o === "json" || o === "yaml") return o;
  // Other status texts are rendered from the release JSON (helm-status.ts); this one has resources.
  if (p.path[0] === "status") return "helm-status";
  return "text";
}

const isPlaceholder = (v: string) => NOT_SECRET.test(v.trim());

/**
 * Masks scalars under credential names, the value of `{name: CREDENTIAL, value: …}` pairs (the env
 * shape CRDs copy) and the argument after a credential flag in an argv array (`["--db-pw", "…"]`),
 * and runs the text backstop over every other string.
 */
function maskValues(v: unknown, collect: Collect): unknown {
  const mask = (x: string | number) => {
    collect?.(String(x));
    return REDACTED;
  };
  if (typeof v === "string") return redactText(v, collect);
  if (Array.isArray(v))
    return v.map((x, i) => {
      const flag = v[i - 1];
      const afterFlag = typeof flag === "string" && isCredentialFlag(flag) && typeof x === "string";
      return afterFlag && !x.startsWith("-") && !isPlaceholder(x) ? mask(x) : maskValues(x, collect);
    });
  if (!v || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  const envPair = typeof o.name === "string" && isCredentialName(o.name);
  return Object.fromEntries(
    Object.entries(o).map(([k, x]) => {
      const secret = envPair && k === "value" ? true : isCredentialName(k);
      if (secret && typeof x === "number") return [k, mask(x)];
      if (secret && typeof x === "string" && !isPlaceholder(x)) return [k, mask(x)];
      return [k, maskValues(x, collect)];
    }),
  );
}

/** Told every value structural redaction masked, so the call can mask it wherever else it appears. */
type Collect = ((value: string) => void) | undefined;

const clean = (obj: unknown, reveal: boolean, collect: Collect) =>
  maskValues(redactObject(obj, { revealSecretValues: reveal, ...(collect ? { collect } : {}) }), collect);

export interface OutputOptions {
  reveal: boolean;
  /** kube-mcp's own -o jsonpath= / custom-columns= template. */
  template?: string;
  /** Told every masked value too (the call masks them in its errors and notes). */
  collect?: Collect;
  /** The binary printed more than the byte cap and the rest was dropped. */
  truncated?: boolean;
}

export function redactOutput(text: string, kind: Kind, opts: OutputOptions): string {
  if (!text.trim()) return text;
  if (opts.truncated && kind !== "text" && kind !== "describe" && kind !== "helm-status")
    throw new Withheld(
      "the output was longer than the byte cap and a cut structured output cannot be redacted reliably, so it is withheld; narrow the request (a namespace, a selector, one object) or ask for a table.",
    );
  const seen = new KnownSecrets();
  const collect = (value: string) => {
    seen.add(value);
    opts.collect?.(value);
  };
  return seen.mask(redact(text, kind, opts.reveal, opts.template ?? "", collect));
}

function redact(text: string, kind: Kind, reveal: boolean, template: string, collect: Collect): string {
  if (kind === "text") return redactText(redactTables(text, collect), collect);
  if (kind === "describe") return redactText(redactDescribe(text, collect), collect);
  if (kind === "annotations") return redactAnnotations(text, reveal, collect);
  // NOTES may print a value in prose no pattern finds; `helm get notes` renders them redacted.
  if (kind === "helm-status")
    return redact(
      text.replace(
        /^NOTES:\n[\s\S]*$/m,
        "NOTES: not shown with --show-resources; helm get notes shows them.\n",
      ),
      "text",
      reveal,
      template,
      collect,
    );
  if (kind === "jsonpath" || kind === "custom-columns") {
    let obj: unknown;
    try {
      obj = clean(JSON.parse(text), reveal, collect);
    } catch {
      throw new Withheld(
        "the output could not be parsed for redaction (was it cut by the size cap?), so it is withheld; narrow the request.",
      );
    }
    try {
      return kind === "jsonpath" ? renderTemplate(template, obj) : customColumns(template, obj);
    } catch (err) {
      throw new Withheld(`the ${kind} template could not be rendered: ${(err as Error).message}`);
    }
  }
  // `helm get values` prints a heading line ("USER-SUPPLIED VALUES:") before the YAML.
  const heading = kind === "helm-values" ? (/^[A-Z][A-Z -]*:\n/.exec(text)?.[0] ?? "") : "";
  if (heading) return heading + redact(text.slice(heading.length), kind, reveal, template, collect);
  try {
    if (kind === "json") return JSON.stringify(clean(JSON.parse(text), reveal, collect), null, 2);
    const docs = parseAllDocuments(text);
    if (docs.some((d) => d.errors.length)) throw new Error("invalid YAML");
    const objs = docs.map((d) => {
      const obj = d.toJS() as unknown;
      return kind === "helm-values" ? maskValues(obj, collect) : clean(obj, reveal, collect);
    });
    return objs.map((o) => stringify(o, { lineWidth: 0 }).trimEnd()).join("\n---\n");
  } catch {
    throw new Withheld(
      `the ${kind === "helm-values" ? "values" : kind.toUpperCase()} output could not be parsed for redaction (was it cut by the size cap?), so it is withheld; narrow the request (a namespace, a selector, one object).`,
    );
  }
}

/**
 * `kubectl annotate|label --list` prints `key=value` entries (a value may run over several lines).
 * Each is redacted as the annotation it is, so last-applied-configuration, which repeats the object
 * with its env literals and Secret data, is redacted structurally like everywhere else.
 */
function redactAnnotations(text: string, reveal: boolean, collect: Collect): string {
  const entries: [string, string][] = [];
  for (const line of text.split("\n")) {
    const m = /^([\w./-]{1,316})=(.*)$/.exec(line);
    const last = entries.at(-1);
    if (m) entries.push([m[1] as string, m[2] as string]);
    else if (last) last[1] += `\n${line}`;
    else entries.push(["", line]);
  }
  return entries
    .map(([key, value]) => {
      if (!key) return redactText(value, collect);
      const obj = clean({ kind: "Unknown", metadata: { annotations: { [key]: value } } }, reveal, collect);
      const shown = (obj as { metadata: { annotations: Record<string, unknown> } }).metadata.annotations[key];
      return `${key}=${typeof shown === "string" ? shown : JSON.stringify(shown)}`;
    })
    .join("\n");
}

/**
 * What a command that failed without an error message printed, for the error it becomes: redacted as
 * its output would have been, or a sentence when that is not possible (a cut or partial JSON list).
 */
export function redactFailedOutput(text: string, kind: Kind, opts: OutputOptions): string {
  try {
    return redactOutput(text, kind, opts);
  } catch (err) {
    if (err instanceof Withheld) return "(its output could not be redacted, so it is not shown)";
    throw err;
  }
}

const LABEL = /^([ \t]*)([A-Za-z][\w.-]{0,63}(?: [\w.-]{1,64}){0,4}):([ \t]+)(\S.*)$/;
const FLAG_ALONE = /^[ \t]*--?([A-Za-z][\w.-]{0,63})$/;
const DATA_KEY = /^(\S.{0,252}):$/;

/** What describe prints that the text backstop cannot see line by line. */
export function redactDescribe(text: string, collect?: Collect): string {
  const mask = (value: string) => {
    collect?.(value.trim());
    return REDACTED;
  };
  const lines = text.split("\n");
  let maskBlock = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const next = lines[i + 1];
    // ConfigMap data: `KEY:`, `----`, then value lines up to the next key or section.
    const key = next === "----" ? DATA_KEY.exec(line)?.[1] : undefined;
    if (key !== undefined) {
      maskBlock = isCredentialName(key);
      i++;
      continue;
    }
    if (next === "====" || /^(?:Events|BinaryData):/.test(line) || (next === undefined && line === "")) {
      maskBlock = false;
      continue;
    }
    if (maskBlock) {
      if (line.trim() !== "" && line !== REDACTED) lines[i] = mask(line);
      continue;
    }
    const label = LABEL.exec(line);
    if (label) {
      const [, indent, name = "", space, value = ""] = label;
      if (isCredentialName(name) && !isPlaceholder(value))
        lines[i] = `${indent}${name}:${space}${mask(value)}`;
      // `Name: DB_PWD` then `Value: …` (env-like lists in CRDs).
      const pair = /^([ \t]*)Value:([ \t]+)\S/.exec(next ?? "");
      if (/^Name$/i.test(name) && isCredentialName(value.trim()) && pair && pair[1] === indent) {
        mask((next ?? "").slice(pair[0].length - 1));
        lines[i + 1] = `${pair[1]}Value:${pair[2]}${REDACTED}`;
        i++;
      }
      continue;
    }
    // Args and Command print one word per line: `--db-pw` then its value.
    const flag = FLAG_ALONE.exec(line)?.[1];
    if (flag && next !== undefined && isCredentialName(flag)) {
      const value = next.trim();
      if (value && !value.startsWith("-") && !/:$/.test(value)) {
        lines[i + 1] = next.replace(value, mask(value));
        i++;
      }
    }
  }
  return lines.join("\n");
}

/** Columns of a table header: two or more spaces or a tab between names, single spaces inside. */
function headerColumns(line: string): { name: string; start: number }[] | undefined {
  if (line.length > 2000 || !/^[A-Z]/.test(line)) return undefined;
  const cols: { name: string; start: number }[] = [];
  for (const m of line.matchAll(/[^ \t]+(?: [^ \t]+)*/g)) {
    if (!/^[A-Z][A-Z0-9_.()/ -]*$/.test(m[0])) return undefined;
    cols.push({ name: m[0], start: m.index });
  }
  return cols.length > 1 ? cols : undefined;
}

/** Cells of a row: by tab when the header is tab-separated (helm), else by the header's offsets. */
function cells(row: string, cols: { start: number }[], tabs: boolean): string[] {
  if (tabs) return row.split("\t");
  return cols.map((c, i) => row.slice(c.start, cols[i + 1]?.start ?? row.length));
}

/** Masks the cells under credential-named columns of every table in the text. */
export function redactTables(text: string, collect?: Collect): string {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const header = lines[i] as string;
    if (i > 0 && (lines[i - 1] as string).trim() !== "") continue;
    const cols = headerColumns(header);
    const secret = cols?.flatMap((c, k) => (isCredentialName(c.name) ? [k] : []));
    if (!cols || !secret?.length) continue;
    const tabs = header.includes("\t");
    for (i++; i < lines.length && (lines[i] as string).trim() !== ""; i++) {
      const row = cells(lines[i] as string, cols, tabs);
      for (const k of secret) {
        const cell = row[k];
        if (cell === undefined || isPlaceholder(cell) || cell.trim() === "") continue;
        // A plural column of numbers counts things (SECRETS of a ServiceAccount).
        if (/S$/.test(cols[k]?.name ?? "") && /^\s*\d+\s*$/.test(cell)) continue;
        const width = cell.length;
        const pad = cell.match(/\s*$/)?.[0] ?? "";
        collect?.(cell.trim());
        row[k] = k === row.length - 1 ? REDACTED : `${REDACTED}${pad || " "}`.padEnd(width);
      }
      lines[i] = row.join(tabs ? "\t" : "");
    }
  }
  return lines.join("\n");
}

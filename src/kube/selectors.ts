// Label selector objects (matchLabels + matchExpressions) to the query-string syntax the API accepts.
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export function selectorString(sel: LabelSelector | undefined): string {
  if (!sel) return "";
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const vals = (e.values ?? []).join(",");
    if (e.operator === "In") parts.push(`${e.key} in (${vals})`);
    else if (e.operator === "NotIn") parts.push(`${e.key} notin (${vals})`);
    else if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
  }
  return parts.join(",");
}

/** "90s", "10m", "2h30m", "1d" → seconds; undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text.trim());
  if (!m || !text.trim()) return undefined;
  const [d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number];
  return d * 86400 + h * 3600 + mi * 60 + s;
}

// The selector grammars the API server parses (labels.Parse, fields.ParseSelector), checked before a
// request so a malformed selector is refused with the rule it breaks instead of a server 400.
const KEY_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_RULES = {
  key: "a label key is an optional DNS subdomain prefix and '/', then a name of at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
  value:
    "a label value is empty or at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
  grammar:
    "a label selector is requirements joined by ',': key, !key, key=value, key==value, key!=value, key in (v1,v2), key notin (v1,v2), key>N or key<N",
};
const FIELD_RULE =
  "a field selector is terms joined by ',': field=value, field==value or field!=value; a field is letters, digits, '.', '-' and '_'; in a value, ',', '=' and '\\' are written \\, \\= and \\\\";

function keyProblem(key: string): string | undefined {
  const slash = key.indexOf("/");
  const [prefix, name] = slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== undefined && (prefix.length > 253 || !PREFIX.test(prefix))) return LABEL_RULES.key;
  return name.length <= 63 && KEY_NAME.test(name) ? undefined : LABEL_RULES.key;
}

const valueProblem = (v: string) => (v.length <= 63 && VALUE.test(v) ? undefined : LABEL_RULES.value);

/** Splits on commas outside parentheses ("a in (x,y),b" → two requirements). */
function requirements(sel: string): string[] | undefined {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of sel) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (depth < 0 || depth > 1) return undefined;
    if (ch === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (depth !== 0) return undefined;
  out.push(cur);
  return out;
}

/** What is wrong with a label selector (the part and the rule), or undefined when it parses. */
export function labelSelectorProblem(sel: string): string | undefined {
  if (!sel.trim()) return undefined;
  const reqs = requirements(sel);
  if (!reqs) return `unbalanced parentheses: ${LABEL_RULES.grammar}`;
  for (const raw of reqs) {
    const req = raw.trim();
    const m =
      /^(!?)\s*([^\s=!<>(),]+)$/.exec(req) ??
      /^()([^\s=!<>(),]+)\s*(==|=|!=)\s*([^\s=!<>(),]*)$/.exec(req) ??
      /^()([^\s=!<>(),]+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(req) ??
      /^()([^\s=!<>(),]+)\s*([<>])\s*(-?\d+)$/.exec(req);
    if (!m) return `"${req}" is not a requirement: ${LABEL_RULES.grammar}`;
    const [, , key = "", op, values = ""] = m;
    const bad = keyProblem(key);
    if (bad) return `"${key}": ${bad}`;
    if (op === "<" || op === ">") continue;
    const vals = op === "in" || op === "notin" ? values.split(",").map((v) => v.trim()) : [values];
    for (const v of op ? vals : []) {
      const vp = valueProblem(v);
      if (vp) return `"${v}": ${vp}`;
    }
  }
  return undefined;
}

/** What is wrong with a field selector, or undefined when it parses. */
export function fieldSelectorProblem(sel: string): string | undefined {
  if (!sel.trim()) return undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are refused
  if (/[\x00-\x1f\x7f]/.test(sel)) return `control characters: ${FIELD_RULE}`;
  for (const term of sel.split(/(?<!\\),/)) {
    const m = /^\s*([A-Za-z0-9._-]+)\s*(!=|==|=)(.*)$/.exec(term);
    if (!m) return `"${term}" is not a term: ${FIELD_RULE}`;
    // Only \\, \, and \= are escapes; an unescaped = is not allowed in a value.
    if (/\\(?![\\,=])|(?<!\\)=/.test((m[3] ?? "").replace(/\\\\/g, "")))
      return `"${term}" has an unescaped character: ${FIELD_RULE}`;
  }
  return undefined;
}

/** A value placed into a field selector kube-mcp builds itself, escaped so it stays one value. */
export const fieldValue = (v: string) => v.replace(/[\\,=]/g, (c) => `\\${c}`);

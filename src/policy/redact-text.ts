// The text redaction backstop (security notes §4, R6): credentials in free text (rendered YAML, logs,
// events, stderr), found by shape. Every regex here is written so that 2 MB of adversarial text stays
// linear. Pure; never throws.
import { isCredentialName } from "./vocabulary.js";

const REDACTED = "<redacted>";

/** A value that looks generated rather than like a word of prose: cuts false positives on "basic …". */
function looksLikeToken(s: string): boolean {
  if (s.length < 8 || s.startsWith("<redacted")) return false;
  return /[\d+/=_]/.test(s) || (/[A-Z]/.test(s.slice(1)) && /[a-z]/.test(s));
}

type Rule = [RegExp, string | ((match: string, ...groups: string[]) => string)];

// Every rule starts at a literal or behind a lookbehind, and each repeated class is followed by a
// character outside it, so a failed attempt costs at most one run: linear overall. Every repetition
// is also bounded, because V8 throws "Maximum call stack size exceeded" on multi-megabyte runs.
const RULES: Rule[] = [
  [/(?<![\w-])eyJ[\w-]{8,8192}\.eyJ[\w-]{8,8192}\.[\w-]{8,8192}/g, REDACTED],
  [
    /\b((?:proxy-)?authorization\\?["']?[ \t]{0,16}[:=][ \t]{0,16}\\?["']?)((?:bearer|basic|digest|token)[ \t]{1,16})?([^\s"',;&]{1,8192})/gi,
    (m, key, scheme, value) =>
      (scheme || looksLikeToken(value)) && !value.startsWith("<redacted")
        ? `${key}${scheme ?? ""}${REDACTED}`
        : m,
  ],
  [
    /\b(bearer|basic)([ \t]{1,16})([\w.~+/=-]{8,8192})/gi,
    (m, scheme, space, value) => (looksLikeToken(value) ? `${scheme}${space}${REDACTED}` : m),
  ],
  [/\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16}\b/g, REDACTED],
  [
    /\b(aws_secret_access_key\\?["']?[ \t]{0,16}[:=][ \t]{0,16}\\?["']?)[A-Za-z0-9/+=]{40,8192}/gi,
    `$1${REDACTED}`,
  ],
  [/\bgh[pousr]_[A-Za-z0-9]{36,8192}/g, REDACTED],
  [/\bgithub_pat_\w{60,8192}/g, REDACTED],
  [/\bglpat-[\w-]{20,8192}/g, REDACTED],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,8192}/g, REDACTED],
  [/\bAIza[\w-]{35}/g, REDACTED],
  [/(AccountKey=)[A-Za-z0-9+/=]{40,8192}/g, `$1${REDACTED}`],
  [/(SharedAccessSignature=)[^;\s"]{1,8192}/g, `$1${REDACTED}`],
  [/\bsk-(?:proj-|ant-)?[\w-]{20,8192}/g, (m) => (looksLikeToken(m.slice(3)) ? REDACTED : m)],
  // userinfo per RFC 3986 holds no / ? # @, which keeps "host:8080/path?x=a@b" intact.
  [
    /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,32}:\/\/[^:/\s@"]{0,256}:)[^@\s/?#"]{1,1024}(@)/gi,
    `$1${REDACTED}$2`,
  ],
  [/(\\?"auth\\?"[ \t]{0,16}:[ \t]{0,16}\\?")[A-Za-z0-9+/=]{8,8192}(?=\\?")/g, `$1${REDACTED}`],
  [/\b[a-z0-9]{6}\.[a-z0-9]{16}\b/g, REDACTED], // kubeadm bootstrap token
];

/**
 * The R6 backstop: masks credentials in free text. Idempotent; never throws. `collect` is told the
 * values masked by their key (`pwd=…`), which only their context marks, so a caller can mask a copy
 * that stands without one.
 */
export function redactText(text: string, collect?: (value: string) => void): string {
  try {
    const masked = new Set<string>();
    let out = redactPairs(redactPem(text), (value) => {
      if (masked.size < MAX_COPIES) masked.add(value);
      collect?.(value);
    });
    out = redactBlobs(maskCopies(out, masked));
    for (const [re, replacement] of RULES) {
      out = typeof replacement === "string" ? out.replace(re, replacement) : out.replace(re, replacement);
    }
    return out;
  } catch {
    // Fail closed: text that could not be scanned is not shown.
    return `<redacted: ${Buffer.byteLength(text, "utf8")} bytes that could not be scanned>`;
  }
}

// A value masked by its key is masked wherever else it stands in the same text, without one:
// "login password=X failed; X was refused". Shorter values would mask ordinary words.
const MAX_COPIES = 64;
const MIN_COPY = 8;
export function maskCopies(text: string, values: Iterable<string>): string {
  let out = text;
  for (const v of [...values].sort((a, b) => b.length - a.length))
    if (v.length >= MIN_COPY && !v.startsWith("<redacted") && out.includes(v))
      out = out.split(v).join(REDACTED);
  return out;
}

// A key and its separator, in the spellings of logs, configs, JSON (also escaped inside a string),
// headers and flags: `pwd=`, `"pass":`, `{\"password\":`, `X-Api-Key: `, `--db-pw=`, `--db-pw `.
// Whether the key is a credential is the vocabulary's call. The value is read by hand (readValue), so
// a key that is not a credential consumes nothing and its value is scanned for keys in turn. A key
// starts after a non-word character or after an escape (`\npassword=` inside a JSON string).
const PAIR = String.raw`(?:(?<![\w.\\-])|(?<=\\[nt]))(-{1,2})?(\\{0,3}["'])?([A-Za-z_][\w.-]{0,63})(?:\\{0,3}["'])?((?:[ \t]{0,16}:?=|[ \t]{0,16}:(?!:))[ \t]{0,256}|[ \t]{1,16})`;

/** Values that are references, switches, types (in --help) or already masked, not secrets. */
export const NOT_SECRET =
  /^(?:<(?:redacted|set to|none>|nil>|unset>|empty>|no value>)|(?:true|false|null|nil|none|~|string|strings|int|bool|duration)$|\$\{[\w.-]{1,256}\}$|\$\([\w.-]{1,256}\)$|\d{1,12} bytes$|\(v1:|[{[]|\*+$)/i;
const BLOCK_SCALAR = /^[|>][-+\d]{0,2}$/;

function redactPairs(text: string, collect?: (value: string) => void): string {
  const pair = new RegExp(PAIR, "g");
  const inString = escapedLines(text);
  let out = "";
  let pos = 0;
  for (let m = pair.exec(text); m; m = pair.exec(text)) {
    const [head, dashes, keyQuote, key = "", sep = ""] = m;
    const assigned = /[:=]/.test(sep);
    if (!(assigned || dashes) || !isCredentialName(key)) continue;
    const start = m.index + head.length;
    const escaped = inString(m.index) || /^\\/.test(keyQuote ?? "");
    // `key: value` in a YAML, header or describe line runs to the end of the line.
    const toEol = !keyQuote && !escaped && /:[ \t]/.test(sep);
    const [from, to] = readValue(
      text,
      start,
      toEol ? "eol" : escaped ? "escaped" : keyQuote ? "json" : "word",
    );
    const value = text.slice(from, to);
    if (toEol && BLOCK_SCALAR.test(value)) {
      const end = blockEnd(text, to);
      if (end === to) continue;
      for (const line of text.slice(to, end).split("\n")) if (line.trim()) collect?.(line.trim());
      out += `${text.slice(pos, to)}\n${" ".repeat(indentAt(text, m.index) + 2)}${REDACTED}`;
      pos = pair.lastIndex = end;
    } else if (from < to && !NOT_SECRET.test(value) && (assigned || !value.startsWith("-"))) {
      collect?.(value);
      out += text.slice(pos, from) + REDACTED;
      pos = pair.lastIndex = to;
    }
  }
  return out + text.slice(pos);
}

/**
 * A cursor over the text telling whether a position lies on a line that holds an escaped newline or
 * quote (`\n`, `\"`): then the key is inside a JSON string and its value ends at the next escape.
 * Positions are asked in increasing order, so the whole text is read once.
 */
function escapedLines(text: string): (at: number) => boolean {
  let i = 0;
  let escaped = false;
  return (at) => {
    for (; i < at; i++) {
      if (text[i] === "\n") escaped = false;
      else if (text[i] === "\\" && (text[i + 1] === "n" || text[i + 1] === '"')) escaped = true;
    }
    return escaped;
  };
}

/** Where an unquoted value ends, by context: a line, an escaped string, JSON, or a logfmt word. */
const UNQUOTED_STOPS = {
  eol: "\r\n",
  escaped: " \t\r\n\"'&;\\",
  json: " \t\r\n\"'&;,}]",
  word: " \t\r\n\"'&;",
};

/** The span of the value at `start`: inside its quotes, or up to where its context ends it. */
function readValue(text: string, start: number, context: keyof typeof UNQUOTED_STOPS): [number, number] {
  const toEol = context === "eol";
  const q = /^(\\{1,3})?(["'])/.exec(text.slice(start, start + 4));
  const stops = q?.[1] ? '\\"\n' : q?.[2] === "'" ? "'\n" : q ? '"\n' : UNQUOTED_STOPS[context];
  const from = start + (q?.[0].length ?? 0);
  let i = from;
  while (i < text.length && !stops.includes(text[i] as string)) {
    // Inside a plain "…" string, \" is part of the value.
    i += q && !q[1] && q[2] === '"' && text[i] === "\\" && text[i + 1] !== "\n" ? 2 : 1;
  }
  i = Math.min(i, text.length);
  if (toEol) while (i > from && /[ \t]/.test(text[i - 1] as string)) i--;
  return [from, i];
}

const indentAt = (text: string, at: number) =>
  /^[ \t]*/.exec(text.slice(text.lastIndexOf("\n", at - 1) + 1, at + 1))?.[0].length ?? 0;

/** Where a YAML block scalar whose header line ends at `from` ends: before the first line indented no deeper than its key. */
function blockEnd(text: string, from: number): number {
  const keyIndent = indentAt(text, from);
  let pos = from;
  while (pos < text.length) {
    const next = text.indexOf("\n", pos + 1);
    const line = text.slice(pos + 1, next < 0 ? text.length : next);
    if (line.trim() === "" ? next < 0 : (/^[ \t]*/.exec(line)?.[0].length ?? 0) <= keyIndent) break;
    pos = next < 0 ? text.length : next;
  }
  return pos;
}

// gzip in base64 (H4sI…), and that base64-encoded again (SDRzSU…): Helm releases and packed configs
// hold every value, Secrets included, where no pattern can see them. Found by their start, then
// extended by hand, so a multi-megabyte blob needs no unbounded regex repeat.
function redactBlobs(text: string): string {
  if (!text.includes("H4sI") && !text.includes("SDRzSU")) return text;
  const start = /(?<![A-Za-z0-9+/])(?:H4sI|SDRzSU)[A-Za-z0-9+/]{56}/g;
  let out = "";
  let pos = 0;
  for (let m = start.exec(text); m; m = start.exec(text)) {
    let end = m.index + m[0].length;
    while (end < text.length && /[A-Za-z0-9+/=]/.test(text[end] as string)) end++;
    out += `${text.slice(pos, m.index)}<redacted: compressed data>`;
    pos = start.lastIndex = end;
  }
  return out + text.slice(pos);
}

// A lazy [\s\S]*? between BEGIN and END is quadratic when ENDs are missing, so this walks by index.
function redactPem(text: string): string {
  if (!text.includes("PRIVATE KEY")) return text;
  const begin = /-----BEGIN ([A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?)-----/g;
  const end = /-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
  let out = "";
  let pos = 0;
  for (let m = begin.exec(text); m; m = begin.exec(text)) {
    const body = m.index + m[0].length;
    out += text.slice(pos, body) + REDACTED;
    end.lastIndex = body;
    const close = end.exec(text);
    if (!close) return out; // unterminated: everything after the header may be key material
    out += close[0];
    pos = begin.lastIndex = close.index + close[0].length;
  }
  return out + text.slice(pos);
}

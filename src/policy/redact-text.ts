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
  [
    /(?<![\w-])(--?[\w.-]{0,64}?(?:password|passwd|token|secret|api[_-]?key))([= ])(?!<redacted)\S{1,8192}/gi,
    `$1$2${REDACTED}`,
  ],
  [
    /((?<!existing)(?:password|passwd|secret|token|api[_-]?key|client[_-]?secret)\\?["']?[ \t]{0,16}[:=][ \t]{0,16}\\?["']?)(?![\\"'{[]|<redacted|(?:true|false|null)\b)([^\s",}]{4,8192})/gi,
    // An escaped quote (\") around the value must survive, or escaped JSON stops parsing.
    (_m, key, value) => `${key}${REDACTED}${value.endsWith("\\") ? "\\" : ""}`,
  ],
  [/\b[a-z0-9]{6}\.[a-z0-9]{16}\b/g, REDACTED], // kubeadm bootstrap token
];

/** The R6 backstop: masks credentials in free text. Idempotent; never throws. */
export function redactText(text: string): string {
  try {
    let out = redactPem(text);
    for (const [re, replacement] of RULES) {
      out = typeof replacement === "string" ? out.replace(re, replacement) : out.replace(re, replacement);
    }
    return out;
  } catch {
    // Fail closed: text that could not be scanned is not shown.
    return `<redacted: ${Buffer.byteLength(text, "utf8")} bytes that could not be scanned>`;
  }
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

const ENV_LINE = /^(\s*)([A-Za-z_][\w.-]*):(\s+)(\S.*)$/;

/** One `NAME: value` line of a `kubectl describe` Environment block; references to Secrets stay. */
export function redactEnvLine(line: string): string {
  const m = ENV_LINE.exec(line);
  if (!m) return line;
  const [, indent, name = "", space, value = ""] = m;
  if (!isCredentialName(name) || value.startsWith("<set to the key") || value.startsWith("<redacted")) {
    return line;
  }
  return `${indent}${name}:${space}${REDACTED}`;
}

/** Applies redactEnvLine to the lines under each `Environment:` header of `kubectl describe` text. */
export function redactDescribeEnv(text: string): string {
  let headerIndent = -1;
  return text
    .split("\n")
    .map((line) => {
      const indent = line.length - line.trimStart().length;
      if (/^\s*Environment:\s*$/.test(line)) headerIndent = indent;
      else if (headerIndent >= 0 && indent > headerIndent && line.trim() !== "") return redactEnvLine(line);
      else headerIndent = -1;
      return line;
    })
    .join("\n");
}

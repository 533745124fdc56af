// Values that redaction removed from the objects one call touched, masked wherever they reappear in
// that call's output: a password a JSON patch copied into an annotation, a Secret value the API server
// quotes in a 422 message, a dry-run diff. Structural redaction finds values by where they sit; this
// finds the same values after they moved.

const REDACTED = "<redacted>";
/** Shorter values would mask ordinary words; 4–7 character values are masked only as whole tokens. */
const MIN = 4;
const WHOLE_TOKEN_BELOW = 8;
const MAX_VALUES = 512;
const COMMON = new Set(["true", "false", "null", "none", "yes", "no", "enabled", "disabled", "changeme"]);

export class KnownSecrets {
  private readonly forms = new Set<string>();
  /** The forms longest first, kept between adds: maskDeep calls mask once per string of an answer. */
  private sorted: string[] | undefined;

  /** Remembers a masked value with its base64 spelling and, if it is base64, its decoded text. */
  readonly add = (value: string): void => {
    for (const form of spellings(value)) {
      if (this.forms.size >= MAX_VALUES) return;
      if (form.length >= MIN && !COMMON.has(form.toLowerCase()) && !form.startsWith("<redacted")) {
        this.forms.add(form);
        this.sorted = undefined;
      }
    }
  };

  get size(): number {
    return this.forms.size;
  }

  /** The text with every remembered value replaced; longest first, so a value inside another goes too. */
  mask(text: string): string {
    if (!this.forms.size || !text) return text;
    let out = text;
    this.sorted ??= [...this.forms].sort((a, b) => b.length - a.length);
    for (const form of this.sorted) {
      if (!out.includes(form)) continue;
      out = form.length >= WHOLE_TOKEN_BELOW ? out.split(form).join(REDACTED) : maskToken(out, form);
    }
    return out;
  }

  /** Every string inside a JSON-like value, masked. */
  maskDeep<T>(v: T): T {
    return this.forms.size ? (mapStrings(v, (s) => this.mask(s)) as T) : v;
  }
}

/** A JSON-like value with every string in it (not keys) passed through f. */
export function mapStrings(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === "string") return f(v);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f));
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapStrings(x, f)]));
  return v;
}

function spellings(value: string): string[] {
  const out = [value, Buffer.from(value, "utf8").toString("base64")];
  // JSON and YAML escape quotes and backslashes; an echoed value may come back escaped.
  const escaped = JSON.stringify(value).slice(1, -1);
  if (escaped !== value) out.push(escaped);
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(value) && value.length % 4 === 0) {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    if (!decoded.includes("\uFFFD") && Buffer.from(decoded, "utf8").toString("base64") === value)
      out.push(decoded);
  }
  return out.map((s) => s.trim()).filter(Boolean);
}

const WORD = /[A-Za-z0-9_]/;

function maskToken(text: string, form: string): string {
  let out = "";
  let from = 0;
  for (let i = text.indexOf(form); i >= 0; i = text.indexOf(form, i + form.length)) {
    const before = text[i - 1];
    const after = text[i + form.length];
    if ((before && WORD.test(before)) || (after && WORD.test(after))) continue;
    out += text.slice(from, i) + REDACTED;
    from = i + form.length;
  }
  return out + text.slice(from);
}

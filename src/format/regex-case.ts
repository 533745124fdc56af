// Case-insensitive matching for the linear-time engine, which (in the V8 of Node 20) refuses the `i`
// flag. A pattern is rewritten so every literal character and every class also admits the characters
// that JavaScript's own `i` flag (without `u`) treats as equal: the same Canonicalize (upper case, one
// UTF-16 unit, never from non-ASCII to ASCII), so `[a-z]`, `\x41`, `é` and `[^k]` keep their meaning.
// Input is a pattern the engine has already accepted, so its syntax is known to be valid.

/** JavaScript's Canonicalize for /i without /u (ECMA-262 §22.2.2.7.3). */
function canon(c: number): number {
  const u = String.fromCharCode(c).toUpperCase();
  if (u.length !== 1) return c;
  const cu = u.charCodeAt(0);
  return c >= 128 && cu < 128 ? c : cu;
}

interface Folding {
  /** The characters equal to each character under /i, for those with more than one. */
  same: Map<number, number[]>;
  /** Every character that has a case partner, ascending, for widening ranges. */
  cased: number[];
}
// Built on first use: 65,536 Canonicalize calls once per process, immutable afterwards.
let folding: Folding | undefined;
function fold(): Folding {
  if (folding) return folding;
  const groups = new Map<number, number[]>();
  for (let c = 0; c <= 0xffff; c++) {
    const k = canon(c);
    const g = groups.get(k);
    if (g) g.push(c);
    else groups.set(k, [c]);
  }
  const same = new Map<number, number[]>();
  for (const g of groups.values()) if (g.length > 1) for (const c of g) same.set(c, g);
  folding = { same, cased: [...same.keys()].sort((a, b) => a - b) };
  return folding;
}

const hex = (c: number) => `\\u${c.toString(16).padStart(4, "0")}`;
const isHex = (s: string) => /^[0-9a-fA-F]+$/.test(s);
const CLASS_ESCAPES = "dDwWsS";

type Atom = { char: number; len: number } | { escape: string; len: number };

/** The character (or class escape) an escape at `i` (on the backslash) stands for, and its length. */
function escapeAt(p: string, i: number, inClass: boolean): Atom {
  const n = p[i + 1] ?? "\\";
  if (CLASS_ESCAPES.includes(n)) return { escape: `\\${n}`, len: 2 };
  if (!inClass && (n === "b" || n === "B")) return { escape: `\\${n}`, len: 2 };
  const controls: Record<string, number> = { b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };
  if (controls[n] !== undefined) return { char: controls[n], len: 2 };
  if (n === "x" && isHex(p.slice(i + 2, i + 4)) && p.length >= i + 4)
    return { char: Number.parseInt(p.slice(i + 2, i + 4), 16), len: 4 };
  if (n === "u" && isHex(p.slice(i + 2, i + 6)) && p.length >= i + 6)
    return { char: Number.parseInt(p.slice(i + 2, i + 6), 16), len: 6 };
  if (n === "c") {
    const l = p[i + 2] ?? "";
    if (/[A-Za-z]/.test(l) || (inClass && /[0-9_]/.test(l))) return { char: l.charCodeAt(0) % 32, len: 3 };
    return { char: 0x5c, len: 1 }; // a lone \c is a backslash, and the c is read next
  }
  const octal = /^[0-3][0-7]{0,2}|^[4-7][0-7]?/.exec(p.slice(i + 1));
  // Back-references never get here (the engine refuses them), so digits are legacy octal escapes.
  if (octal) return { char: Number.parseInt(octal[0], 8), len: 1 + octal[0].length };
  return { char: n.charCodeAt(0), len: 2 };
}

function atomAt(p: string, i: number, inClass: boolean): Atom {
  return p[i] === "\\" ? escapeAt(p, i, inClass) : { char: p.charCodeAt(i), len: 1 };
}

/** A class, rebuilt with every character spelled as \uXXXX and its case partners added. */
function foldClass(p: string, start: number): { text: string; end: number } {
  const { same, cased } = fold();
  let i = start + 1;
  const negated = p[i] === "^";
  if (negated) i++;
  const items: string[] = [];
  const extra = new Set<number>();
  const addSame = (c: number) => {
    for (const s of same.get(c) ?? []) extra.add(s);
  };
  while (i < p.length && p[i] !== "]") {
    const a = atomAt(p, i, true);
    i += a.len;
    if (p[i] === "-" && p[i + 1] !== "]" && i + 1 < p.length) {
      const b = atomAt(p, i + 1, true);
      if ("char" in a && "char" in b) {
        i += 1 + b.len;
        items.push(`${hex(a.char)}-${hex(b.char)}`);
        const inRange = (c: number) => c >= a.char && c <= b.char;
        for (const c of cased)
          if (inRange(c)) for (const s of same.get(c) ?? []) if (!inRange(s)) extra.add(s);
        continue;
      }
    }
    if ("escape" in a) items.push(a.escape);
    else {
      items.push(hex(a.char));
      addSame(a.char);
    }
  }
  const added = [...extra].map(hex).join("");
  return { text: `[${negated ? "^" : ""}${items.join("")}${added}]`, end: i + 1 };
}

/** The pattern rewritten so that, run without `i`, it matches what it matched with `i`. */
export function foldCase(p: string): string {
  const { same } = fold();
  let out = "";
  for (let i = 0; i < p.length; ) {
    const c = p[i] as string;
    if (c === "[") {
      const cls = foldClass(p, i);
      out += cls.text;
      i = cls.end;
      continue;
    }
    // Group openers and counted repeats hold names and digits, not characters to match.
    const syntax = /^(?:\(\?(?:<[=!]|<[^>]*>|[:=!])|\{\d+(?:,\d*)?\})/.exec(p.slice(i, i + 300));
    if (syntax) {
      out += syntax[0];
      i += syntax[0].length;
      continue;
    }
    if ("()|^$.*+?".includes(c)) {
      out += c;
      i++;
      continue;
    }
    const a = atomAt(p, i, false);
    const partners = "char" in a ? same.get(a.char) : undefined;
    const lone = a.len === 1 && c === "\\"; // the backslash of a lone \c, which stands for itself
    out += partners ? `[${partners.map(hex).join("")}]` : lone ? "\\\\" : p.slice(i, i + a.len);
    i += a.len;
  }
  return out;
}

import { describe, expect, it } from "vitest";
import { prng } from "../passthrough/testkit.js";
import { compileRegex, RegexError } from "./regex.js";
import { foldCase } from "./regex-case.js";

const matches = (pattern: string, s: string, ignoreCase = false) => compileRegex(pattern, { ignoreCase })(s);

describe("compileRegex refuses what the linear-time engine cannot run, saying what to do instead", () => {
  it.each([
    ["a back-reference", "(a+)\\1", /back-references .* not supported.*exponential time.*grep -F/],
    ["a named back-reference", "(?<w>\\w+) \\k<w>", /back-references/],
    ["a lookahead", "foo(?=bar)", /lookahead .* not supported.*exponential time.*grep A \| grep -v B/],
    ["a negative lookahead", "^(?!kube-system)", /lookahead/],
    [
      "a lookbehind",
      "(?<=image: )nginx",
      /lookbehind .* not supported.*exponential time.*several grep steps/,
    ],
    ["a negative lookbehind", "(?<!\\d)42", /lookbehind/],
    [
      "a huge counted repeat",
      "a{1000}",
      /counted repeats such as \{1000\}.*beyond \{16\}.*\[0-9a-f\]\{16\}\[0-9a-f\]\{16\}/,
    ],
    ["a counted repeat past the engine's limit", "[a-f0-9]{64}", /\{64\}/],
    ["nested counted repeats", "(?:(?:ab){5}){5}", /counted repeats such as \{5\}/],
    ["a Unicode property class", "\\p{Lu}+", /Unicode property classes \(\\p\{…\}\).*\[A-Za-z\]/],
    ["a too-long pattern", "a".repeat(301), /301 chars; the limit is 300/],
    ["invalid syntax", "(", /invalid regex "\(": Unterminated group; escape special characters.*fixed: true/],
  ])("%s", (_name, pattern, message) => {
    expect(() => compileRegex(pattern)).toThrow(RegexError);
    expect(() => compileRegex(pattern)).toThrow(message);
  });

  it("refuses case-insensitively too", () => {
    expect(() => compileRegex("(a)\\1", { ignoreCase: true })).toThrow(/back-references/);
  });

  it("takes a back-reference-looking pattern as plain text with fixed", () => {
    expect(compileRegex("(a)\\1", { fixed: true })("x(a)\\1y")).toBe(true);
  });
});

describe("compileRegex keeps ordinary grep patterns working", () => {
  it.each([
    ["anchors", "^web-\\d+$", "web-12", true],
    ["anchors miss", "^web-\\d+$", "old-web-1", false],
    ["a class", "[0-9]+/[0-9]+", "web-0   1/1   Running", true],
    ["a negated class", "^[^#]", "# comment", false],
    ["alternation", "CrashLoopBackOff|ImagePullBackOff|Error", "pod-1 ImagePullBackOff", true],
    ["word boundary", "\\bpod\\b", "a pod here", true],
    ["word boundary miss", "\\bpod\\b", "pods", false],
    ["lazy quantifier", "image: .+?:", "image: nginx:1.25", true],
    ["a small counted repeat", "^[0-9a-f]{8}-[0-9a-f]{4}-", "123e4567-e89b-12d3", true],
    ["split counted repeats", "[0-9a-f]{16}[0-9a-f]{16}", "0123456789abcdef0123456789abcdef", true],
    ["named and non-capturing groups", "(?<kind>Pod|Service)/(?:web|db)-\\d", "Service/db-3", true],
    ["escapes", "\\d+\\.\\d+\\.\\d+\\.\\d+", "10.0.0.1", true],
    ["unicode literals", "é|本|😀", "日本", true],
    ["a dot does not cross code units oddly", "^.{2}$", "日本", true],
  ])("%s", (_name, pattern, line, expected) => {
    expect(matches(pattern, line)).toBe(expected);
  });

  it.each([
    ["a literal", "error", "ERROR: x", true],
    ["a class", "^[a-z]+$", "WebServer", true],
    ["a negated class", "^[^a-z]+$", "WEB", false],
    ["a range across cases", "^[A-z]+$", "Zeta", true],
    ["an escape", "\\x41\\u0062", "ab", true],
    ["non-ASCII", "café", "CAFÉ", true],
    ["a class escape", "\\W", "A", false],
    ["alternation and groups", "(?:warn|err)or", "ERROR", true],
    ["no ASCII partner for a non-ASCII letter, as in JavaScript", "\\u017f", "s", false],
  ])("case-insensitive: %s", (_name, pattern, line, expected) => {
    expect(matches(pattern, line, true)).toBe(expected);
  });

  it("sees a line prefix that shrinks as the pattern grows, to 10,000 characters at the least", () => {
    const long = `${"x".repeat(20_000)}needle`;
    expect(matches("needle", long)).toBe(true);
    const huge = `${"x".repeat(1_000_000)}needle`;
    expect(matches("needle", huge)).toBe(false);
    expect(compileRegex("needle", { fixed: true })(huge)).toBe(true);
    const wide = `(?:${"y|".repeat(140)}needle)`;
    expect(matches(wide, long)).toBe(false);
    expect(matches(wide, `${"x".repeat(9_000)}needle`)).toBe(true);
  });
});

describe("compileRegex runs catastrophic patterns in linear time, with the right answer", () => {
  // Each of these takes the backtracking engine exponential (or high polynomial) time on these lines;
  // that they return at all, with JavaScript's answer, is the proof.
  const as = "a".repeat(20_000);
  it.each([
    ["(a|aa)+$ on a's then b", "(a|aa)+$", `${as}b`, false],
    ["(a|aa)+$ on a's", "(a|aa)+$", as, true],
    ["(a*)*b on a's", "(a*)*b", as, false],
    ["(a+)+$ on a's then !", "^(a+)+$", `${as}!`, false],
    ["^(\\w+\\s?)*$ on words then !", "^(\\w+\\s?)*$", `${"word ".repeat(1_900)}!`, false],
    ["^(\\w+\\s?)*$ on words", "^(\\w+\\s?)*$", "word ".repeat(1_900).trim(), true],
    ["a.*a.*a.*a.*x on a's", "a.*a.*a.*a.*x", as, false],
    ["(.*a){12} on a's", "(?:.*a){12}x", as, false],
  ])("%s", (_name, pattern, line, expected) => {
    expect(matches(pattern, line)).toBe(expected);
    expect(matches(pattern, line.toUpperCase(), true)).toBe(expected);
  });
});

describe("foldCase", () => {
  it("spells case partners into literals and classes", () => {
    expect(foldCase("a")).toBe("[\\u0041\\u0061]");
    expect(foldCase("[a-c]")).toBe("[\\u0061-\\u0063\\u0041\\u0042\\u0043]");
    expect(foldCase("(?<name>x)\\d{2}")).toBe("(?<name>[\\u0058\\u0078])\\d{2}");
    expect(foldCase("1.2")).toBe("1.2");
  });

  it("matches exactly what JavaScript's i flag matches (differential fuzz)", () => {
    const rand = prng(0x5eed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
    const tokens = [
      "a",
      "B",
      "k",
      "s",
      "z",
      "é",
      "É",
      "ß",
      "ſ",
      "İ",
      "ı",
      "i",
      "K",
      "0",
      "_",
      "-",
      " ",
      ".",
      "^",
      "$",
      "[a-z]",
      "[^a-c]",
      "[A-Z0-9]",
      "[Z-a]",
      "[\\w-]",
      "[-k]",
      "[a-]",
      "[]",
      "[^]",
      "[é-ü]",
      "[\\x41-\\x5a]",
      "\\w",
      "\\W",
      "\\b",
      "\\B",
      "\\d",
      "\\s",
      "\\x41",
      "\\u00e9",
      "\\101",
      "\\0",
      "\\K",
      "\\c",
      "\\cJ",
      "(",
      ")",
      "(?:",
      "|",
      "*",
      "+",
      "?",
      "{2}",
      "{1,3}",
      "*?",
      "{",
    ];
    const chars = [
      "a",
      "A",
      "b",
      "B",
      "k",
      "K",
      "\u212a",
      "s",
      "S",
      "ſ",
      "é",
      "É",
      "ß",
      "ẞ",
      "i",
      "I",
      "İ",
      "ı",
      "z",
      "Z",
      "0",
      "-",
      "_",
      " ",
      "\\",
      "c",
      "C",
      "\n",
      "[",
      "]",
      "{",
    ];
    let compared = 0;
    for (let n = 0; n < 3_000; n++) {
      const pattern = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => pick(tokens)).join("");
      let native: RegExp;
      try {
        native = new RegExp(pattern, "i");
      } catch {
        continue;
      }
      let ours: (s: string) => boolean;
      try {
        ours = compileRegex(pattern, { ignoreCase: true });
      } catch (e) {
        // What the engine refuses is refused case-sensitively too; the rest must compile.
        expect(() => compileRegex(pattern), pattern).toThrow(/not supported/);
        expect(e).toBeInstanceOf(RegexError);
        continue;
      }
      for (let k = 0; k < 8; k++) {
        const line = Array.from({ length: Math.floor(rand() * 6) }, () => pick(chars)).join("");
        expect(ours(line), JSON.stringify({ pattern, line })).toBe(native.test(line));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(10_000);
  });
});

// Untrusted-content hygiene (security notes §4, R7). Logs, event messages, annotations and everything
// else read from a cluster are written by whoever runs workloads there, so they are shown to the model
// as data, never as prose:
//
//   <untrusted-data source="logs pod shop/web-1">
//   …text, cleaned by sanitizeUntrusted…
//   </untrusted-data>
//
// Inside the block, any `<untrusted-data` or `</untrusted-data` is written as `&lt;untrusted-data…`, so
// the content can neither close the block early nor open a fake one. Two short lines keep the token
// cost low. Redaction is not done here: callers run policy/redact.ts over the final text.
//
// Outside a block (an API server's error message, a note, a table cell) the same tags must not appear
// either, and only the output edge sees every answer. So fenceUntrusted writes its tags with this
// process's random nonce (`<untrusted-data-1f2e… source=…>`), and sealFences, run at the edge, escapes
// every tag without it and then drops the nonce: the model sees exactly the blocks kube-mcp made.
import { randomBytes } from "node:crypto";

const TAG = "untrusted-data";

// CSI (colours, cursor moves), OSC (titles, hyperlinks; ended by BEL or ESC \) and short escapes
// such as ESC ( B or ESC c.
// The classes of each part are disjoint, so matching never backtracks; the bounds keep V8's backtrack
// stack small on multi-megabyte input.
const ANSI =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
  /(?:\x1b\[|\x9b)[0-?]{0,64}[ -/]{0,16}[@-~]|\x1b\][^\x07\x1b]{0,8192}(?:\x07|\x1b\\)|\x1b[ -/]{0,4}[0-~]/g;
// C0 except \t and \n, DEL, C1, bidi overrides (text that reads differently than it is) and Unicode tag
// characters (invisible ASCII look-alikes used to smuggle instructions).
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u{e0000}-\u{e007f}]/gu;

/** Strips ANSI escapes and control characters except `\n` and `\t`; `\r\n` becomes `\n`. */
export function sanitizeUntrusted(text: string): string {
  return text.replace(ANSI, "").replace(/\r\n/g, "\n").replace(CONTROL, "");
}

const NONCE = randomBytes(8).toString("hex");
// Whitespace and invisible format characters between "<", "/" and the name still read as a tag.
const GAP = "[\\s\\u200b-\\u200f\\u2060\\ufeff]*";
const ANY_TAG = new RegExp(`<(${GAP}/?${GAP}${TAG})`, "gi");
const FOREIGN = new RegExp(`<(${GAP}/?${GAP}${TAG})(?!-${NONCE}[ >])`, "gi");
const OURS = new RegExp(`(</?${TAG})-${NONCE}(?=[ >])`, "g");

/** Wraps cluster-sourced text in a labelled block it cannot break out of; see the header comment. */
export function fenceUntrusted(label: string, text: string): string {
  const source = sanitizeUntrusted(label).replace(/\s+/g, " ").replace(/["<>]/g, "'").trim();
  const body = sanitizeUntrusted(text).replace(ANY_TAG, "&lt;$1");
  const newline = body === "" || body.endsWith("\n") ? "" : "\n";
  return `<${TAG}-${NONCE} source="${source}">\n${body}${newline}</${TAG}-${NONCE}>`;
}

/**
 * The output edge: escapes every fence tag kube-mcp did not write (raw cluster text outside a block,
 * an error message quoting an annotation) and turns kube-mcp's own into the plain tags the model reads.
 */
export function sealFences(text: string): string {
  if (!/untrusted-data/i.test(text)) return text;
  return text.replace(FOREIGN, "&lt;$1").replace(OURS, "$1");
}

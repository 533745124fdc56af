// Untrusted-content hygiene (security notes §4, R7). Logs, event messages and annotations are written
// by whoever runs workloads in the cluster, so they are shown to the model as data, never as prose:
//
//   <untrusted-data source="logs pod shop/web-1">
//   …text, cleaned by sanitizeUntrusted…
//   </untrusted-data>
//
// Inside the block, any `<untrusted-data` or `</untrusted-data` is written as `&lt;untrusted-data…`, so
// the content can neither close the block early nor open a fake one. Two short lines keep the token
// cost low. Redaction is not done here: callers run policy/redact.ts over the final text.

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

/** Wraps cluster-sourced text in a labelled block it cannot break out of; see the header comment. */
export function fenceUntrusted(label: string, text: string): string {
  const source = sanitizeUntrusted(label).replace(/\s+/g, " ").replace(/["<>]/g, "'").trim();
  const body = sanitizeUntrusted(text).replace(/<(\/?untrusted-data)/gi, "&lt;$1");
  const newline = body === "" || body.endsWith("\n") ? "" : "\n";
  return `<${TAG} source="${source}">\n${body}${newline}</${TAG}>`;
}

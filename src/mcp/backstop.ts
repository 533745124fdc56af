// The last filter every answer passes on its way out: the regex redaction backstop, then the fence
// seal (format/fence.ts), over the text and over every string in the structured content, so no output
// path can skip either. A Secret revealed under revealSecrets skips redaction, never the seal.
import { sealFences } from "../format/fence.js";
import { redactText } from "../policy/redact-text.js";

function deep(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === "string") return f(v);
  if (Array.isArray(v)) return v.map((x) => deep(x, f));
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deep(x, f)]));
  return v;
}

/** What the edge does to one string of an answer. */
export const edgeText = (s: string, revealed = false) => sealFences(revealed ? s : redactText(s));

export function backstop<T extends { text: string; data: unknown; revealed?: boolean }>(answer: T): T {
  const f = (s: string) => edgeText(s, answer.revealed === true);
  return { ...answer, text: f(answer.text), data: deep(answer.data, f) };
}

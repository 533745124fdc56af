// The last filter every answer passes on its way out: the regex redaction backstop over the text and
// over every string in the structured content, so no output path can skip it.
import { redactText } from "../policy/redact-text.js";

function deep(v: unknown): unknown {
  if (typeof v === "string") return redactText(v);
  if (Array.isArray(v)) return v.map(deep);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deep(x)]));
  return v;
}

export function backstop<T extends { text: string; data: unknown }>(answer: T): T {
  return { ...answer, text: redactText(answer.text), data: deep(answer.data) };
}

// The last filter every answer passes on its way out: the regex redaction backstop, then the fence
// seal (format/fence.ts), over the text and over every string in the structured content, so no output
// path can skip either. A Secret revealed under revealSecrets skips redaction, never the seal.
import { sealFences } from "../format/fence.js";
import { mapStrings as deep } from "../policy/known.js";
import { maskCopies, redactText } from "../policy/redact-text.js";

/** What the edge does to one string of an answer. */
export const edgeText = (s: string, revealed = false) => sealFences(revealed ? s : redactText(s));

export function backstop<T extends { text: string; data: unknown; revealed?: boolean }>(answer: T): T {
  if (answer.revealed === true)
    return { ...answer, text: sealFences(answer.text), data: deep(answer.data, sealFences) };
  // A value masked by its key in one string (an Event's "password=X") is masked where another string
  // of the same answer repeats it without one (another row's message, a structured cell).
  const masked = new Set<string>();
  const redact = (s: string) => redactText(s, (v) => masked.size < 256 && masked.add(v));
  const text = redact(answer.text);
  const data = deep(answer.data, redact);
  const f = (s: string) => sealFences(maskCopies(s, masked));
  return { ...answer, text: f(text), data: deep(data, f) };
}

// Output budgets: nothing leaves the server larger than the configured rows/bytes, and whatever is cut
// is counted and explained.

/** Cuts text to at most `maxBytes` UTF-8 bytes at a line boundary; returns what was dropped. */
export function cutText(
  text: string,
  maxBytes: number,
): { text: string; cut: boolean; droppedLines: number } {
  if (Buffer.byteLength(text) <= maxBytes) return { text, cut: false, droppedLines: 0 };
  const buf = Buffer.from(text).subarray(0, maxBytes);
  let kept = buf.toString("utf8");
  if (kept.endsWith("\uFFFD")) kept = kept.slice(0, -1);
  const nl = kept.lastIndexOf("\n");
  if (nl > maxBytes / 2) kept = kept.slice(0, nl);
  const total = text.split("\n").length;
  return { text: kept, cut: true, droppedLines: total - kept.split("\n").length };
}

/** Keeps the LAST `maxBytes` of text (for logs, where the newest lines matter most). */
export function cutTextTail(
  text: string,
  maxBytes: number,
): { text: string; cut: boolean; droppedLines: number } {
  if (Buffer.byteLength(text) <= maxBytes) return { text, cut: false, droppedLines: 0 };
  const buf = Buffer.from(text);
  let kept = buf.subarray(buf.length - maxBytes).toString("utf8");
  const nl = kept.indexOf("\n");
  if (nl >= 0 && nl < maxBytes / 2) kept = kept.slice(nl + 1);
  const total = text.split("\n").length;
  return { text: kept, cut: true, droppedLines: total - kept.split("\n").length };
}

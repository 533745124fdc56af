// A deadline linked to a parent signal. Not AbortSignal.any([.., AbortSignal.timeout()]): Node can
// garbage-collect the timeout signal inside a composite before it fires (nodejs/node#57736), which
// turned a 2 s per-cluster deadline into a hang under memory pressure. Here the timer holds the
// controller strongly, and clear() releases both the timer and the parent listener.
export interface Deadline {
  signal: AbortSignal;
  clear(): void;
}

export function deadline(parent: AbortSignal, ms: number): Deadline {
  const ac = new AbortController();
  const onParent = () => ac.abort(parent.reason);
  if (parent.aborted) onParent();
  else parent.addEventListener("abort", onParent, { once: true });
  const timer = setTimeout(
    () => ac.abort(new DOMException(`deadline of ${ms} ms exceeded`, "TimeoutError")),
    ms,
  );
  return {
    signal: ac.signal,
    clear() {
      clearTimeout(timer);
      parent.removeEventListener("abort", onParent);
    },
  };
}

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

/**
 * Deadlines for many tasks under one parent (a fan-out's clusters), sharing one listener on it: with
 * a listener each, every add and remove walks the parent's list, quadratic over a fleet of agents.
 */
export interface Deadlines {
  deadline(ms: number): Deadline;
  /** Releases the parent listener (each deadline is still cleared by its own clear()). */
  close(): void;
}

export function deadlines(parent: AbortSignal): Deadlines {
  const live = new Set<AbortController>();
  const onParent = () => {
    for (const ac of live) ac.abort(parent.reason);
    live.clear();
  };
  parent.addEventListener("abort", onParent, { once: true });
  return {
    deadline(ms) {
      const ac = new AbortController();
      if (parent.aborted) ac.abort(parent.reason);
      else live.add(ac);
      const timer = setTimeout(
        () => ac.abort(new DOMException(`deadline of ${ms} ms exceeded`, "TimeoutError")),
        ms,
      );
      return {
        signal: ac.signal,
        clear() {
          clearTimeout(timer);
          live.delete(ac);
        },
      };
    },
    close() {
      parent.removeEventListener("abort", onParent);
      live.clear();
    },
  };
}

// Waiting for the cluster to get somewhere (a rollout, a debug container, evictions a budget blocks):
// one loop with a bound, progress, and a sleep that a cancelled call wakes at once.

export interface PollOptions {
  /** Pause between steps. */
  everyMs: number;
  /** How long to keep trying; 0: one step. */
  forMs: number;
  signal: AbortSignal;
  /** Told, before each pause, the seconds waited out of the bound and where things stand. */
  progress?: (waitedS: number, forS: number, message: string) => void;
}

/** What a step found: whether the wait is over, and a sentence saying where things stand. */
export interface Tick {
  done: boolean;
  message: string;
}

/**
 * Runs `step` now and again every `everyMs` until it says done or `forMs` has passed, and returns its
 * last answer (done false: time ran out). A cancelled signal rejects at once, mid-pause included.
 */
export async function poll<T extends Tick>(o: PollOptions, step: () => Promise<T>): Promise<T> {
  const started = Date.now();
  for (;;) {
    o.signal.throwIfAborted();
    const tick = await step();
    const waited = Date.now() - started;
    if (tick.done || waited >= o.forMs) return tick;
    const forS = o.forMs / 1000;
    // Never 0: a client reads a first progress of 0 as "not started".
    o.progress?.(Math.max(0.1, Math.min(forS, Math.round(waited / 100) / 10)), forS, tick.message);
    await sleep(Math.min(o.everyMs, o.forMs - waited), o.signal);
  }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it is aborted. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

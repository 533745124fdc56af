// A client-side rate limit per cluster, like client-go's QPS and burst: a token bucket that fills at
// `qps` tokens a second up to `burst`; each API request takes one, waiting (abortably) when none is
// left. It keeps a busy model, or a fan-out of many calls, from flooding an API server.
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      const t = setTimeout(resolve, ms);
      signal?.addEventListener(
        "abort",
        () => {
          clearTimeout(t);
          reject(signal.reason);
        },
        { once: true },
      );
    }),
};

export class RateLimiter {
  #tokens: number;
  #at: number;
  /** Requests waiting, in order: each reserves the next token, so none waits behind a later one. */
  #reserved = 0;

  constructor(
    readonly qps: number,
    readonly burst: number,
    private readonly clock: Clock = realClock,
  ) {
    this.#tokens = burst;
    this.#at = clock.now();
  }

  /** Resolves when the request may go; rejects with the signal's reason if it is aborted first. */
  async take(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const now = this.clock.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#at) / 1000) * this.qps);
    this.#at = now;
    // A token now, or the time until the one this request reserves (those ahead of it go first).
    this.#tokens -= 1;
    if (this.#tokens >= 0) return;
    const waitMs = (-this.#tokens / this.qps) * 1000;
    this.#reserved++;
    try {
      await this.clock.sleep(waitMs, signal);
    } catch (err) {
      this.#tokens += 1; // an aborted wait gives its token back
      throw err;
    } finally {
      this.#reserved--;
    }
  }

  get waiting(): number {
    return this.#reserved;
  }
}

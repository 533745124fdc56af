// Calls running for HTTP callers, by caller and JSON-RPC request id. A 2025-era HTTP client cancels a
// call with a `notifications/cancelled` POST, which reaches a new stateless server that never saw the
// call: the HTTP layer looks the call up here and aborts it. Keyed by caller, so a caller can only
// cancel its own calls. Callers without an identity share one key, and every client numbers its
// requests from 0, so two of them often run calls with the same id at once: such a cancel is
// ambiguous and aborts nothing (the soak found one client's cancel aborting another's call).
export class Inflight {
  readonly #calls = new Map<string, AbortController[]>();

  /** Registers a running call; `done` forgets it. */
  track(caller: string, id: string | number): { signal: AbortSignal; done(): void } {
    const key = `${caller}\u0000${id}`;
    const ac = new AbortController();
    this.#calls.set(key, [...(this.#calls.get(key) ?? []), ac]);
    return {
      signal: ac.signal,
      done: () => {
        const left = (this.#calls.get(key) ?? []).filter((c) => c !== ac);
        if (left.length) this.#calls.set(key, left);
        else this.#calls.delete(key);
      },
    };
  }

  /** Aborts the caller's call with this id when exactly one runs; whether one was aborted. */
  cancel(caller: string, id: string | number, reason = "cancelled by the client"): boolean {
    const running = this.#calls.get(`${caller}\u0000${id}`) ?? [];
    if (running.length !== 1) return false;
    running[0]?.abort(new Error(reason));
    return true;
  }

  get size(): number {
    return this.#calls.size;
  }
}

// Calls running for HTTP callers, by caller and JSON-RPC request id. A 2025-era HTTP client cancels a
// call with a `notifications/cancelled` POST, which reaches a new stateless server that never saw the
// call: the HTTP layer looks the call up here and aborts it. Keyed by caller, so a caller can only
// cancel its own calls (callers without an identity share one key, as they share everything else).
export class Inflight {
  readonly #calls = new Map<string, AbortController>();

  /** Registers a running call; `done` forgets it. */
  track(caller: string, id: string | number): { signal: AbortSignal; done(): void } {
    const key = `${caller}\u0000${id}`;
    const ac = new AbortController();
    this.#calls.set(key, ac);
    return {
      signal: ac.signal,
      done: () => {
        if (this.#calls.get(key) === ac) this.#calls.delete(key);
      },
    };
  }

  /** Aborts the caller's call with this id; whether one was running. */
  cancel(caller: string, id: string | number, reason = "cancelled by the client"): boolean {
    const ac = this.#calls.get(`${caller}\u0000${id}`);
    ac?.abort(new Error(reason));
    return ac !== undefined;
  }

  get size(): number {
    return this.#calls.size;
  }
}

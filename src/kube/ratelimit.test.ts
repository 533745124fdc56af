import { describe, expect, it } from "vitest";
import { type Clock, RateLimiter } from "./ratelimit.js";

/** A clock that moves only when told: sleeps resolve when `advance` passes their deadline. */
function fakeClock(): Clock & { advance(ms: number): Promise<void> } {
  let now = 0;
  const sleepers: { until: number; resolve: () => void }[] = [];
  return {
    now: () => now,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        const s = { until: now + ms, resolve };
        sleepers.push(s);
        signal?.addEventListener("abort", () => {
          sleepers.splice(sleepers.indexOf(s), 1);
          reject(signal.reason);
        });
      }),
    async advance(ms) {
      now += ms;
      for (const s of sleepers.filter((x) => x.until <= now)) {
        sleepers.splice(sleepers.indexOf(s), 1);
        s.resolve();
      }
      await new Promise((r) => setImmediate(r));
    },
  };
}

describe("RateLimiter", () => {
  it("lets a burst through at once, then one request per 1/qps seconds, in order", async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(2, 3, clock);
    const done: number[] = [];
    const all = [0, 1, 2, 3, 4].map((i) => limiter.take().then(() => done.push(i)));
    await clock.advance(0);
    expect(done).toEqual([0, 1, 2]);
    expect(limiter.waiting).toBe(2);
    await clock.advance(499);
    expect(done).toEqual([0, 1, 2]);
    await clock.advance(1);
    expect(done).toEqual([0, 1, 2, 3]);
    await clock.advance(500);
    expect(done).toEqual([0, 1, 2, 3, 4]);
    await Promise.all(all);
  });

  it("refills up to the burst while idle", async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(10, 2, clock);
    await limiter.take();
    await limiter.take();
    await clock.advance(10_000);
    const done: number[] = [];
    for (const i of [0, 1, 2]) void limiter.take().then(() => done.push(i));
    await clock.advance(0);
    expect(done).toEqual([0, 1]);
  });

  it("gives the token back when a waiting request is aborted", async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(1, 1, clock);
    await limiter.take();
    const ac = new AbortController();
    const aborted = limiter.take(ac.signal);
    ac.abort(new Error("cancelled"));
    await expect(aborted).rejects.toThrow("cancelled");
    await clock.advance(1000);
    const done: string[] = [];
    void limiter.take().then(() => done.push("next"));
    await clock.advance(0);
    expect(done).toEqual(["next"]);
  });
});

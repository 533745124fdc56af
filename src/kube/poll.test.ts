import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { poll, sleep } from "./poll.js";

const never = { done: false, message: "still waiting" };

describe("poll", () => {
  it("returns the first done answer without pausing", async () => {
    let steps = 0;
    const started = Date.now();
    const t = await poll(
      { everyMs: 10_000, forMs: 60_000, signal: new AbortController().signal },
      async () => {
        steps++;
        return { done: true, message: "ready" };
      },
    );
    expect(t).toEqual({ done: true, message: "ready" });
    expect(steps).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("steps once when forMs is 0, and returns the last answer when time runs out", async () => {
    let steps = 0;
    const once = await poll({ everyMs: 10, forMs: 0, signal: new AbortController().signal }, async () => {
      steps++;
      return never;
    });
    expect(once.done).toBe(false);
    expect(steps).toBe(1);
    steps = 0;
    const seen: [number, number, string][] = [];
    const last = await poll(
      {
        everyMs: 20,
        forMs: 100,
        signal: new AbortController().signal,
        progress: (w, f, m) => seen.push([w, f, m]),
      },
      async () => ({ done: false, message: `step ${++steps}` }),
    );
    expect(last.done).toBe(false);
    expect(steps).toBeGreaterThan(2);
    expect(last.message).toBe(`step ${steps}`);
    // Progress counts seconds out of the bound, never 0, with the step's sentence.
    expect(seen[0]).toEqual([0.1, 0.1, "step 1"]);
    expect(seen.every(([w, f]) => w > 0 && w <= f)).toBe(true);
  });

  it("wakes at once when the call is cancelled mid-pause", async () => {
    const ac = new AbortController();
    const started = Date.now();
    const p = poll({ everyMs: 10_000, forMs: 60_000, signal: ac.signal }, async () => never);
    setTimeout(() => ac.abort(new Error("cancelled")), 20);
    await expect(p).rejects.toThrow("cancelled");
    expect(Date.now() - started).toBeLessThan(500);
  });

  it("does not step again once cancelled", async () => {
    const ac = new AbortController();
    let steps = 0;
    const p = poll({ everyMs: 1, forMs: 60_000, signal: ac.signal }, async () => {
      if (++steps === 2) ac.abort(new Error("cancelled"));
      return never;
    });
    await expect(p).rejects.toThrow("cancelled");
    expect(steps).toBe(2);
  });
});

describe("sleep", () => {
  it("rejects at once on an already cancelled signal and leaves no listener behind", async () => {
    const ac = new AbortController();
    ac.abort(new Error("gone"));
    await expect(sleep(10_000, ac.signal)).rejects.toThrow("gone");
    const live = new AbortController();
    await sleep(1, live.signal);
    expect(getEventListeners(live.signal, "abort")).toHaveLength(0);
  });
});

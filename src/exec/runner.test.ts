import { describe, expect, it } from "vitest";
import { Limiter } from "./runner.js";

describe("Limiter", () => {
  it("never runs more than n tasks at once, and runs them all", async () => {
    const limiter = new Limiter(2);
    let active = 0;
    let peak = 0;
    const task = () =>
      limiter.run(new AbortController().signal, async () => {
        peak = Math.max(peak, ++active);
        await new Promise((r) => setTimeout(r, 20));
        active--;
        return "done";
      });
    expect(await Promise.all(Array.from({ length: 7 }, task))).toEqual(Array(7).fill("done"));
    expect(peak).toBe(2);
  });

  it("lets a waiting caller give up without taking a slot", async () => {
    const limiter = new Limiter(1);
    let release = () => {};
    const first = limiter.run(new AbortController().signal, () => new Promise<void>((r) => (release = r)));
    const ac = new AbortController();
    const waiting = limiter.run(ac.signal, async () => "never");
    ac.abort(new Error("cancelled"));
    await expect(waiting).rejects.toThrow("cancelled");
    release();
    await first;
    expect(await limiter.run(new AbortController().signal, async () => "next")).toBe("next");
  });
});

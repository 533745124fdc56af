import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { Limiter, runProcess } from "./runner.js";

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

describe("runProcess", () => {
  const opts = (signal: AbortSignal, extra: { graceMs?: number; timeoutMs?: number } = {}) => ({
    env: { PATH: "/usr/bin:/bin" },
    cwd: tmpdir(),
    timeoutMs: 10_000,
    maxBytes: 1024,
    signal,
    ...extra,
  });
  const script = 'trap "echo stopped; exit 3" TERM; echo started; sleep 5 & wait';

  it("with a grace period, asks the process to stop so that it can record why", async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const r = await runProcess("/bin/sh", ["-c", script], opts(ac.signal, { graceMs: 2000 }));
    expect(r).toMatchObject({ cancelled: true, code: 3, stdout: "started\nstopped\n" });
  });

  it("without one, kills it at its deadline", async () => {
    const r = await runProcess(
      "/bin/sh",
      ["-c", script],
      opts(new AbortController().signal, { timeoutMs: 300 }),
    );
    expect(r).toMatchObject({ timedOut: true, code: null, stdout: "started\n" });
  });
});

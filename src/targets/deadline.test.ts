import { describe, expect, it } from "vitest";
import { deadline, deadlines } from "./deadline.js";

describe("deadline", () => {
  it("fires with a TimeoutError even after garbage collection pressure", async () => {
    const d = deadline(new AbortController().signal, 50);
    for (let i = 0; i < 200_000; i++) new Array(10).fill(i);
    await new Promise((r) => setTimeout(r, 120));
    expect(d.signal.aborted).toBe(true);
    expect((d.signal.reason as DOMException).name).toBe("TimeoutError");
  });

  it("follows the parent's abort and its reason", () => {
    const parent = new AbortController();
    const d = deadline(parent.signal, 60_000);
    parent.abort(new Error("cancelled by client"));
    expect((d.signal.reason as Error).message).toBe("cancelled by client");
    d.clear();
  });

  it("does not fire once cleared", async () => {
    const d = deadline(new AbortController().signal, 20);
    d.clear();
    await new Promise((r) => setTimeout(r, 60));
    expect(d.signal.aborted).toBe(false);
  });
});

describe("deadlines", () => {
  it("aborts every live deadline with the parent's reason, through one listener on the parent", () => {
    const parent = new AbortController();
    let listeners = 0;
    const add = parent.signal.addEventListener.bind(parent.signal);
    parent.signal.addEventListener = ((...a: Parameters<typeof add>) => {
      listeners++;
      return add(...a);
    }) as typeof add;
    const group = deadlines(parent.signal);
    const ds = Array.from({ length: 100 }, () => group.deadline(60_000));
    ds[0]?.clear();
    expect(listeners).toBe(1);
    parent.abort(new Error("cancelled by client"));
    expect(ds[0]?.signal.aborted).toBe(false);
    for (const d of ds.slice(1)) expect((d.signal.reason as Error).message).toBe("cancelled by client");
    for (const d of ds) d.clear();
    group.close();
  });

  it("times each out on its own, and starts aborted once the parent is", async () => {
    const parent = new AbortController();
    const group = deadlines(parent.signal);
    const short = group.deadline(20);
    const long = group.deadline(60_000);
    await new Promise((r) => setTimeout(r, 60));
    expect((short.signal.reason as DOMException).name).toBe("TimeoutError");
    expect(long.signal.aborted).toBe(false);
    parent.abort(new Error("gone"));
    const late = group.deadline(60_000);
    expect((late.signal.reason as Error).message).toBe("gone");
    for (const d of [short, long, late]) d.clear();
    group.close();
  });
});

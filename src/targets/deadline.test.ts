import { describe, expect, it } from "vitest";
import { deadline } from "./deadline.js";

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

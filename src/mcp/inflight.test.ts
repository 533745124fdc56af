import { describe, expect, it } from "vitest";
import { Inflight } from "./inflight.js";

describe("Inflight", () => {
  it("aborts the one call a caller runs under an id, and only that caller's", () => {
    const f = new Inflight();
    const mine = f.track("anna", 5);
    const other = f.track("bob", 5);
    expect(f.cancel("anna", 5)).toBe(true);
    expect(mine.signal.aborted).toBe(true);
    expect(other.signal.aborted).toBe(false);
    mine.done();
    other.done();
    expect(f.size).toBe(0);
  });

  it("aborts nothing when two clients of one caller run calls with the same id", () => {
    const f = new Inflight();
    const first = f.track("anonymous", 3);
    const second = f.track("anonymous", 3);
    expect(f.cancel("anonymous", 3)).toBe(false);
    expect(first.signal.aborted || second.signal.aborted).toBe(false);
    // Once one has ended, the id is unambiguous again.
    first.done();
    expect(f.cancel("anonymous", 3)).toBe(true);
    expect(second.signal.aborted).toBe(true);
    second.done();
    expect(f.size).toBe(0);
  });
});

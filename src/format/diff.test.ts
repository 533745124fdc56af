import { describe, expect, it } from "vitest";
import { lineDiff } from "./diff.js";

describe("lineDiff", () => {
  it("shows changed lines with context", () => {
    const a = "a: 1\nb: 2\nc: 3\nd: 4\ne: 5\nf: 6\ng: 7";
    const b = "a: 1\nb: 2\nc: 3\nd: 40\ne: 5\nf: 6\ng: 7";
    expect(lineDiff(a, b, 1)).toBe("  …\n  c: 3\n- d: 4\n+ d: 40\n  e: 5\n  …");
  });
  it("is empty for equal inputs", () => {
    expect(lineDiff("x\ny", "x\ny")).toBe("");
  });
  it("shows additions at the end", () => {
    expect(lineDiff("a", "a\nb", 0)).toBe("  …\n+ b");
  });
});

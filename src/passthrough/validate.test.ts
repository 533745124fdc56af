import { describe, expect, it } from "vitest";
import { type Grammar, str } from "./grammar.js";
import { Refusal, validate } from "./validate.js";

const g: Grammar = {
  binary: "tool",
  normalizeUnderscore: false,
  root: {
    name: "tool",
    flags: [
      str("output", "o", {
        persistent: true,
        check: (v) => (["json", "short"].includes(v) ? undefined : "json or short"),
      }),
    ],
    sub: [
      {
        name: "strict",
        mode: "read-only",
        flags: [str("output", "o", { check: (v) => (v === "short" ? undefined : "only short here") })],
      },
      { name: "denies", mode: "read-only", flags: [str("output", "o", { deny: "no output choice here" })] },
      { name: "inherits", mode: "read-only" },
    ],
  },
};

describe("validate", () => {
  it("lets a command's own flag definition override an inherited one (as cobra does)", () => {
    expect(() => validate(["strict", "-o", "json"], g, "full")).toThrow(/only short here/);
    expect(() => validate(["denies", "-o", "short"], g, "full")).toThrow(
      /never allowed: no output choice here/,
    );
    expect(validate(["inherits", "-o", "json"], g, "read-only").flags).toEqual([
      { name: "output", value: "json" },
    ]);
    expect(() => validate(["inherits", "-o", "yaml"], g, "read-only")).toThrow(Refusal);
  });
});

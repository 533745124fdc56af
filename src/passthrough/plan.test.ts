import { describe, expect, it } from "vitest";
import type { Grammar } from "./grammar.js";
import { Refusal } from "./parse.js";
import { CallPlan } from "./plan.js";

/** A grammar whose one command counts how often it is validated. */
function counting() {
  const seen = { checks: 0 };
  const g: Grammar = {
    binary: "tool",
    normalizeUnderscore: false,
    root: {
      name: "tool",
      sub: [
        { name: "get", mode: "read-only", check: () => void seen.checks++ },
        { name: "delete", mode: "full", check: () => void seen.checks++ },
      ],
    },
  };
  return { g, seen };
}

describe("CallPlan", () => {
  it("validates a command once per mode, however often the call asks", () => {
    const { g, seen } = counting();
    const plan = new CallPlan(g, { args: ["get"] });
    for (let i = 0; i < 3; i++) {
      expect(plan.verdict("read-only").path).toEqual(["get"]);
      expect(plan.refused("read-only")).toBeUndefined();
    }
    expect(seen.checks).toBe(1);
    plan.verdict("full");
    expect(seen.checks).toBe(2);
  });

  it("remembers a refusal and throws it as a Refusal", () => {
    const { g, seen } = counting();
    const plan = new CallPlan(g, { command: "delete" });
    expect(plan.refused("non-destructive")).toBe(
      '"tool delete" is not allowed in non-destructive mode (it needs full mode).',
    );
    expect(() => plan.verdict("non-destructive")).toThrow(Refusal);
    expect(plan.refused("full")).toBeUndefined();
    expect(seen.checks).toBe(1);
  });

  it("refuses a command it cannot read, in every mode", () => {
    const { g } = counting();
    const plan = new CallPlan(g, { args: ["get"], command: "get" });
    expect(plan.unreadable).toBe("give either args or command, not both.");
    expect(plan.refused("full")).toBe("give either args or command, not both.");
    expect(new CallPlan(g, { command: "get | head" }).unreadable).toMatch(/shell operator/);
  });

  it("adds the operator's rules to what the grammar allows", () => {
    const { g } = counting();
    const rules = { tool: { dangerous: ["tool get"], safe: [], regex: [] } };
    expect(new CallPlan(g, { args: ["get"] }).ruled("read-only", rules)).toMatch(/dangerous_commands/);
  });
});

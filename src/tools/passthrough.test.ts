import { describe, expect, it } from "vitest";
import type { Mode } from "../config/schema.js";
import type { Grammar } from "../passthrough/grammar.js";
import { Limiter } from "../passthrough/runner.js";
import type { CliSpec } from "./cli-specs.js";
import type { ToolEnv } from "./define.js";
import { cliTool } from "./passthrough.js";

/** A binary whose one command counts how often it is validated. */
function counting() {
  const seen = { checks: 0 };
  const grammar: Grammar = {
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
  const spec: CliSpec = {
    grammar,
    title: "tool",
    toolset: "core",
    summary: () => "a tool.",
    pin: () => ({ before: [], after: [] }),
    render: () => ({ kind: "text" }),
  };
  return { spec, seen };
}

/** Just what the pre-check reads: the targets' modes and the operator's rules. */
const envOn = (modes: Mode[], dangerous: string[] = []) =>
  ({
    clusters: { select: () => modes.map((mode, i) => ({ name: `c${i}`, mode })) },
    config: { cli: { ruleSet: { tool: { dangerous, safe: [], regex: [] } } } },
  }) as unknown as ToolEnv;

describe("a passthrough call", () => {
  it("is validated once per mode, however many steps and clusters ask", async () => {
    const { spec, seen } = counting();
    const tool = cliTool(spec, "full", new Limiter(1));
    const args = { args: ["get"] };
    // Confirmation reads full mode, and non-destructive mode to learn that this asks nothing.
    expect(tool.confirm?.(args)).toBe(false);
    expect(seen.checks).toBe(2);
    // The operator's rule refuses it on both clusters, so the call ends at the pre-check, unvalidated again.
    const answer = await tool.handle(args, envOn(["full", "non-destructive"], ["tool get"]));
    expect(answer).toMatchObject({ isError: true, data: { refused: true } });
    expect(answer.text).toMatch(/dangerous_commands/);
    expect(seen.checks).toBe(2);
  });

  it("asks first in full mode when non-destructive mode would refuse it, and is refused where it is", async () => {
    const { spec, seen } = counting();
    const tool = cliTool(spec, "full", new Limiter(1));
    const args = { args: ["delete"] };
    // full mode asks first: non-destructive mode would refuse it.
    expect(tool.confirm?.(args)).toBe("Allow `tool delete` on the default cluster?");
    const answer = await tool.handle(args, envOn(["non-destructive", "non-destructive"]));
    expect(answer).toMatchObject({
      isError: true,
      data: {
        refused: true,
        reason: '"tool delete" is not allowed in non-destructive mode (it needs full mode).',
      },
    });
    // Validated for full mode once; non-destructive mode refuses it before its check runs.
    expect(seen.checks).toBe(1);
  });

  it("is refused, marked as refused, when its command cannot be read", async () => {
    const { spec } = counting();
    const tool = cliTool(spec, "full", new Limiter(1));
    const args = { command: "delete | head" };
    expect(tool.confirm?.(args)).toBe(false);
    const answer = await tool.handle(args, envOn(["full"]));
    expect(answer).toMatchObject({ isError: true, data: { refused: true } });
    expect(answer.text).toMatch(/^Refused: "\|" is a shell operator/);
  });
});

// The passthrough tools offered in a mode, and the typed helm tools that run on the helm passthrough's
// path. A passthrough's safety class follows the mode: in read-only mode it only reads, so its
// annotations say so; in full mode it may delete.
import type { Config, Mode } from "../config/schema.js";
import { Limiter } from "../passthrough/runner.js";
import { hiddenTools } from "../policy/modes.js";
import { type Selection, selectTools } from "../policy/toolsets.js";
import { CLI_SPECS } from "./cli-specs.js";
import type { AnyTool } from "./define.js";
import { helmTools } from "./helm.js";
import { cliTool } from "./passthrough.js";

export { CLI_SPECS };

/**
 * What a serving role may run and list: `typed` tools and the CLI passthroughs, by mode, the operator's
 * allow and deny lists and toolsets (throws naming the valid names when a list names nothing known).
 */
/** The policy's selection over kube-mcp's own tool type. */
export type ToolSelection = Selection<AnyTool>;

export function serverTools(mode: Mode, config: Readonly<Config>, typed: AnyTool[]): ToolSelection {
  // A CLI tool exists in every mode (its validator decides per command), with the mode's description.
  return selectTools(mode, [...typed, ...cliTools(mode, config)], {
    ...config.tools,
    toolsets: config.toolsets,
  });
}

/** Tools whose safety class is what a call needs: all but the passthroughs, which are gated per command. */
export const classedTools = (tools: AnyTool[]) =>
  tools.filter((t) => !CLI_SPECS.some((c) => c.grammar.binary === t.name));

/**
 * What a call to a tool this mode leaves out gets (the mode that would allow it), for the typed tools
 * and the typed helm tools alike; never for a tool the server registers.
 */
export function modeRefusals(
  mode: Mode,
  config: Readonly<Config>,
  typed: AnyTool[],
  registered: AnyTool[],
): Map<string, string> {
  const names = new Set(registered.map((t) => t.name));
  const all = classedTools([...typed, ...cliTools("full", config)]);
  return new Map([...hiddenTools(mode, all)].filter(([n]) => !names.has(n)));
}

export function cliTools(mode: Mode, config: Readonly<Config>): AnyTool[] {
  // One limiter for every CLI tool: cli.concurrency bounds all CLI processes together.
  const limiter = new Limiter(config.cli.concurrency);
  return [...CLI_SPECS.map((s) => cliTool(s, mode, limiter)), ...helmTools(mode, limiter)];
}

/** The typed tools built on a CLI's runner, for documentation and tests (each server builds its own). */
export const typedCliTools = (mode: Mode): AnyTool[] => helmTools(mode, new Limiter(1));

// Safety as a filter: which tools a mode advertises (and may run). Decided here, once, for every tool.
import type { Mode } from "../config/schema.js";
import type { AnyTool, Safety } from "../tools/define.js";

export const ALLOWED_MODES: Record<Safety, readonly Mode[]> = {
  read: ["read-only", "non-destructive", "full"],
  write: ["non-destructive", "full"],
  destructive: ["full"],
};

export const permits = (mode: Mode, safety: Safety) => ALLOWED_MODES[safety].includes(mode);

/** The tools a server in `mode` advertises; tools outside it are never registered, so cannot be called. */
export function toolsFor(mode: Mode, tools: AnyTool[]): AnyTool[] {
  return tools.filter((t) => permits(mode, t.safety));
}

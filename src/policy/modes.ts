// Safety as a filter: which tools a mode advertises (and may run). Decided here, once, for every tool.
import { MODE_RANK, type Mode } from "../config/schema.js";

export { MODE_RANK };

/** read: never changes anything. write: creates or changes state. destructive: deletes, evicts, runs code. */
export type Safety = "read" | "write" | "destructive";

/** What the mode filter needs to know of a tool (tools/define.ts's Tool is one). */
export interface Classed {
  name: string;
  safety: Safety;
}

/** The narrower of two modes: a per-cluster policy, an OAuth scope or a hub can only take rights away. */
export const stricter = (a: Mode, b: Mode): Mode => (MODE_RANK[a] <= MODE_RANK[b] ? a : b);

export const ALLOWED_MODES: Record<Safety, readonly Mode[]> = {
  read: ["read-only", "non-destructive", "full"],
  write: ["non-destructive", "full"],
  destructive: ["full"],
};

export const permits = (mode: Mode, safety: Safety) => ALLOWED_MODES[safety].includes(mode);

/** The least permissive mode that runs a tool of this safety class. */
export const leastModeFor = (safety: Safety): Mode => ALLOWED_MODES[safety][0] as Mode;

/** The tools a server in `mode` advertises; tools outside it are never registered, so cannot be called. */
export function toolsFor<T extends Classed>(mode: Mode, tools: readonly T[]): T[] {
  return tools.filter((t) => permits(mode, t.safety));
}

const WHAT_MODE_ALLOWS: Record<Mode, string> = {
  "read-only": "allows only tools that read",
  "non-destructive": "allows reads and changes, but nothing that deletes, evicts or runs code",
  full: "allows every tool",
};

/** The tools a server in `mode` hides, with the refusal a client gets if it calls one anyway. */
export function hiddenTools(mode: Mode, tools: readonly Classed[]): Map<string, string> {
  const hidden = new Map<string, string>();
  for (const t of tools) {
    if (permits(mode, t.safety)) continue;
    const needs = t.safety === "destructive" ? "full mode" : "non-destructive or full mode";
    hidden.set(
      t.name,
      `${t.name} is not available: this server runs in ${mode} mode, which ${WHAT_MODE_ALLOWS[mode]}. It needs ${needs}, which the operator sets (--mode); use the read tools, or tell the user what you would run.`,
    );
  }
  return hidden;
}

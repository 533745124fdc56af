// Which tools a server registers, and which of them a session lists. The mode decides what may run at
// all; the operator's allow and deny lists (tool or toolset names) narrow that; toolsets decide what is
// listed from the start (the context window pays for every listed tool). A session then enables more
// toolsets with the `toolsets` tool. A registered tool that is not listed is refused with how to enable it.
import type { Mode } from "../config/schema.js";
import { type Classed, toolsFor } from "./modes.js";
import { DEFAULT_TOOLSETS, isToolset, TOOLSET_NAMES, type Toolset } from "./toolset-catalogue.js";

/** What selection and listing need to know of a tool (tools/define.ts's Tool is one). */
export interface Listable extends Classed {
  toolset: Toolset;
  /** For tools that need something the machine may lack: listed only while it is there. */
  installed?(): boolean;
  /** Old names it answers to too (renamed tools, for a release). */
  aliases?: readonly string[];
}

export interface ToolChoice {
  /** Tool or toolset names: register only these (and list them all). */
  allow?: readonly string[] | undefined;
  /** Tool or toolset names never registered. */
  deny?: readonly string[] | undefined;
  /** Toolsets listed from the start; "all" for every one. Default: DEFAULT_TOOLSETS. */
  toolsets?: readonly string[] | undefined;
}

export interface Selection<T extends Listable = Listable> {
  /** Every tool this server may run: the mode's, narrowed by allow and deny. */
  tools: T[];
  /** Toolsets listed from the start. */
  initial: ReadonlySet<Toolset>;
  /** An allow-list fixes the listing: the allowed tools, all listed, nothing more to enable. */
  fixed: boolean;
  /** What a call to a tool the operator left out gets. */
  refusals: Map<string, string>;
  /** Old names of renamed tools (aliasTable), over every tool kube-mcp has, not only this mode's. */
  aliases: ReadonlyMap<string, string>;
}

/**
 * The one table of renamed tools: each old name (Tool.aliases) to the tool's current name. Wherever a
 * tool is looked up by a name a client, an operator or an older hub wrote, the name goes through it.
 */
export function aliasTable(tools: readonly Listable[]): ReadonlyMap<string, string> {
  return new Map(tools.flatMap((t) => (t.aliases ?? []).map((old) => [old, t.name] as const)));
}

/** `byName` with each old name keyed too, to what its current name has. */
export function withAliases<T>(
  byName: ReadonlyMap<string, T>,
  aliases: ReadonlyMap<string, string>,
): Map<string, T> {
  const out = new Map(byName);
  for (const [old, name] of aliases) if (byName.has(name)) out.set(old, byName.get(name) as T);
  return out;
}

const matches = (t: Listable, names: ReadonlySet<string>) => names.has(t.name) || names.has(t.toolset);

/**
 * `all` is every tool kube-mcp has (any mode), so a name is checked against what exists, not what this
 * mode allows. Throws with the valid names when the lists name something that does not exist.
 */
export function selectTools<T extends Listable>(mode: Mode, all: T[], choice: ToolChoice): Selection<T> {
  const aliases = aliasTable(all);
  const names = new Set([...all.map((t) => t.name), ...aliases.keys(), ...TOOLSET_NAMES]);
  const bad = [
    ...[...(choice.allow ?? []), ...(choice.deny ?? [])].filter((n) => !names.has(n)),
    ...(choice.toolsets ?? []).filter((n) => n !== "all" && !isToolset(n)),
  ];
  if (bad.length)
    throw new Error(
      `unknown tool or toolset names in the tool lists (--toolsets, --tools, --deny-tools, or KUBE_MCP_TOOLSETS, KUBE_MCP_TOOLS, ALLOWED_TOOLS): ${bad.join(", ")}. Toolsets: ${TOOLSET_NAMES.join(", ")}, all. Tools: ${all.map((t) => t.name).join(", ")}`,
    );
  const current = (n: string) => aliases.get(n) ?? n;
  const allow = choice.allow ? new Set(choice.allow.map(current)) : undefined;
  const deny = new Set((choice.deny ?? []).map(current));
  const refusals = new Map<string, string>();
  const tools = toolsFor(mode, all).filter((t) => {
    if (matches(t, deny)) refusals.set(t.name, `${t.name} is turned off on this server (tools.deny).`);
    else if (allow && !matches(t, allow))
      refusals.set(t.name, `${t.name} is not in this server's tool allow-list (tools.allow).`);
    else return true;
    return false;
  });
  const wanted = choice.toolsets ?? DEFAULT_TOOLSETS;
  const initial = new Set<Toolset>(wanted.includes("all") ? TOOLSET_NAMES : (wanted as Toolset[]));
  return { tools, initial, fixed: allow !== undefined, refusals, aliases };
}

/** One session's listing: which toolsets are enabled, and who to tell when that changes. */
export class Listing<T extends Listable = Listable> {
  readonly #enabled: Set<Toolset>;
  readonly #listeners = new Set<() => void>();

  constructor(readonly selection: Selection<T>) {
    this.#enabled = new Set(selection.initial);
  }

  /** Tools that come and go with the machine (a CLI passthrough whose binary is not installed). */
  available(tool: T): boolean {
    return tool.installed?.() ?? true;
  }

  listed(tool: T): boolean {
    if (!this.available(tool)) return false;
    return this.selection.fixed || this.#enabled.has(tool.toolset);
  }

  /** Toolsets with tools this server may run that are not listed yet, each with those tools. */
  offered(): Map<Toolset, string[]> {
    const out = new Map<Toolset, string[]>();
    if (this.selection.fixed) return out;
    for (const t of this.selection.tools) {
      if (this.#enabled.has(t.toolset) || !this.available(t)) continue;
      out.set(t.toolset, [...(out.get(t.toolset) ?? []), t.name]);
    }
    return out;
  }

  /** Enables toolsets; returns the tools that became listed. */
  enable(toolsets: readonly Toolset[]): string[] {
    const offered = this.offered();
    const added = toolsets.flatMap((s) => offered.get(s) ?? []);
    for (const s of toolsets) if (offered.has(s)) this.#enabled.add(s);
    if (added.length) for (const l of this.#listeners) l();
    return added;
  }

  /** Why a registered tool cannot be called in this session, or undefined when it can. */
  refusal(tool: T): string | undefined {
    if (this.listed(tool)) return undefined;
    if (!this.available(tool))
      return `${tool.name} is not installed on the kube-mcp host (not found on PATH), so it is not listed.`;
    return `${tool.name} is in the ${tool.toolset} toolset, which is not enabled: call the toolsets tool with {"enable": ["${tool.toolset}"]} first (the operator can list it from the start with --toolsets).`;
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Whether this listing can ever change (so the server advertises, and sends, list_changed). */
  get changes(): boolean {
    return this.offered().size > 0 || this.selection.tools.some((t) => t.installed);
  }
}

// Grammar tables for cobra/pflag CLIs: commands with aliases and subcommands, flags with their arity,
// and what each mode allows. A flag or command missing from a table is refused, so the tables are an
// allowlist; flags that must never pass are listed too, with the reason, to refuse them by name.
import type { Mode } from "../config/schema.js";
import { MODE_RANK } from "../policy/modes.js";

export interface Parsed {
  /** Canonical command path, e.g. ["rollout", "status"]. */
  path: string[];
  flags: { name: string; value: string }[];
  positionals: string[];
  /** Arguments after `--`. */
  rest: string[];
}

/** A flag's value as the CLI reads it: pflag lets the last occurrence win. */
export const lastFlag = (p: Pick<Parsed, "flags">, name: string): string | undefined =>
  p.flags.filter((f) => f.name === name).at(-1)?.value;

export interface CheckCtx {
  mode: Mode;
  parsed: Parsed;
  /** Last value of a flag (pflag: the last occurrence wins). */
  last(name: string): string | undefined;
  has(name: string): boolean;
}

/** Returns a refusal reason, or undefined when the value is acceptable. */
export type Check = (value: string, ctx: CheckCtx) => string | undefined;

export interface FlagDef {
  long: string;
  short?: string;
  /** Takes a value (`--f v`, `--f=v`, `-fv`); false for booleans (`--f`, `--f=false`). */
  value: boolean;
  /** Inherited by subcommands (cobra persistent flags). */
  persistent?: boolean;
  /** Never allowed, in any mode; the text says why. */
  deny?: string;
  /** Least mode in which the flag may be used. */
  mode?: Mode;
  check?: Check;
}

export interface CommandDef {
  name: string;
  aliases?: string[];
  /** Least mode that may run it; absent on a pure group (it needs a subcommand). */
  mode?: Mode;
  /** Never allowed, in any mode; the text says why. */
  deny?: string;
  flags?: FlagDef[];
  sub?: CommandDef[];
  /** Validates positionals and the whole call (e.g. resource kinds, names, scale to zero). */
  check?: (ctx: CheckCtx) => string | undefined;
  /** Whether arguments after `--` are accepted (exec, debug). */
  dashDash?: boolean;
}

export interface Grammar {
  binary: string;
  root: CommandDef;
  /** kubectl maps `_` to `-` in flag names (WordSepNormalizeFunc); helm and others do not. */
  normalizeUnderscore: boolean;
}

/** Refusal reasons every CLI grammar shares; each grammar adds its own, or words one for its binary. */
export const COMMON_NEVER = {
  target: "kube-mcp pins the cluster and credentials; choose a cluster with the `cluster` parameter",
  identity: "impersonation and identity switching are not allowed",
  files: "it reads or writes files on the kube-mcp host",
  interactive: "it is interactive or never ends",
};

export const allows = (mode: Mode, least: Mode | undefined) =>
  least !== undefined && MODE_RANK[mode] >= MODE_RANK[least];

export const bool = (long: string, short?: string, extra: Partial<FlagDef> = {}): FlagDef => ({
  long,
  ...(short ? { short } : {}),
  value: false,
  ...extra,
});
export const str = (long: string, short?: string, extra: Partial<FlagDef> = {}): FlagDef => ({
  long,
  ...(short ? { short } : {}),
  value: true,
  ...extra,
});

// argv → command path, flags and positionals, the way cobra and pflag do it: the command path is found
// first (cobra's Find: at each level, strip the flags that level knows, assuming an unknown flag
// without "=" takes the next word), then every argument is parsed with the final command's flags
// (pflag: interspersed flags, --f=v / --f v / -fv / -f=v / bundled shorthands, `--` ends flags).
import { ToolError } from "../errors.js";
import type { CommandDef, FlagDef, Grammar, Parsed } from "./grammar.js";

/**
 * A command kube-mcp does not run, and why. The one refusal of the passthrough: a ToolError, so it reaches
 * the model as it is; the passthrough tools mark it `refused` in their structured answer.
 */
export class Refusal extends ToolError {}

function normalize(name: string, g: Grammar): string {
  return g.normalizeUnderscore ? name.replaceAll("_", "-") : name;
}

/** Flags visible at a command: its own plus every ancestor's persistent flags. */
function flagsAt(chain: CommandDef[]): FlagDef[] {
  const own = chain.at(-1)?.flags ?? [];
  const inherited = chain.slice(0, -1).flatMap((c) => (c.flags ?? []).filter((f) => f.persistent));
  return [...own, ...inherited];
}

function findLong(flags: FlagDef[], name: string): FlagDef | undefined {
  return flags.find((f) => f.long === name);
}
function findShort(flags: FlagDef[], c: string): FlagDef | undefined {
  return flags.find((f) => f.short === c);
}

/**
 * cobra's stripFlags: the non-flag words, as the command finder sees them at this level. cobra adds
 * -h/--help only after it has chosen the command, so while finding it they count as unknown flags,
 * which take the next word; a bare "-" is skipped like a flag.
 */
function stripFlags(args: string[], flags: FlagDef[], g: Grammar): string[] {
  const known = (f: FlagDef | undefined) => (f && f.long !== "help" ? f : undefined);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--") break;
    if (a.startsWith("--") && !a.includes("=")) {
      const f = known(findLong(flags, normalize(a.slice(2), g)));
      if (!f || f.value) i++;
    } else if (a.startsWith("-") && a.length === 2) {
      const f = known(findShort(flags, a[1] as string));
      if (!f || f.value) i++;
    } else if (!a.startsWith("-")) {
      out.push(a);
    }
  }
  return out;
}

function findCommand(argv: string[], g: Grammar): { chain: CommandDef[]; args: string[] } {
  const chain = [g.root];
  let args = argv;
  for (;;) {
    const node = chain.at(-1) as CommandDef;
    const next = stripFlags(args, flagsAt(chain), g)[0];
    if (next === undefined || !node.sub?.length) break;
    const child = node.sub.find((c) => c.name === next || c.aliases?.includes(next));
    if (!child) {
      if (!node.mode) {
        const where =
          chain.length > 1
            ? `${g.binary} ${chain
                .slice(1)
                .map((c) => c.name)
                .join(" ")}`
            : g.binary;
        throw new Refusal(
          `"${next}" is not a ${where} command that kube-mcp runs (unknown commands would run plugins).`,
        );
      }
      break;
    }
    chain.push(child);
    const at = args.indexOf(next);
    args = [...args.slice(0, at), ...args.slice(at + 1)];
  }
  return { chain, args };
}

function flagError(g: Grammar, spelled: string, chain: CommandDef[]): Refusal {
  const cmd = [g.binary, ...chain.slice(1).map((c) => c.name)].join(" ");
  return new Refusal(
    `${spelled} is not a flag kube-mcp allows for "${cmd}" (unknown or unsupported flags are refused).`,
  );
}

export function parseArgv(argv: string[], g: Grammar): Parsed & { chain: CommandDef[] } {
  const { chain, args } = findCommand(argv, g);
  const denied = chain.find((c) => c.deny);
  if (denied)
    throw new Refusal(
      `"${[g.binary, ...chain.slice(1).map((c) => c.name)].join(" ")}" is never allowed: ${denied.deny}.`,
    );
  const flags = flagsAt(chain);
  const parsed: Parsed & { chain: CommandDef[] } = {
    chain,
    path: chain.slice(1).map((c) => c.name),
    flags: [],
    positionals: [],
    rest: [],
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--") {
      parsed.rest = args.slice(i + 1);
      break;
    }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = normalize(eq < 0 ? a.slice(2) : a.slice(2, eq), g);
      const f = findLong(flags, name);
      if (!f) throw flagError(g, `--${name}`, chain);
      let value: string;
      if (eq >= 0) value = a.slice(eq + 1);
      else if (!f.value) value = "true";
      else if (i + 1 < args.length) value = args[++i] as string;
      else throw new Refusal(`--${name} needs a value.`);
      parsed.flags.push({ name: f.long, value });
    } else if (a.startsWith("-") && a.length > 1) {
      let s = a.slice(1);
      while (s.length) {
        const f = findShort(flags, s[0] as string);
        if (!f) throw flagError(g, `-${s[0]}`, chain);
        if (s.length > 2 && s[1] === "=") {
          parsed.flags.push({ name: f.long, value: s.slice(2) });
          break;
        }
        if (!f.value) {
          parsed.flags.push({ name: f.long, value: "true" });
          s = s.slice(1);
          continue;
        }
        if (s.length > 1) parsed.flags.push({ name: f.long, value: s.slice(1) });
        else if (i + 1 < args.length) parsed.flags.push({ name: f.long, value: args[++i] as string });
        else throw new Refusal(`-${s[0]} needs a value.`);
        break;
      }
    } else {
      parsed.positionals.push(a);
    }
  }
  return parsed;
}

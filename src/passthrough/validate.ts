// The validator: hygiene of every argument, then the grammar parse, then the policy of the mode. Pure
// and deterministic; a Refusal says what was refused and what is allowed instead.
import type { Mode } from "../config/schema.js";
import { allows, type CheckCtx, type Grammar, type Parsed } from "./grammar.js";
import { parseArgv, Refusal } from "./parse.js";

export { Refusal };

export const LIMITS = { args: 64, argBytes: 4096, totalBytes: 16384 };

function hygiene(argv: string[]): void {
  if (argv.length > LIMITS.args)
    throw new Refusal(`too many arguments (${argv.length}; at most ${LIMITS.args}).`);
  let total = 0;
  for (const a of argv) {
    total += Buffer.byteLength(a);
    if (a === "") throw new Refusal("empty arguments are not accepted.");
    if (Buffer.byteLength(a) > LIMITS.argBytes)
      throw new Refusal(`an argument is longer than ${LIMITS.argBytes} bytes.`);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
    if (/[\u0000-\u001f\u007f]/.test(a))
      throw new Refusal("control characters (NUL, newline, tab…) are not accepted in arguments.");
    if (/[^\u0020-\u007e]/.test(a)) {
      throw new Refusal(
        `non-ASCII characters are not accepted in arguments ("${a.replace(/[^\u0020-\u007e]/g, "?")}"); look-alike dashes and spaces hide flags.`,
      );
    }
  }
  if (total > LIMITS.totalBytes)
    throw new Refusal(`the arguments are longer than ${LIMITS.totalBytes} bytes in all.`);
}

const MODES: Mode[] = ["read-only", "non-destructive", "full"];
const leastMode = (m: Mode | undefined) => (m ? `${m} mode${m === "full" ? "" : " or higher"}` : "no mode");

export interface Verdict extends Parsed {
  help: boolean;
}

export function validate(argv: string[], g: Grammar, mode: Mode): Verdict {
  hygiene(argv);
  if (argv[0] === g.binary) throw new Refusal(`leave out the binary name: args start after "${g.binary}".`);
  const p = parseArgv(argv, g);
  const cmd = [g.binary, ...p.path].join(" ");
  const node = p.chain.at(-1);
  if (!node) throw new Refusal("no command given.");
  const values = new Map<string, string>();
  for (const f of p.flags) values.set(f.name, f.value);
  const help = values.get("help") === "true";
  // Later entries win in a Map: inherited first, so a command's own definition of a flag overrides
  // an ancestor's persistent one, as in cobra.
  const known = new Map(
    [
      ...p.chain.slice(0, -1).flatMap((c) => (c.flags ?? []).filter((f) => f.persistent)),
      ...(node.flags ?? []),
    ].map((f) => [f.long, f]),
  );
  const ctx: CheckCtx = { mode, parsed: p, last: (n) => values.get(n), has: (n) => values.has(n) };
  for (const f of p.flags) {
    const def = known.get(f.name);
    if (def?.deny) throw new Refusal(`--${f.name} is never allowed: ${def.deny}.`);
    // Values are checked even for help requests: some CLIs (helm) read global flags before help.
    const why = def?.check?.(f.value, ctx);
    if (why) throw new Refusal(`--${f.name}=${f.value}: ${why}`);
  }
  if (help) return { ...p, help };
  if (!node.mode) {
    const subs = (node.sub ?? []).filter((s) => allows(mode, s.mode) || s.sub).map((s) => s.name);
    throw new Refusal(
      `"${cmd}" needs a subcommand${subs.length ? `; allowed in ${mode} mode: ${subs.join(", ")}` : ""}.`,
    );
  }
  if (!allows(mode, node.mode)) {
    const ok = MODES.filter((m) => allows(m, node.mode));
    throw new Refusal(`"${cmd}" is not allowed in ${mode} mode (it needs ${leastMode(ok[0])}).`);
  }
  if (p.rest.length && !node.dashDash) throw new Refusal(`"${cmd}" does not take arguments after "--".`);
  for (const f of p.flags) {
    const def = known.get(f.name);
    if (def?.mode && !allows(mode, def.mode))
      throw new Refusal(`--${f.name} is not allowed in ${mode} mode.`);
  }
  const why = node.check?.(ctx);
  if (why) throw new Refusal(why);
  return { ...p, help };
}

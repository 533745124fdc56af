// Shared by the validators' tests: a seeded PRNG (mulberry32, so a failure reproduces), the verdict
// helper, the walk over a grammar's runnable commands, every spelling of a flag, and the fuzz loop.
import { expect } from "vitest";
import type { Mode } from "../config/schema.js";
import type { CommandDef, FlagDef, Grammar } from "./grammar.js";
import { Refusal, validate } from "./validate.js";

export const MODES: Mode[] = ["read-only", "non-destructive", "full"];

/** "ok", or "refused: <reason>"; any other error is a bug and propagates. */
export function decide(argv: string[], mode: Mode, g: Grammar): string {
  try {
    validate(argv, g, mode);
    return "ok";
  } catch (err) {
    if (err instanceof Refusal) return `refused: ${err.message}`;
    throw err;
  }
}

export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export /** Every runnable command with the flags visible there (its own plus inherited persistent ones). */
function leaves(g: Grammar): [string[], FlagDef[]][] {
  const out: [string[], FlagDef[]][] = [];
  const walk = (c: CommandDef, path: string[], inherited: FlagDef[]) => {
    if (c.deny) return;
    const flags = [...(c.flags ?? []), ...inherited];
    if (c.mode) out.push([path, flags]);
    const pass = [...(c.flags ?? []).filter((f) => f.persistent), ...inherited];
    for (const s of c.sub ?? []) walk(s, [...path, s.name], pass);
  };
  walk(g.root, [], []);
  return out;
}

export /** Tries every denied flag at every command that sees it (root flags also before the command). */
function deniedEverywhere(g: Grammar): number {
  let tried = 0;
  const rootFlags = new Set(g.root.flags ?? []);
  for (const [path, flags] of leaves(g)) {
    const bundle = flags.find((f) => !f.value && f.short && !f.deny)?.short;
    for (const f of flags.filter((x) => x.deny)) {
      for (const form of spellings(f, bundle)) {
        const argvs = [[...path, ...form], ...(rootFlags.has(f) ? [[...form, ...path]] : [])];
        for (const argv of argvs)
          for (const mode of MODES) {
            expect(decide(argv, mode, g), argv.join(" ")).toMatch(/never allowed/);
            tried++;
          }
      }
    }
  }
  return tried;
}

export /** --f=v, --f v, -fv, -f=v, -f v and a bundle behind a boolean shorthand; booleans with and without values. */
function spellings(f: FlagDef, bundle?: string): string[][] {
  const v = "/tmp/x";
  if (!f.value)
    return [
      [`--${f.long}`],
      [`--${f.long}=false`],
      [`--${f.long}=true`],
      ...(f.short ? [[`-${f.short}`]] : []),
    ];
  return [
    [`--${f.long}=${v}`],
    [`--${f.long}`, v],
    ...(f.short
      ? [
          [`-${f.short}${v}`],
          [`-${f.short}=${v}`],
          [`-${f.short}`, v],
          ...(bundle ? [[`-${bundle}${f.short}${v}`]] : []),
        ]
      : []),
  ];
}

export /** Random argv from the grammar's own words, flags in every spelling, plausible values and junk. */
function fuzz(g: Grammar, seed: number, values: string[]): void {
  const vocab = new Set<string>([
    ...values,
    "--",
    "-",
    "=",
    "--help",
    "--help=false",
    "-h",
    "true",
    "false",
    "/etc/passwd",
    "https://evil.example",
    "\u2014kubeconfig",
    "x\u0000y",
    "a".repeat(5000),
  ]);
  const denied = new Set<string>();
  const allowed = new Set<string>();
  const visit = (c: CommandDef) => {
    vocab.add(c.name);
    for (const a of c.aliases ?? []) vocab.add(a);
    for (const f of c.flags ?? []) {
      (f.deny ? denied : allowed).add(f.long);
      vocab.add(`--${f.long}`).add(`--${f.long}=x`).add(`--${f.long}=false`);
      if (f.short) vocab.add(`-${f.short}`).add(`-${f.short}x`).add(`-${f.short}=x`).add(`-h${f.short}`);
    }
    for (const s of c.sub ?? []) visit(s);
  };
  visit(g.root);
  const list = [...vocab];
  const paths = leaves(g).map(([path]) => path);
  const rand = prng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)] as T;
  let accepted = 0;
  for (let i = 0; i < 3000; i++) {
    // Most lists start with a real command path, so the flag and value checks get exercised too.
    const head = rand() < 0.7 ? pick(paths) : [];
    const argv = [...head, ...Array.from({ length: Math.floor(rand() * 5) }, () => pick(list))];
    if (!argv.length) argv.push(pick(list));
    const mode = MODES[i % 3] as Mode;
    let first: string;
    let flags: string[] = [];
    try {
      flags = validate(argv, g, mode).flags.map((f) => f.name);
      first = "ok";
    } catch (err) {
      expect(err, argv.join(" ")).toBeInstanceOf(Refusal);
      first = `refused: ${(err as Error).message}`;
    }
    expect(decide([...argv], mode, g), argv.join(" ")).toBe(first);
    if (first === "ok") {
      accepted++;
      for (const name of flags)
        expect(denied.has(name) && !allowed.has(name), `${argv.join(" ")} passed --${name}`).toBe(false);
    }
  }
  expect(accepted).toBeGreaterThan(100);
}

// Random argv thrown at every validator: it may accept or refuse, but never crash, and it always
// decides the same way for the same input. Seeded, so a failure reproduces.
import { describe, expect, it } from "vitest";
import type { Grammar } from "./grammar.js";
import { KUBECTL } from "./kubectl.js";
import { decide, prng } from "./testkit.js";

function vocabulary(g: Grammar): string[] {
  const words = new Set<string>([
    "--",
    "-",
    "-A",
    "-Ao",
    "-sx",
    "x",
    "pods",
    "secret/db",
    "--help",
    "--help=false",
    "=",
    "-n=x",
    "true",
    "''",
    "\u2014x",
    "\u0000",
    "a".repeat(5000),
  ]);
  const visit = (c: NonNullable<Grammar["root"]["sub"]>[number] | Grammar["root"]) => {
    words.add(c.name);
    for (const a of c.aliases ?? []) words.add(a);
    for (const f of c.flags ?? []) {
      words.add(`--${f.long}`);
      words.add(`--${f.long}=1`);
      words.add(`--${f.long.replaceAll("-", "_")}=x`);
      if (f.short) words.add(`-${f.short}`).add(`-${f.short}x`).add(`-A${f.short}`);
    }
    for (const s of c.sub ?? []) visit(s);
  };
  visit(g.root);
  return [...words];
}

describe.each([KUBECTL])("fuzzing the $binary validator", (g) => {
  it("never crashes and always decides the same way", () => {
    const rand = prng(20261122);
    const words = vocabulary(g);
    const modes = ["read-only", "non-destructive", "full"] as const;
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      const argv = Array.from(
        { length: 1 + Math.floor(rand() * 8) },
        () => words[Math.floor(rand() * words.length)] as string,
      );
      const mode = modes[i % 3] as (typeof modes)[number];
      const first = decide(argv, mode, g);
      expect(decide([...argv], mode, g)).toBe(first);
      if (first === "ok") accepted++;
      // Whatever is accepted never carries a connection or identity flag in any spelling.
      if (first === "ok")
        expect(argv.join(" ")).not.toMatch(/--(server|token|kubeconfig|context|as|user|cluster)([=_\s]|$)/);
    }
    expect(accepted).toBeGreaterThan(0);
  });
});

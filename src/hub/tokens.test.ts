import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigSchema } from "../config/schema.js";
import { loadTokens } from "./tokens.js";

const config = (hub: object) => ConfigSchema.parse({ hub });

describe("loadTokens", () => {
  it("reads a mounted Secret directory, skipping its ..data links and non-cluster names", () => {
    const dir = mkdtempSync(join(tmpdir(), "tokens-"));
    const data = join(dir, "..2026_11_22_00_00_00.1");
    mkdirSync(data);
    writeFileSync(join(data, "prod"), "prod-token-0123456789\n");
    symlinkSync(data, join(dir, "..data"));
    symlinkSync(join("..data", "prod"), join(dir, "prod"));
    writeFileSync(join(dir, "staging"), "staging-token-0123456789");
    expect(loadTokens(config({ tokensPath: dir, tokens: { dev: "dev-token-0123456789" } }))).toEqual({
      dev: "dev-token-0123456789",
      prod: "prod-token-0123456789",
      staging: "staging-token-0123456789",
    });
  });

  it("reads a JSON file and refuses short, shared or unreadable tokens", () => {
    const dir = mkdtempSync(join(tmpdir(), "tokens-"));
    const file = join(dir, "tokens.json");
    writeFileSync(file, JSON.stringify({ a: "a-token-0123456789abc" }));
    expect(loadTokens(config({ tokensPath: file }))).toEqual({ a: "a-token-0123456789abc" });
    writeFileSync(file, JSON.stringify({ a: "short" }));
    expect(() => loadTokens(config({ tokensPath: file }))).toThrow(
      "the token for cluster a must be a string of at least 16 characters",
    );
    writeFileSync(file, "a=b");
    expect(() => loadTokens(config({ tokensPath: file }))).toThrow(
      'is not JSON of the form {"cluster":"token"}',
    );
    expect(() => loadTokens(config({ tokensPath: join(dir, "missing") }))).toThrow("ENOENT");
    expect(() =>
      loadTokens(config({ tokens: { a: "same-token-0123456789", b: "same-token-0123456789" } })),
    ).toThrow("clusters a and b share a token");
  });
});

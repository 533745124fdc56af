import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Config, ConfigSchema } from "../config/schema.js";
import { impersonatingClusters, loadApiKeys } from "./keys.js";

const config = (doc: unknown): Config => ConfigSchema.parse(doc);
const ALICE = "alice-key-0123456789abcdef";

describe("loadApiKeys", () => {
  it("reads keys from the config, a file and the environment, and names the caller of each", () => {
    const file = join(mkdtempSync(join(tmpdir(), "kube-mcp-keys-")), "bob");
    writeFileSync(file, "bob-key-0123456789abcdefgh\n");
    const keys = loadApiKeys(
      config({
        http: {
          apiKeys: [
            { name: "alice", key: ALICE, user: "alice", groups: ["team-a"] },
            { name: "bob", keyFile: file, user: "bob" },
            { name: "ci", keyEnv: "CI_KEY" },
          ],
        },
      }),
      { CI_KEY: "ci-key-0123456789abcdefghi" },
      [],
    );
    expect(keys.match(ALICE)).toEqual({ kind: "api-key", key: "alice", user: "alice", groups: ["team-a"] });
    expect(keys.match("bob-key-0123456789abcdefgh")?.user).toBe("bob");
    expect(keys.match("ci-key-0123456789abcdefghi")).toEqual({ kind: "api-key", key: "ci", groups: [] });
    expect(keys.match("nope-0123456789abcdefghijk")).toBeUndefined();
    expect(keys.match(undefined)).toBeUndefined();
  });

  it.each([
    [
      { apiKeys: [{ name: "ci", key: ALICE }] },
      ["cluster alpha"],
      /"ci" has no user, but callers are impersonated on cluster alpha/,
    ],
    [
      {
        apiKeys: [
          { name: "a", key: ALICE, user: "a" },
          { name: "a", key: `${ALICE}x`, user: "a" },
        ],
      },
      [],
      /configured twice/,
    ],
    [
      {
        apiKeys: [
          { name: "a", key: ALICE, user: "a" },
          { name: "b", key: ALICE, user: "b" },
        ],
      },
      [],
      /same key/,
    ],
    [{ apiKeys: [{ name: "a", keyEnv: "UNSET_KEY_VAR", user: "a" }] }, [], /UNSET_KEY_VAR is not set/],
    [
      { apiKeys: [{ name: "a", keyFile: "/nonexistent/key", user: "a" }] },
      [],
      /cannot read \/nonexistent\/key \(ENOENT\)/,
    ],
    [{ apiKeys: [{ name: "a", key: ALICE, user: "al\nice" }] }, [], /printable ASCII/],
  ])("refuses bad keys at start-up, never quoting the key (%#)", (http, impersonating, message) => {
    const load = () => loadApiKeys(config({ http }), {}, impersonating);
    expect(load).toThrow(message);
    expect(() => load()).not.toThrow(ALICE);
  });

  it("needs exactly one of key, keyFile, keyEnv", () => {
    expect(() => config({ http: { apiKeys: [{ name: "a", user: "a" }] } })).toThrow(/exactly one of key/);
  });
});

describe("impersonatingClusters", () => {
  it("names the clusters that act as callers, or all of them", () => {
    expect(impersonatingClusters(config({ clusters: { a: { identity: "impersonate" }, b: {} } }))).toEqual([
      "cluster a",
    ]);
    expect(impersonatingClusters(config({ identity: "impersonate" }))).toEqual([
      "all clusters (--identity impersonate)",
    ]);
    expect(impersonatingClusters(config({}))).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import * as z from "zod";
import { helpText, OPTIONS, optionHelp } from "./options.js";
import { ConfigSchema } from "./schema.js";

type Json = {
  properties?: Record<string, Json>;
  items?: Json;
  additionalProperties?: Json | boolean;
} & Record<string, unknown>;

/** Every property of a JSON schema, nested ones too, as dotted paths ([] for array items, * for map values). */
function fields(s: Json, path = ""): [string, Json][] {
  const own = Object.entries(s.properties ?? {}).flatMap(([k, v]): [string, Json][] => [
    [path + k, v],
    ...fields(v, `${path + k}.`),
  ]);
  const items = s.items ? fields(s.items, `${path}[].`) : [];
  const values =
    typeof s.additionalProperties === "object" ? fields(s.additionalProperties, `${path}*.`) : [];
  return [...own, ...items, ...values];
}

describe("the config schema", () => {
  const json = z.toJSONSchema(ConfigSchema, { io: "input", unrepresentable: "any" }) as Json;

  it("describes every field, nested ones too (the schema is the documentation)", () => {
    const all = fields(json);
    expect(all.length).toBeGreaterThan(100);
    expect(all.filter(([, v]) => !v.description).map(([p]) => p)).toEqual([]);
  });

  it("writes each default once: an empty config gets every section's defaults from its fields", () => {
    const c = ConfigSchema.parse({});
    expect(c.http).toEqual({
      path: "/mcp",
      allowedHosts: [],
      allowedOrigins: [],
      apiKeys: [],
      allowUnauthenticated: false,
      sse: false,
    });
    expect(c.output).toEqual({ maxRows: 200, maxBytes: 24_000 });
    expect(c.cli).toEqual({
      timeoutSeconds: 55,
      maxTimeoutSeconds: 300,
      maxOutputBytes: 2_000_000,
      concurrency: 4,
    });
    expect(ConfigSchema.parse({ output: { maxRows: 50 } }).output).toEqual({ maxRows: 50, maxBytes: 24_000 });
    expect(
      ConfigSchema.parse({ http: { oauth: { issuer: "https://id.example" } } }).http.oauth?.scopes,
    ).toEqual({
      read: "kube-mcp:read",
      write: "kube-mcp:write",
      admin: "kube-mcp:admin",
    });
  });

  it("fills --help from the schema: a field's description where the option has no words of its own, and its default", () => {
    for (const o of OPTIONS.filter((o) => o.path)) expect(optionHelp(o), o.flag).not.toBe("");
    expect(OPTIONS.filter((o) => o.showDefault).length).toBeGreaterThan(5);
    const timeout = OPTIONS.find((o) => o.flag === "request-timeout");
    expect(timeout?.help).toBeUndefined();
    expect(timeout && optionHelp(timeout)).toBe("deadline for one Kubernetes API request (default 30000)");
    for (const role of ["serve", "hub", "agent"] as const)
      expect(helpText(role, "")).toMatch(/--max-rows N +most table rows in one answer \(default 200\)/);
  });
});

import { describe, expect, it } from "vitest";
import * as z from "zod";
import { ConfigSchema } from "../config/schema.js";
import { Clusters } from "../targets/clusters.js";
import { type AnyTool, defineTool } from "../tools/define.js";
import { ALL_TOOLS } from "../tools/index.js";
import { type Safety, toolsFor } from "./modes.js";

const fake = (name: string, safety: Safety): AnyTool =>
  defineTool({
    name,
    title: name,
    description: name,
    safety,
    toolset: "core",
    input: z.object({}),
    output: z.object({}),
    handle: async () => ({ text: "", data: {} }),
  });
const tools = [fake("look", "read"), fake("change", "write"), fake("remove", "destructive")];

describe("safety modes", () => {
  it.each([
    ["read-only", ["look"]],
    ["non-destructive", ["look", "change"]],
    ["full", ["look", "change", "remove"]],
  ] as const)("%s advertises %j", (mode, names) => {
    expect(toolsFor(mode, tools).map((t) => t.name)).toEqual(names);
  });

  it("keeps every read tool, and only those, in read-only mode", () => {
    expect(toolsFor("read-only", ALL_TOOLS)).toEqual(ALL_TOOLS.filter((t) => t.safety === "read"));
    expect(toolsFor("read-only", ALL_TOOLS).length).toBeGreaterThanOrEqual(10);
  });

  it("applies the stricter of the global and the per-cluster mode", () => {
    const config = ConfigSchema.parse({
      mode: "non-destructive",
      clusters: { prod: { mode: "read-only" }, lab: { mode: "full" } },
    });
    const clusters = new Clusters(config, () => ({
      transport: { request: async () => ({ status: 200, headers: {}, body: Buffer.from("{}") }) },
      credentials: { get: async () => ({ headers: {}, cacheKey: "none" }) },
    }));
    const spec = (name: string) => ({
      name,
      source: "env" as const,
      origin: "test",
      server: "https://x",
      namespace: "default",
      tls: { insecure: false },
      auth: {},
    });
    clusters.replace([spec("prod"), spec("lab"), spec("dev")], "dev");
    expect(Object.fromEntries(clusters.all().map((c) => [c.name, c.mode]))).toEqual({
      prod: "read-only",
      lab: "non-destructive",
      dev: "non-destructive",
    });
    expect(clusters.default).toBe("dev");
  });
});

import { describe, expect, it } from "vitest";
import * as z from "zod";
import { type AnyTool, defineTool } from "../tools/define.js";
import type { Safety } from "./modes.js";
import type { Toolset } from "./toolset-catalogue.js";
import { Listing, selectTools, withAliases } from "./toolsets.js";

const fake = (name: string, safety: Safety, toolset: Toolset, installed?: () => boolean): AnyTool =>
  defineTool({
    name,
    title: name,
    description: name,
    safety,
    toolset,
    input: z.object({}),
    output: z.object({}),
    handle: async () => ({ text: "", data: {} }),
    ...(installed ? { installed } : {}),
  });
const ALL = [
  fake("look", "read", "core"),
  fake("change", "write", "write"),
  fake("health", "read", "inspect"),
  fake("remove", "destructive", "workloads"),
  fake("mesh", "read", "istio", () => false),
];
const names = (l: Listing) =>
  ALL.filter((t) => l.selection.tools.includes(t) && l.listed(t)).map((t) => t.name);

describe("selectTools", () => {
  it("registers the mode's tools and lists the default toolsets", () => {
    const s = selectTools("non-destructive", ALL, {});
    expect(s.tools.map((t) => t.name)).toEqual(["look", "change", "health", "mesh"]);
    expect(names(new Listing(s))).toEqual(["look", "change"]);
  });

  it("lists every toolset with all, and what --toolsets names otherwise", () => {
    expect(names(new Listing(selectTools("full", ALL, { toolsets: ["all"] })))).toEqual([
      "look",
      "change",
      "health",
      "remove",
    ]);
    expect(names(new Listing(selectTools("full", ALL, { toolsets: ["inspect"] })))).toEqual(["health"]);
  });

  it("an allow-list (tools or toolsets) fixes the listing; deny removes tools whatever lists them", () => {
    const s = selectTools("full", ALL, { allow: ["look", "workloads"], deny: ["look"] });
    expect(s.tools.map((t) => t.name)).toEqual(["remove"]);
    expect(s.fixed).toBe(true);
    expect(new Listing(s).offered().size).toBe(0);
    expect(s.refusals.get("look")).toMatch(/turned off .*tools\.deny/);
    expect(s.refusals.get("change")).toMatch(/not in this server's tool allow-list/);
  });

  it("takes a renamed tool's old name in allow and deny lists as its current name, and lists only that", () => {
    const renamed = [...ALL, { ...fake("health_check", "read", "inspect"), aliases: ["health_old"] }];
    const s = selectTools("full", renamed, { allow: ["health_old", "look"] });
    expect(s.tools.map((t) => t.name)).toEqual(["look", "health_check"]);
    expect(s.aliases).toEqual(new Map([["health_old", "health_check"]]));
    const denied = selectTools("full", renamed, { deny: ["health_old"] });
    expect(denied.tools.map((t) => t.name)).not.toContain("health_check");
    expect(denied.refusals.get("health_check")).toMatch(/turned off .*tools\.deny/);
    // The valid names an operator is shown are the current ones.
    expect(() => selectTools("full", renamed, { allow: ["bogus"] })).toThrow(
      /Tools: (?!.*health_old).*health_check/,
    );
  });

  it("withAliases finds a tool by an old name too (an agent answering an older hub), if it has the tool", () => {
    const byName = new Map([["health_check", 1]]);
    const aliases = new Map([
      ["health_old", "health_check"],
      ["gone_old", "gone"],
    ]);
    expect([...withAliases(byName, aliases)]).toEqual([
      ["health_check", 1],
      ["health_old", 1],
    ]);
  });

  it("names unknown tools and toolsets with the valid names", () => {
    expect(() => selectTools("full", ALL, { toolsets: ["core", "bogus"], deny: ["kubectl_get"] })).toThrow(
      /kubectl_get, bogus\. Toolsets: core, write, .*all\. Tools: look, change/,
    );
  });
});

describe("Listing", () => {
  it("enables an offered toolset once, tells its listeners, and refuses what is not listed", () => {
    const l = new Listing(selectTools("full", ALL, {}));
    let told = 0;
    l.onChange(() => told++);
    const remove = ALL[3] as AnyTool;
    expect(l.refusal(remove)).toMatch(/workloads toolset, which is not enabled: .*"enable": \["workloads"\]/);
    expect([...l.offered().keys()]).toEqual(["inspect", "workloads"]);
    expect(l.enable(["workloads"])).toEqual(["remove"]);
    expect(l.enable(["workloads"])).toEqual([]);
    expect(told).toBe(1);
    expect(l.refusal(remove)).toBeUndefined();
  });

  it("never lists a tool whose binary is missing, and can change because of it", () => {
    const l = new Listing(selectTools("full", ALL, { toolsets: ["all"] }));
    const mesh = ALL[4] as AnyTool;
    expect(l.listed(mesh)).toBe(false);
    expect(l.refusal(mesh)).toMatch(/not installed/);
    expect(l.changes).toBe(true);
  });
});

// The protocol as a client sees it, in-process (no process, no cluster): what tools/list carries, and
// what a call that cannot run gets back. The bed suites in test/ cover the same over stdio and HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InProcess, inProcess } from "./testkit.js";

const text = (r: { content?: unknown }) =>
  (r.content as { text?: string }[]).map((b) => b.text ?? "").join("\n");

let s: InProcess;
beforeAll(async () => {
  s = await inProcess();
});
afterAll(async () => {
  await s?.close();
});

describe("tools/list", () => {
  it("lists the default toolsets' tools, each with a title, a description, an object schema and hints", async () => {
    const { tools } = await s.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(["clusters_list", "resources_list", "rollout_change", "kubectl", "toolsets"]),
    );
    for (const t of tools) {
      expect(t.name, t.name).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(t.title, t.name).toBeTruthy();
      expect(t.description?.length, t.name).toBeGreaterThan(20);
      expect(t.inputSchema.type, t.name).toBe("object");
      // What only a validator needs is left out of the listing (src/mcp/listing.ts).
      expect(JSON.stringify(t.inputSchema), t.name).not.toMatch(/"\$schema"|"maxLength"|"pattern"/);
      expect(t.annotations?.openWorldHint, t.name).toBe(false);
      expect(t.outputSchema, t.name).toBeUndefined();
    }
  });

  it("names each tool noun_verb and lists no renamed tool's old name", async () => {
    const names = (await s.client.listTools()).tools.map((t) => t.name);
    for (const old of ["top", "rollout", "port_forward"]) expect(names).not.toContain(old);
  });
});

describe("tools/call that cannot run", () => {
  it("refuses a tool the mode leaves out with the mode it needs", async () => {
    const r = await s.client.callTool({ name: "resources_delete", arguments: {} });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(
      /^resources_delete is not available: this server runs in non-destructive mode.*full mode/,
    );
  });

  it("says how to enable a tool whose toolset is not listed", async () => {
    const r = await s.client.callTool({ name: "cluster_health", arguments: {} });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/inspect toolset, which is not enabled: .*"enable": \["inspect"\]/);
  });

  it("tells a call with no cluster configured how to give it one", async () => {
    const r = await s.client.callTool({ name: "resources_list", arguments: { kind: "pods" } });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/^No clusters are configured\.\nSet KUBECONFIG/);
  });

  it("answers an unknown tool with a protocol error naming it", async () => {
    await expect(s.client.callTool({ name: "no_such_tool", arguments: {} })).rejects.toThrow(
      /Tool no_such_tool not found/,
    );
  });
});

describe("renamed tools' old names", () => {
  it("call the tool by its current name: validation, refusals and toolsets included", async () => {
    const bad = await s.client.callTool({ name: "rollout", arguments: { action: "restart" } });
    expect(text(bad)).toMatch(/Invalid arguments for tool rollout_change/);
    const unlisted = await s.client.callTool({ name: "top", arguments: { kind: "pods" } });
    expect(text(unlisted)).toMatch(/^resources_top is in the inspect toolset, which is not enabled/);
    const hidden = await s.client.callTool({ name: "port_forward", arguments: { action: "list" } });
    expect(text(hidden)).toMatch(
      /^pods_port_forward is not available: this server runs in non-destructive mode/,
    );
  });

  it("are accepted in the operator's tool lists, and list the current name", async () => {
    const only = await inProcess(["--tools", "top,rollout"]);
    try {
      const names = (await only.client.listTools()).tools.map((t) => t.name).sort();
      expect(names).toEqual(["resources_top", "rollout_change"]);
      const r = await only.client.callTool({ name: "top", arguments: { kind: "nodes" } });
      expect(text(r)).toMatch(/^No clusters are configured/);
    } finally {
      await only.close();
    }
    const denied = await inProcess(["--deny-tools", "rollout"]);
    try {
      expect((await denied.client.listTools()).tools.map((t) => t.name)).not.toContain("rollout_change");
      const r = await denied.client.callTool({ name: "rollout", arguments: {} });
      expect(text(r)).toBe("rollout_change is turned off on this server (tools.deny).");
    } finally {
      await denied.close();
    }
  });
});

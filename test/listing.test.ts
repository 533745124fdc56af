// The listing a model pays for on every turn: byte budgets per mode, toolsets listed by default and
// enabled in one call (with tools/list_changed, over stdio and HTTP, legacy and modern clients), tools
// the machine lacks left out, and no answer carrying the same bytes twice.
import { Client, StreamableHTTPClientTransport, type Tool } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { afterAll, describe, expect, inject, it } from "vitest";
import { type Era, startHttpServer } from "./helpers/mcp.js";
import { CLI, spawnRole } from "./helpers/proc.js";
import { stubBinaries } from "./helpers/stubs.js";

const kubeconfig = inject("kubeconfig");
/** The product's defaults, not the suite's (which lists every toolset and adds structuredContent). */
const DEFAULTS = { KUBECONFIG: kubeconfig, KUBE_MCP_TOOLSETS: "", KUBE_MCP_STRUCTURED_OUTPUT: "" };

// istioctl and argocd are listed only while they are on PATH: the all-toolsets budget counts them.
const stubs = stubBinaries();

interface Open {
  client: Client;
  changed: () => number;
  close(): Promise<void>;
}
const open: Open[] = [];
afterAll(async () => {
  await Promise.all(open.map((o) => o.close()));
});

function newClient(era: Era): { client: Client; changed: () => number } {
  let changes = 0;
  const client = new Client(
    { name: "listing-test", version: "0" },
    {
      ...(era === "modern" ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {}),
      listChanged: { tools: { onChanged: () => void changes++ } },
    },
  );
  return { client, changed: () => changes };
}

async function stdio(args: string[], env: Record<string, string> = {}, era: Era = "legacy"): Promise<Open> {
  const { client, changed } = newClient(era);
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [CLI, "serve", "--log-level", "warn", ...args],
      env: { ...(process.env as Record<string, string>), ...DEFAULTS, ...env },
      stderr: "pipe",
    }),
  );
  const o = { client, changed, close: () => client.close() };
  open.push(o);
  return o;
}

async function http(url: string, era: Era): Promise<Open> {
  const { client, changed } = newClient(era);
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  const o = { client, changed, close: () => client.close() };
  open.push(o);
  return o;
}

/** The bytes of a tools/list result as the client received it. */
async function listing(c: Client): Promise<{ bytes: number; tools: Tool[] }> {
  const r = await c.listTools();
  return { bytes: Buffer.byteLength(JSON.stringify({ tools: r.tools })), tools: r.tools };
}
const names = (tools: Tool[]) => tools.map((t) => t.name);
const until = async (ok: () => boolean | Promise<boolean>, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
};
const text = (r: Awaited<ReturnType<Client["callTool"]>>) =>
  (r.content as { text?: string }[]).map((b) => b.text ?? "").join("\n");

describe("tools/list budget", () => {
  it("default (non-destructive, core and write toolsets) stays within 12,000 bytes", async () => {
    const { bytes, tools } = await listing((await stdio([])).client);
    expect(bytes).toBeLessThanOrEqual(12_000);
    expect(names(tools)).toEqual(
      expect.arrayContaining(["clusters_list", "resources_list", "kubectl", "resources_apply", "toolsets"]),
    );
  });

  it("read-only stays within 9,000 bytes and keeps rollout status and history", async () => {
    const { bytes, tools } = await listing((await stdio(["--mode", "read-only"])).client);
    expect(bytes).toBeLessThanOrEqual(9_000);
    expect(names(tools)).toContain("rollout_status");
    expect(names(tools)).not.toContain("rollout_change");
  });

  it("every toolset in full mode, istioctl and argocd included, stays within 24,000 bytes", async () => {
    const s = await stdio(["--mode", "full", "--toolsets", "all"], {
      PATH: `${stubs}:${process.env.PATH ?? ""}`,
    });
    const { bytes, tools } = await listing(s.client);
    expect(bytes).toBeLessThanOrEqual(24_000);
    expect(names(tools)).toEqual(
      expect.arrayContaining(["istioctl", "argocd", "pods_exec", "resources_top", "helm"]),
    );
    expect(names(tools)).not.toContain("toolsets");
    // Renamed tools' old names answer calls but cost the listing nothing.
    for (const old of ["top", "rollout", "port_forward"]) expect(names(tools)).not.toContain(old);
  });
});

describe("toolsets", () => {
  it("a tool outside the listed toolsets says how to enable it; one call lists it and notifies", async () => {
    const s = await stdio([]);
    expect(names((await listing(s.client)).tools)).not.toContain("cluster_health");
    const refused = await s.client.callTool({ name: "cluster_health", arguments: {} });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(
      /inspect toolset, which is not enabled: .*toolsets.*"enable": \["inspect"\]/,
    );
    const enabled = await s.client.callTool({ name: "toolsets", arguments: { enable: ["inspect"] } });
    expect(text(enabled)).toMatch(/Listed now: .*cluster_health/);
    await until(() => s.changed() > 0);
    expect(names((await listing(s.client)).tools)).toEqual(
      expect.arrayContaining(["cluster_health", "resources_top", "api_resources", "resources_explain"]),
    );
    const health = await s.client.callTool({ name: "cluster_health", arguments: {} });
    expect(health.isError, text(health)).toBeFalsy();
    expect(text(health)).toMatch(/nodes/i);
  });

  it("a modern (2026-07-28) stdio client is told the list changed too", async () => {
    const s = await stdio([], {}, "modern");
    await s.client.callTool({ name: "toolsets", arguments: { enable: ["helm"] } });
    await until(() => s.changed() > 0);
    expect(names((await listing(s.client)).tools)).toContain("helm");
  });

  it("the toolsets tool names what it would add, and only what the mode allows", async () => {
    const { tools } = await listing((await stdio(["--mode", "read-only"])).client);
    const description = tools.find((t) => t.name === "toolsets")?.description ?? "";
    expect(description).toMatch(/inspect \(.*cluster_health.*\)/);
    // Read-only mode runs nothing of workloads (exec, port-forward, delete…), so it is not offered.
    expect(description).not.toMatch(/workloads|pods_exec|resources_delete|resources_apply/);
  });

  it("over HTTP a caller's enabled toolsets outlive the request, and a modern client is notified", async () => {
    const server = await startHttpServer([], DEFAULTS);
    try {
      const first = await http(server.url, "modern");
      await first.client.callTool({ name: "toolsets", arguments: { enable: ["inspect"] } });
      await until(() => first.changed() > 0);
      expect(names((await listing(first.client)).tools)).toContain("resources_top");
      // A second connection of the same (anonymous, loopback) caller sees the same listing.
      const second = await http(server.url, "legacy");
      expect(names((await listing(second.client)).tools)).toContain("resources_top");
    } finally {
      await server.stop();
    }
  });

  it("an unknown toolset stops start-up with the valid names", async () => {
    const p = spawnRole("serve", ["--toolsets", "core,bogus"], DEFAULTS);
    await p.waitFor(/unknown tool or toolset names .*: bogus\. Toolsets: core, write, inspect, .*all\./);
    const code = p.proc.exitCode ?? (await new Promise((r) => p.proc.once("exit", r)));
    expect(code).toBe(2);
  });
});

describe("answers and schemas", () => {
  it("by default a tool has no output schema and an answer no structuredContent (the text once)", async () => {
    const s = await stdio([]);
    expect((await listing(s.client)).tools.every((t) => t.outputSchema === undefined)).toBe(true);
    const r = await s.client.callTool({ name: "kubectl", arguments: { args: ["get", "ns"] } });
    expect(r.structuredContent).toBeUndefined();
    expect(text(r)).toContain("kube-system");
  });

  it("--structured-output adds both, for programs that read them", async () => {
    const s = await stdio(["--structured-output"]);
    const list = (await listing(s.client)).tools.find((t) => t.name === "resources_list");
    expect(list?.outputSchema).toBeDefined();
    const r = await s.client.callTool({ name: "resources_list", arguments: { kind: "namespaces" } });
    expect((r.structuredContent as { rows: string[][] }).rows.flat()).toContain("kube-system");
  });

  it("a typed tool the mode leaves out says which mode it needs, helm's included", async () => {
    const s = await stdio(["--toolsets", "all"]);
    for (const name of ["helm_uninstall", "resources_delete"]) {
      const r = await s.client.callTool({ name, arguments: {} });
      expect(r.isError, name).toBe(true);
      expect(text(r), name).toMatch(
        new RegExp(`${name} is not available: this server runs in non-destructive mode.*needs full mode`),
      );
    }
    // The passthrough is gated per command instead: it is served, and its reads run.
    const kc = await s.client.callTool({ name: "kubectl", arguments: { args: ["get", "ns", "-o", "name"] } });
    expect(kc.isError).toBeFalsy();
  });

  it("a CLI tool whose binary is not installed is not listed", async () => {
    const s = await stdio(["--toolsets", "all"], { PATH: "/usr/bin:/bin" });
    const listed = names((await listing(s.client)).tools);
    expect(listed).toContain("kubectl");
    expect(listed).not.toContain("istioctl");
    const r = await s.client.callTool({ name: "istioctl", arguments: { args: ["version"] } });
    expect(text(r)).toMatch(/istioctl is not installed/);
  });
});

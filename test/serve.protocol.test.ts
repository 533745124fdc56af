// Protocol hygiene over stdio: the modern era works too, stdout carries nothing but JSON-RPC, and the
// advertised tool surface is snapshotted so any change to it is a reviewed change: serve's listing,
// its output schemas (--structured-output), and the hub's listing, which differs.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CLI_SPECS, typedCliTools } from "../src/tools/cli.js";
import { toolsTable } from "../src/tools/doc.js";
import { ALL_TOOLS } from "../src/tools/index.js";
import { spawnRole, TOKENS } from "./helpers/fleet.js";
import { CLI, call, httpSession, type Session, stdioSession } from "./helpers/mcp.js";
import { stubBinaries } from "./helpers/stubs.js";

const kubeconfig = inject("kubeconfig");
let modern: Session;

beforeAll(async () => {
  modern = await stdioSession({ era: "modern", env: { KUBECONFIG: kubeconfig } });
});
afterAll(async () => {
  await modern?.close();
});

describe("stdio protocol", () => {
  it("serves a 2026-07-28 client", async () => {
    expect(modern.client.getNegotiatedProtocolVersion()).toBe("2026-07-28");
    const r = await call(modern.client, "resources_list", { kind: "nodes", cluster: "beta" });
    expect((r.structured as { rows: string[][] }).rows.map((row) => row[0])).toEqual([
      "kwok-node-0",
      "kwok-node-1",
      "kwok-node-2",
    ]);
  });

  it("writes only JSON-RPC to stdout, logs to stderr", async () => {
    const child = spawn(process.execPath, [CLI, "serve", "--log-level", "debug"], {
      env: { ...process.env, KUBECONFIG: kubeconfig },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const send = (m: object) => child.stdin.write(`${JSON.stringify(m)}\n`);
    send({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } },
    });
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    send({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "resources_list", arguments: { kind: "pods", namespace: "shop" } },
    });
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (out.includes('"id":2')) {
          clearInterval(t);
          resolve();
        }
      }, 50);
    });
    child.stdin.end();
    const code = await new Promise((r) => child.once("exit", r));
    expect(code).toBe(0);
    const lines = out.trim().split("\n");
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(JSON.parse(l).jsonrpc).toBe("2.0");
    for (const l of err.trim().split("\n")) expect(JSON.parse(l)).toHaveProperty("level");
    expect(err).toContain('"msg":"shutting down"');
  });

  it("advertises the snapshotted tool surface (every toolset, full mode), annotations from the safety class", async () => {
    // The product's own listing (not the suite's structured one), with every tool any machine could list.
    const full = await stdioSession({
      args: ["--mode", "full", "--toolsets", "all"],
      env: {
        KUBECONFIG: kubeconfig,
        KUBE_MCP_STRUCTURED_OUTPUT: "",
        PATH: `${stubBinaries()}:${process.env.PATH}`,
      },
    });
    try {
      const { tools } = await full.client.listTools();
      // Names, descriptions, annotations and whole input schemas: any growth of the listing is reviewed.
      await expect(JSON.stringify(tools, null, 2)).toMatchFileSnapshot("__snapshots__/tools-surface.json");
      // Full mode: the CLI tools may delete; typed tools keep their class.
      const safety = new Map<string, string>([
        ...[...ALL_TOOLS, ...typedCliTools("full")].map((t) => [t.name, t.safety] as const),
        ...CLI_SPECS.map((c) => [c.grammar.binary, "destructive"] as const),
        ["toolsets", "read"],
      ]);
      for (const t of tools) {
        const cls = safety.get(t.name);
        // Hints equal to the protocol's defaults are left out (readOnlyHint false, destructiveHint true).
        expect(t.annotations?.readOnlyHint === true, t.name).toBe(cls === "read");
        expect(t.annotations?.destructiveHint ?? true, t.name).toBe(cls === "destructive");
        expect(t.annotations?.openWorldHint, t.name).toBe(false);
        expect(t.outputSchema, t.name).toBeUndefined();
      }
      expect(tools.map((t) => t.name).sort()).toEqual(
        [...safety.keys()].filter((n) => n !== "toolsets").sort(),
      );
    } finally {
      await full.close();
    }
  });

  it("snapshots every tool's output schema, which --structured-output advertises", async () => {
    const structured = await stdioSession({
      args: ["--mode", "full", "--toolsets", "all", "--structured-output"],
      env: { KUBECONFIG: kubeconfig, PATH: `${stubBinaries()}:${process.env.PATH}` },
    });
    try {
      const { tools } = await structured.client.listTools();
      const outputs = Object.fromEntries(tools.map((t) => [t.name, t.outputSchema]));
      expect(Object.values(outputs).every((o) => o?.type === "object")).toBe(true);
      await expect(JSON.stringify(outputs, null, 2)).toMatchFileSnapshot(
        "__snapshots__/tools-surface.output.json",
      );
    } finally {
      await structured.close();
    }
  });

  it("snapshots the hub's surface: its own clusters_list, no port-forward, every CLI tool listed", async () => {
    // No agent needs to be connected: the hub lists what its agents would run.
    const hub = spawnRole("hub", ["--http", "127.0.0.1:0", "--mode", "full", "--toolsets", "all"], {
      CLUSTER_TOKENS: JSON.stringify(TOKENS),
      KUBE_MCP_STRUCTURED_OUTPUT: "",
    });
    try {
      const url = /"url":"(http:[^"]+)"/.exec(await hub.waitFor(/"url":"http:[^"]+"/))?.[1] as string;
      const session = await httpSession(url);
      try {
        const { tools } = await session.client.listTools();
        await expect(JSON.stringify(tools, null, 2)).toMatchFileSnapshot(
          "__snapshots__/tools-surface.hub.json",
        );
        const names = tools.map((t) => t.name);
        expect(names.filter((n) => n === "clusters_list")).toHaveLength(1);
        expect(names).not.toContain("pods_port_forward");
        expect(names).toEqual(expect.arrayContaining(["kubectl", "helm", "istioctl", "argocd"]));
      } finally {
        await session.close();
      }
    } finally {
      await hub.stop();
    }
  });

  it("documents every tool in the README table", () => {
    const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");
    expect(readme).toContain(toolsTable([...ALL_TOOLS, ...typedCliTools("non-destructive")], CLI_SPECS));
  });
});

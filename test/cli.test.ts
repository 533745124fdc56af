// The built bin answers --help and --version and routes subcommands, without any cluster.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { run } from "./helpers/run.js";

const cli = join(import.meta.dirname, "..", "dist", "cli.js");
const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8")) as {
  version: string;
};

describe("kube-mcp bin", () => {
  it("prints its version", async () => {
    const r = await run(process.execPath, [cli, "--version"]);
    expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });

  it("lists the three roles in --help", async () => {
    const r = await run(process.execPath, [cli, "--help"]);
    expect(r.code).toBe(0);
    for (const role of ["serve", "hub", "agent"]) expect(r.stdout).toMatch(new RegExp(`^  ${role} `, "m"));
  });

  it("rejects an unknown command with a hint and exit code 2", async () => {
    const r = await run(process.execPath, [cli, "deploy-everything"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "deploy-everything"');
    expect(r.stderr).toContain("serve, hub, agent");
  });

  it("documents the hub's and the agent's own options", async () => {
    const hub = await run(process.execPath, [cli, "hub", "--help"]);
    expect(hub.code).toBe(0);
    for (const o of [
      "--cluster-tokens JSON",
      "[env CLUSTER_TOKENS]",
      "[env MAX_AGENT_CONNECTIONS_PER_IP]",
      "[env PORT]",
    ])
      expect(hub.stdout).toContain(o);
    expect(hub.stdout).not.toContain("--hub-url");
    const agent = await run(process.execPath, [cli, "agent", "--help"]);
    for (const o of ["[env CENTRAL_SERVER_URL]", "[env CLUSTER_NAME]", "[env INSECURE_TLS]", "AGENT_TOKEN"])
      expect(agent.stdout).toContain(o);
    expect(agent.stdout).not.toContain("--cluster-tokens");
  });

  it("says what an agent is missing, and rejects bad hub tokens, with exit code 2", async () => {
    const env = { PATH: process.env.PATH ?? "", HOME: "/nonexistent" };
    const agent = await run(process.execPath, [cli, "agent"], { env });
    expect(agent).toMatchObject({ code: 2 });
    expect(agent.stderr).toBe(
      "kube-mcp agent: the agent needs CENTRAL_SERVER_URL (--hub-url), CLUSTER_NAME (--cluster-name), AGENT_TOKEN (or AGENT_TOKEN_FILE)\n",
    );
    const shared = await run(process.execPath, [cli, "hub"], {
      env: {
        ...env,
        CLUSTER_TOKENS: JSON.stringify({ a: "same-token-0123456789", b: "same-token-0123456789" }),
      },
    });
    expect(shared.code).toBe(2);
    expect(shared.stderr).toContain("clusters a and b share a token; each cluster needs its own");
    const notJson = await run(process.execPath, [cli, "hub"], {
      env: { ...env, CLUSTER_TOKENS: "prod=abc" },
    });
    expect(notJson.stderr).toContain('environment variable CLUSTER_TOKENS: expected JSON, e.g. {"prod":"…"}');
    expect(notJson.stderr).not.toContain("abc");
  });

  it("runs its bundle from the build's code cache, and keeps one of its own for other node flags", async () => {
    // src/bin.ts writes a cache a second into a start that found none that fits, and only then.
    const dir = mkdtempSync(join(tmpdir(), "kube-mcp-code-cache-"));
    const serve = async (nodeFlags: string[]) => {
      const child = spawn(process.execPath, [...nodeFlags, cli, "serve"], {
        env: {
          PATH: process.env.PATH ?? "",
          HOME: dir,
          KUBECONFIG: "/nonexistent",
          KUBE_MCP_CODE_CACHE_DIR: dir,
        },
        stdio: ["pipe", "pipe", "ignore"],
      });
      const answered = new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
      child.stdin.write(
        `${JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: {
            protocolVersion: "2025-06-18",
            capabilities: {},
            clientInfo: { name: "t", version: "0" },
          },
        })}\n`,
      );
      await answered;
      await sleep(1_500);
      child.stdin.end();
      await new Promise((resolve) => child.once("exit", resolve));
    };
    const caches = () => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".cache")) : []);
    try {
      await serve([]);
      expect(caches()).toEqual([]);
      await serve(["--max-old-space-size=512"]);
      expect(caches()).toEqual([expect.stringMatching(/^serve-[0-9a-f]{16}-v[\d.]+-\w+-[0-9a-f]+\.cache$/)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

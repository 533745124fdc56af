// The build's code cache for `serve` (see src/bin.ts): start the built server once over stdio, as a client
// would (initialize, then tools/list), and let it write the cache of what it compiled into dist/cache.
// A throwaway kubeconfig with two contexts makes it read one as a user's start-up does; nothing dials it.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: a
  cluster: {server: "https://127.0.0.1:9"}
- name: b
  cluster: {server: "https://127.0.0.1:9"}
users:
- name: u
  user: {token: warm}
contexts:
- name: a
  context: {cluster: a, user: u}
- name: b
  context: {cluster: b, user: u}
current-context: a
`;

const requests = [
  {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "build", version: "0" } },
  },
  { jsonrpc: "2.0", method: "notifications/initialized" },
  { jsonrpc: "2.0", id: 2, method: "tools/list" },
];

export async function warm(cli: URL, cacheDir: URL): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), "kube-mcp-warm-"));
  writeFileSync(join(home, "kubeconfig"), KUBECONFIG);
  const dir = fileURLToPath(cacheDir);
  // Made here, readable by all: the server would make it private (0700), as it does a user's cache.
  mkdirSync(dir, { recursive: true });
  const child = spawn(process.execPath, [fileURLToPath(cli), "serve"], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: home,
      KUBECONFIG: join(home, "kubeconfig"),
      KUBE_MCP_CODE_CACHE_DIR: dir,
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  // stdin stays open: the server would shut down at its end, before it writes the cache.
  child.stdin.write(`${requests.map((r) => JSON.stringify(r)).join("\n")}\n`);
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  try {
    // Both, in either order: on a loaded machine the cache (written a second after start) can come
    // before the answer to tools/list, and the answer is what proves the build serves.
    const deadline = Date.now() + 60_000;
    const cached = () =>
      existsSync(dir) && readdirSync(dir).some((f) => f.startsWith("serve-") && f.endsWith(".cache"));
    while (!(cached() && out.includes('"id":2'))) {
      if (Date.now() > deadline)
        throw new Error(
          cached()
            ? `build: serve did not answer tools/list: ${out.slice(0, 300)}`
            : `build: serve wrote no code cache; stderr: ${err.slice(-500)}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    child.stdin.end();
    await exited;
    rmSync(home, { recursive: true, force: true });
  }
}

// The three servers under test, each as the command a user would run and the tool calls an assistant
// would make for the same question. Flags come from each peer's --help and package source (see RESULTS.md).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "./proc.js";

const BENCH = join(import.meta.dirname, "..");
/** The repo's build; run.ts passes a snapshot of it so a concurrent `npm run build` cannot break a run. */
export const KUBE_MCP_DIST = join(BENCH, "..", "dist");
const PEERS = join(BENCH, "node_modules");
const goArch = process.arch === "x64" ? "amd64" : process.arch;
// The npm package `kubernetes-mcp-server` is a Node wrapper that spawns this platform binary; bench/
// installs the platform package alone (see bench/package.json) and runs the binary, as a user of the Go
// release would, so no wrapper start-up is charged to the peer.
const GO_BIN = join(
  PEERS,
  `kubernetes-mcp-server-${process.platform}-${goArch}`,
  "bin",
  `kubernetes-mcp-server-${process.platform}-${goArch}`,
);
const TS_MAIN = join(PEERS, "mcp-server-kubernetes", "dist", "index.js");

export interface Call {
  name: string;
  arguments: Record<string, unknown>;
}

export interface Target {
  kubeconfig: string;
  readOnly: boolean;
}

export interface HttpSpec extends Command {
  url: string;
  headers: Record<string, string>;
}

export interface Server {
  name: string;
  /** Why it cannot run here (peer not installed), or undefined. */
  missing(): string | undefined;
  /** How it runs here: version, runtime, and what its start-up depends on (kube-mcp: its code cache). */
  setup(): string;
  stdio(t: Target): Command;
  http(t: Target, port: number, key: string): HttpSpec;
  listPods(namespace: string): Call;
  getDeployment(namespace: string, name: string): Call;
  logs(namespace: string, pod: string, tail: number): Call;
  allPods(): Call;
}

/** The caller's environment without anything that would pick another cluster or key. */
function env(t: Target, extra: Record<string, string> = {}): Record<string, string> {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(KUBECONFIG|KUBE_MCP_|K8S_|MCP_|KUBECONFIG_)/.test(k)) base[k] = v;
  }
  return { ...base, KUBECONFIG: t.kubeconfig, ...extra };
}

const call = (name: string, args: Record<string, unknown>): Call => ({ name, arguments: args });

function versionOf(packageDir: string): string {
  try {
    return (JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as { version: string })
      .version;
  } catch {
    return "?";
  }
}

/** Whether the build made a code cache for `serve` that this Node can use (src/bin.ts names them so). */
function codeCache(dist: string): string {
  const suffix = `-${process.version}-${process.arch}-811c9dc5.cache`; // 811c9dc5: no node flags
  const dir = join(dist, "cache");
  const built = existsSync(dir) && readdirSync(dir).some((f) => f.startsWith("serve-") && f.endsWith(suffix));
  return built ? "code cache from the build" : "no code cache in dist for this Node";
}

export const kubeMcp = (dist = KUBE_MCP_DIST): Server => {
  const cli = join(dist, "cli.js");
  return {
    name: "kube-mcp",
    missing: () => (existsSync(cli) ? undefined : `${cli} not built (npm run build)`),
    setup: () =>
      `${versionOf(join(BENCH, ".."))}, Node ${process.version}, \`node dist/cli.js serve\`, ${codeCache(dist)}`,
    stdio: (t) => ({
      cmd: process.execPath,
      args: [cli, "serve", ...(t.readOnly ? ["--mode", "read-only"] : [])],
      env: env(t),
    }),
    http: (t, port, key) => ({
      cmd: process.execPath,
      args: [cli, "serve", "--http", `127.0.0.1:${port}`, ...(t.readOnly ? ["--mode", "read-only"] : [])],
      env: env(t, { MCP_API_KEY: key }),
      url: `http://127.0.0.1:${port}/mcp`,
      headers: { "x-api-key": key },
    }),
    listPods: (namespace) => call("resources_list", { kind: "pods", namespace }),
    getDeployment: (namespace, name) => call("resources_get", { kind: "deployment", name, namespace }),
    logs: (namespace, name, tail) => call("pods_logs", { name, namespace, tail }),
    allPods: () => call("resources_list", { kind: "pods" }),
  };
};

export const goPeer: Server = {
  name: "kubernetes-mcp-server",
  missing: () => (existsSync(GO_BIN) ? undefined : "not installed (npm --prefix bench ci)"),
  setup: () => `${versionOf(join(GO_BIN, "..", ".."))}, its Go binary`,
  stdio: (t) => ({ cmd: GO_BIN, args: t.readOnly ? ["--read-only"] : [], env: env(t) }),
  // No API-key option: its HTTP auth is OAuth/OIDC (require-oauth), so it runs unauthenticated here.
  http: (t, port) => ({
    cmd: GO_BIN,
    args: ["--port", String(port), "--bind-address", "127.0.0.1", ...(t.readOnly ? ["--read-only"] : [])],
    env: env(t),
    url: `http://127.0.0.1:${port}/mcp`,
    headers: {},
  }),
  listPods: (namespace) => call("pods_list_in_namespace", { namespace }),
  getDeployment: (namespace, name) =>
    call("resources_get", { apiVersion: "apps/v1", kind: "Deployment", name, namespace }),
  logs: (namespace, name, tail) => call("pods_log", { name, namespace, tail }),
  allPods: () => call("pods_list", {}),
};

export const tsPeer: Server = {
  name: "mcp-server-kubernetes",
  missing: () => (existsSync(TS_MAIN) ? undefined : "not installed (npm --prefix bench ci)"),
  setup: () => `${versionOf(join(TS_MAIN, "..", ".."))}, Node ${process.version}, \`node dist/index.js\``,
  stdio: (t) => ({
    cmd: process.execPath,
    args: [TS_MAIN],
    env: env(t, t.readOnly ? { ALLOW_ONLY_READONLY_TOOLS: "true" } : {}),
  }),
  http: (t, port, key) => ({
    cmd: process.execPath,
    args: [TS_MAIN],
    env: env(t, {
      ENABLE_UNSAFE_STREAMABLE_HTTP_TRANSPORT: "1",
      HOST: "127.0.0.1",
      PORT: String(port),
      MCP_AUTH_TOKEN: key,
      ...(t.readOnly ? { ALLOW_ONLY_READONLY_TOOLS: "true" } : {}),
    }),
    url: `http://127.0.0.1:${port}/mcp`,
    headers: { "x-mcp-auth": key },
  }),
  listPods: (namespace) => call("kubectl_get", { resourceType: "pods", namespace }),
  getDeployment: (namespace, name) => call("kubectl_get", { resourceType: "deployment", name, namespace }),
  logs: (namespace, name, tail) => call("kubectl_logs", { resourceType: "pod", name, namespace, tail }),
  allPods: () => call("kubectl_get", { resourceType: "pods", allNamespaces: true }),
};

/** kube-mcp first: every ratio is against it. */
export const servers = (kubeMcpDist?: string): Server[] => [kubeMcp(kubeMcpDist), goPeer, tsPeer];

/** The same server with extra environment, reported as its own row (a peer's documented tuning knob). */
export function tuned(s: Server, label: string, extra: Record<string, string>): Server {
  return {
    ...s,
    name: `${s.name} (${label})`,
    stdio: (t) => {
      const c = s.stdio(t);
      return { ...c, env: { ...c.env, ...extra } };
    },
    http: (t, port, key) => {
      const c = s.http(t, port, key);
      return { ...c, env: { ...c.env, ...extra } };
    },
  };
}

// The other Kubernetes MCP servers' variables and flags, mapped onto kube-mcp's settings: the one table
// the loader, the start-up warnings and the README's "Coming from …" section all rest on. A peer's name
// sits below kube-mcp's own names (defaults < file < peer names < env < flags), so a user who adds a
// kube-mcp setting while migrating gets it, and is told which peer name it overrode.
import { MODE_RANK, type Mode } from "./schema.js";

export const PEERS = {
  "mcp-server-kubernetes": "Flux159/mcp-server-kubernetes",
  "k8s-mcp-server": "alexei-led/k8s-mcp-server",
  "mcp-kubernetes": "giantswarm/mcp-kubernetes",
} as const;
export type Peer = keyof typeof PEERS;

/** What one name asks for: config values by dotted path, and anything worth a start-up warning. */
export interface Outcome {
  set?: Record<string, unknown>;
  warn?: string;
}

/** Thrown for a value kube-mcp cannot honour; the loader turns it into a ConfigError. */
export class CompatError extends Error {}

export interface Mapping {
  peer: Peer;
  /** An environment variable, or a flag spelled `--name`. */
  name: string;
  /** The kube-mcp setting to use instead, as the README and messages name it. */
  to: string;
  doc: string;
  /** Absent when kube-mcp reads the name itself. `get` reads the peer's other names from the same source. */
  apply?: (value: string, get: (name: string) => string | undefined) => Outcome;
  /** Flags only: a boolean flag takes no separate argument (`--debug`, `--debug=false`). */
  boolean?: true;
}

function bool(name: string, v: string): boolean {
  if (/^(1|true|yes|on)$/i.test(v.trim())) return true;
  if (/^(0|false|no|off)$/i.test(v.trim())) return false;
  throw new CompatError(`${name}: expected true or false, got "${v}"`);
}

function int(name: string, v: string, to: string): number {
  const n = Number(v);
  if (v.trim() === "" || !Number.isInteger(n))
    throw new CompatError(`${name}: expected a whole number, got "${v}"; or set ${to}`);
  return n;
}

/**
 * mcp-server-kubernetes' tool names, as its users write them in ALLOWED_TOOLS, with the kube-mcp tools
 * that do the same work. A name with no counterpart (its cleanup, reconnect and ping chores) maps to
 * nothing and is reported.
 */
export const PEER_TOOLS: Record<string, string[]> = {
  kubectl_get: ["resources_list", "resources_get"],
  kubectl_describe: ["resources_describe"],
  kubectl_logs: ["pods_logs"],
  kubectl_apply: ["resources_apply"],
  kubectl_create: ["resources_apply"],
  kubectl_patch: ["resources_patch"],
  kubectl_scale: ["resources_scale"],
  kubectl_rollout: ["rollout_status", "rollout_change"],
  kubectl_delete: ["resources_delete"],
  kubectl_context: ["clusters_list"],
  kubectl_generic: ["kubectl"],
  explain_resource: ["resources_explain"],
  list_api_resources: ["api_resources"],
  install_helm_chart: ["helm_install"],
  upgrade_helm_chart: ["helm_install"],
  uninstall_helm_chart: ["helm_uninstall"],
  node_management: ["nodes_drain"],
  port_forward: ["pods_port_forward"],
  stop_port_forward: ["pods_port_forward"],
  exec_in_pod: ["pods_exec"],
  ping: ["clusters_list"],
  kubectl_reconnect: [],
  cleanup: [],
};

/** ALLOWED_TOOLS as kube-mcp tool names: its own names as they are, the peer's translated. */
function allowedTools(v: string): Outcome {
  const names = v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const translated = names.filter((n) => Object.hasOwn(PEER_TOOLS, n));
  const tools = [...new Set(names.flatMap((n) => PEER_TOOLS[n] ?? [n]))];
  return {
    set: { "tools.allow": tools },
    ...(translated.length
      ? {
          warn: `ALLOWED_TOOLS: mcp-server-kubernetes names translated: ${translated
            .map(
              (n) => `${n} → ${(PEER_TOOLS[n] ?? []).join(", ") || "(nothing: kube-mcp needs no such tool)"}`,
            )
            .join("; ")}`,
        }
      : {}),
  };
}

/** A Go listen address (`:8080` is every interface) as kube-mcp's [host:]port. */
const goAddr = (addr: string) => (addr.startsWith(":") ? `0.0.0.0${addr}` : addr);

/** Host header values are compared without a port, so a `host:port` allowance keeps only the host. */
const hostOnly = (h: string) => (h.startsWith("[") ? h.slice(0, h.indexOf("]") + 1) : h.replace(/:\d+$/, ""));

const FLUX = "mcp-server-kubernetes" as const;
const ALEXEI = "k8s-mcp-server" as const;
const GS = "mcp-kubernetes" as const;

export const COMPAT: Mapping[] = [
  {
    peer: FLUX,
    name: "ALLOWED_TOOLS",
    to: "--tools / KUBE_MCP_TOOLS",
    doc: "only these tools are registered; mcp-server-kubernetes' own names (`kubectl_get`, `kubectl_logs`, `install_helm_chart`…) are translated to kube-mcp's, and a name neither has stops start-up with the valid ones",
    apply: allowedTools,
  },
  {
    peer: FLUX,
    name: "ALLOW_ONLY_READONLY_TOOLS",
    to: "--mode read-only",
    doc: "`true` → read-only mode",
    apply: (v) => (bool("ALLOW_ONLY_READONLY_TOOLS", v) ? { set: { mode: "read-only" } } : {}),
  },
  {
    peer: FLUX,
    name: "ALLOW_ONLY_NON_DESTRUCTIVE_TOOLS",
    to: "--mode non-destructive",
    doc: "`true` → non-destructive mode",
    apply: (v) => (bool("ALLOW_ONLY_NON_DESTRUCTIVE_TOOLS", v) ? { set: { mode: "non-destructive" } } : {}),
  },
  {
    peer: FLUX,
    name: "MASK_SECRETS",
    to: "clusters.<name>.revealSecrets",
    doc: "`false` reveals nothing by itself: Secret values are shown only in clusters whose policy sets `revealSecrets: true` (a start-up warning says so)",
    apply: (v) =>
      bool("MASK_SECRETS", v)
        ? {}
        : {
            warn: "MASK_SECRETS=false does not reveal Secret values everywhere: kube-mcp shows them only in clusters whose policy allows it (clusters.<name>.revealSecrets: true in the config file); elsewhere they stay redacted.",
          },
  },
  {
    peer: FLUX,
    name: "KUBECONFIG_PATH",
    to: "--kubeconfig / KUBECONFIG",
    doc: "read as is (KUBECONFIG wins when both are set)",
  },
  { peer: FLUX, name: "K8S_CONTEXT", to: "--context", doc: "read as is: the default cluster" },
  { peer: FLUX, name: "K8S_NAMESPACE", to: "--namespace", doc: "read as is: the default namespace" },
  {
    peer: FLUX,
    name: "ENABLE_UNSAFE_STREAMABLE_HTTP_TRANSPORT",
    to: "--http [HOST:]PORT",
    doc: "serve streamable HTTP on `HOST:PORT` (defaults `localhost:3000`); endpoint `/mcp`",
    apply: (v, get) =>
      bool("ENABLE_UNSAFE_STREAMABLE_HTTP_TRANSPORT", v)
        ? { set: { "http.listen": `${get("HOST") || "localhost"}:${get("PORT") || "3000"}` } }
        : {},
  },
  {
    peer: FLUX,
    name: "HOST",
    to: "--http [HOST:]PORT",
    doc: "with ENABLE_UNSAFE_STREAMABLE_HTTP_TRANSPORT only; a non-loopback host needs an API key",
    apply: () => ({}),
  },
  {
    peer: FLUX,
    name: "PORT",
    to: "--http [HOST:]PORT",
    doc: "with ENABLE_UNSAFE_STREAMABLE_HTTP_TRANSPORT only",
    apply: () => ({}),
  },
  {
    peer: FLUX,
    name: "ENABLE_UNSAFE_SSE_TRANSPORT",
    to: "--http [HOST:]PORT --sse",
    doc: "serves the legacy SSE transport (`GET /sse`, `POST /messages`) on `HOST:PORT` (defaults `localhost:3000`), beside streamable HTTP on `/mcp`",
    apply: (v, get) =>
      bool("ENABLE_UNSAFE_SSE_TRANSPORT", v)
        ? {
            set: {
              "http.listen": `${get("HOST") || "localhost"}:${get("PORT") || "3000"}`,
              "http.sse": true,
            },
          }
        : {},
  },
  {
    peer: FLUX,
    name: "MCP_AUTH_TOKEN",
    to: "MCP_API_KEY",
    doc: "the API key; clients may keep sending it as `X-MCP-AUTH` (kube-mcp also takes `X-Api-Key` and `Authorization: Bearer`); at least 16 characters",
    apply: (v) => {
      if (v.length < 16)
        throw new CompatError(
          "MCP_AUTH_TOKEN: kube-mcp requires an API key of at least 16 characters (MCP_API_KEY); use a longer token.",
        );
      return { set: { "http.apiKey": v } };
    },
  },
  {
    peer: FLUX,
    name: "DNS_REBINDING_ALLOWED_HOST",
    to: "--allowed-hosts",
    doc: "an extra accepted `Host` (the port is ignored; a comma-separated list works too)",
    apply: (v) => ({
      set: {
        "http.allowedHosts": v
          .split(",")
          .map((s) => hostOnly(s.trim()).toLowerCase())
          .filter(Boolean),
      },
    }),
  },
  {
    peer: FLUX,
    name: "DNS_REBINDING_PROTECTION",
    to: "--allowed-hosts",
    doc: "the `Host` check is always on; `false` warns and changes nothing (name the hosts your clients use with --allowed-hosts)",
    apply: (v) =>
      bool("DNS_REBINDING_PROTECTION", v)
        ? {}
        : {
            warn: "DNS_REBINDING_PROTECTION=false is not honoured: kube-mcp always checks the Host header; accept more hosts with --allowed-hosts (KUBE_MCP_ALLOWED_HOSTS).",
          },
  },
  {
    peer: FLUX,
    name: "SPAWN_MAX_BUFFER",
    to: "cli.maxOutputBytes",
    doc: "the most output one CLI run may produce, in bytes (10000 to 50000000)",
    apply: (v) => ({ set: { "cli.maxOutputBytes": int("SPAWN_MAX_BUFFER", v, "cli.maxOutputBytes") } }),
  },
  {
    peer: ALEXEI,
    name: "K8S_MCP_TIMEOUT",
    to: "cli.timeoutSeconds",
    doc: "default deadline of one CLI run, in seconds",
    apply: (v) => ({ set: { "cli.timeoutSeconds": int("K8S_MCP_TIMEOUT", v, "cli.timeoutSeconds") } }),
  },
  {
    peer: ALEXEI,
    name: "K8S_MCP_MAX_OUTPUT",
    to: "--max-bytes",
    doc: "the most text in one answer (characters there, bytes here; 2000 to 400000), cut with a note",
    apply: (v) => ({ set: { "output.maxBytes": int("K8S_MCP_MAX_OUTPUT", v, "--max-bytes") } }),
  },
  {
    peer: ALEXEI,
    name: "K8S_MCP_TRANSPORT",
    to: "--http [HOST:]PORT",
    doc: "`stdio`; `streamable-http` serves on `K8S_MCP_HOST:K8S_MCP_PORT` (defaults `0.0.0.0:8000`, which needs an API key); `sse` does too, with the legacy SSE transport (`/sse`, `/messages`) beside it",
    apply: (v, get) => {
      if (v === "stdio") return {};
      if (v === "streamable-http")
        return {
          set: { "http.listen": `${get("K8S_MCP_HOST") || "0.0.0.0"}:${get("K8S_MCP_PORT") || "8000"}` },
        };
      if (v === "sse")
        return {
          set: {
            "http.listen": `${get("K8S_MCP_HOST") || "0.0.0.0"}:${get("K8S_MCP_PORT") || "8000"}`,
            "http.sse": true,
          },
        };
      throw new CompatError(`K8S_MCP_TRANSPORT: expected stdio, sse or streamable-http, got "${v}"`);
    },
  },
  {
    peer: ALEXEI,
    name: "K8S_MCP_HOST",
    to: "--http [HOST:]PORT",
    doc: "with K8S_MCP_TRANSPORT=streamable-http only",
    apply: () => ({}),
  },
  {
    peer: ALEXEI,
    name: "K8S_MCP_PORT",
    to: "--http [HOST:]PORT",
    doc: "with K8S_MCP_TRANSPORT=streamable-http only",
    apply: () => ({}),
  },
  {
    peer: ALEXEI,
    name: "K8S_MCP_SECURITY_MODE",
    to: "--mode",
    // strict refuses the commands that delete or run code and lets other changes through, which is what
    // non-destructive allows; permissive refuses nothing.
    doc: "`strict` → non-destructive; `permissive` → full",
    apply: (v) => {
      if (v === "strict") return { set: { mode: "non-destructive" } };
      if (v === "permissive") return { set: { mode: "full" } };
      throw new CompatError(
        `K8S_MCP_SECURITY_MODE: expected strict or permissive, got "${v}"; or set --mode`,
      );
    },
  },
  {
    peer: ALEXEI,
    name: "K8S_MCP_SECURITY_CONFIG",
    to: "--cli-rules / KUBE_MCP_CLI_RULES",
    doc: "its rule file (`dangerous_commands`, `safe_patterns`, `regex_rules` with their messages) adds refusals to the CLI passthrough; it never allows what the mode refuses, and `safe_patterns` that exempt nothing are reported at start-up",
    apply: (v) => ({ set: { "cli.rules": v } }),
  },
  { peer: ALEXEI, name: "K8S_CONTEXT", to: "--context", doc: "read as is" },
  { peer: ALEXEI, name: "K8S_NAMESPACE", to: "--namespace", doc: "read as is" },
  {
    peer: GS,
    name: "--non-destructive",
    to: "--mode",
    boolean: true,
    doc: "`--non-destructive` → non-destructive mode (kube-mcp's default too); `--non-destructive=false` → full",
    apply: (v) => ({ set: { mode: bool("--non-destructive", v) ? "non-destructive" : "full" } }),
  },
  {
    peer: GS,
    name: "--dry-run",
    to: "--dry-run",
    doc: "the same flag: every write is a server-side dry run",
  },
  {
    peer: GS,
    name: "--in-cluster",
    to: "--contexts in-cluster",
    boolean: true,
    doc: "only the in-cluster service account's cluster is served (kube-mcp detects it in a pod)",
    apply: (v) => (bool("--in-cluster", v) ? { set: { "kube.contexts": ["in-cluster"] } } : {}),
  },
  {
    peer: GS,
    name: "--transport",
    to: "--http [HOST:]PORT",
    doc: "`stdio`; `streamable-http` serves on --http-addr (default `:8080`, every interface, which needs an API key); `sse` does too, with the legacy SSE transport (`/sse`, `/messages`) beside it",
    apply: (v, get) => {
      if (v === "stdio") return {};
      if (v === "streamable-http") return { set: { "http.listen": goAddr(get("--http-addr") || ":8080") } };
      if (v === "sse")
        return { set: { "http.listen": goAddr(get("--http-addr") || ":8080"), "http.sse": true } };
      throw new CompatError(`--transport: expected stdio, sse or streamable-http, got "${v}"`);
    },
  },
  {
    peer: GS,
    name: "--http-addr",
    to: "--http [HOST:]PORT",
    doc: "with --transport streamable-http; `:8080` means every interface",
    apply: () => ({}),
  },
  {
    peer: GS,
    name: "--http-endpoint",
    to: "--http-path",
    doc: "the MCP endpoint path",
    apply: (v) => ({ set: { "http.path": v } }),
  },
  {
    peer: GS,
    name: "--qps-limit",
    to: "--qps",
    doc: "a client-side rate limit per cluster, in API requests per second",
    apply: (v) => ({ set: { "kube.qps": int("--qps-limit", v, "--qps") } }),
  },
  {
    peer: GS,
    name: "--burst-limit",
    to: "--burst",
    doc: "requests allowed at once above the rate limit",
    apply: (v) => ({ set: { "kube.burst": int("--burst-limit", v, "--burst") } }),
  },
  {
    peer: GS,
    name: "--debug",
    to: "--log-level debug",
    boolean: true,
    doc: "debug logs on stderr",
    apply: (v) => (bool("--debug", v) ? { set: { logLevel: "debug" } } : {}),
  },
];

export interface PeerSettings {
  /** argv without the peer flags, for kube-mcp's own parser. */
  argv: string[];
  /** Config values by dotted path, each with the peer name it came from. */
  set: Map<string, { value: unknown; from: string }>;
  warnings: string[];
  errors: string[];
}

const FLAGS = new Map(COMPAT.filter((m) => m.name.startsWith("--") && m.apply).map((m) => [m.name, m]));

/** Takes the peer flags (pflag spelling: `--name value`, `--name=value`, `--bool`) out of argv. */
function takeFlags(argv: string[], errors: string[]): { rest: string[]; flags: Map<string, string> } {
  const rest: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    const [name = "", inline] = arg.split(/=(.*)/s, 2);
    const m = FLAGS.get(name);
    if (!m) {
      rest.push(arg);
      continue;
    }
    const value = inline ?? (m.boolean ? "true" : argv[++i]);
    if (value === undefined) errors.push(`${name} needs a value`);
    else flags.set(name, value);
  }
  return { rest, flags };
}

/** Reads every peer name set in `env` and `argv`; modes asked for by several names resolve to the strictest. */
export function peerSettings(argv: string[], env: NodeJS.ProcessEnv): PeerSettings {
  const errors: string[] = [];
  const { rest, flags } = takeFlags(argv, errors);
  const set = new Map<string, { value: unknown; from: string }>();
  const warnings: string[] = [];
  const raw = (name: string) => (name.startsWith("--") ? flags.get(name) : env[name]);
  for (const m of COMPAT) {
    const value = raw(m.name);
    if (!m.apply || value === undefined || (value === "" && !m.name.startsWith("--"))) continue;
    let out: Outcome;
    try {
      out = m.apply(value, raw);
    } catch (err) {
      if (!(err instanceof CompatError)) throw err;
      errors.push(err.message);
      continue;
    }
    if (out.warn) warnings.push(out.warn);
    for (const [path, v] of Object.entries(out.set ?? {})) {
      const prev = set.get(path);
      if (path === "mode" && prev && MODE_RANK[prev.value as Mode] <= MODE_RANK[v as Mode]) continue;
      set.set(path, { value: v, from: m.name });
    }
  }
  return { argv: rest, set, warnings, errors };
}

/** The README's tables, one per peer (`npm run docs` writes them; a test keeps them in step). */
export function compatTables(): string {
  return Object.entries(PEERS)
    .map(([peer, repo]) =>
      [
        `### Coming from ${peer} (\`${repo}\`)`,
        "",
        "| Theirs | kube-mcp | What happens |",
        "|---|---|---|",
        ...COMPAT.filter((m) => m.peer === peer).map((m) => `| \`${m.name}\` | \`${m.to}\` | ${m.doc} |`),
      ].join("\n"),
    )
    .join("\n\n");
}

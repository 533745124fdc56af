// The command-line and environment surface of the configuration: one row per option, used both to
// parse argv/env into a config layer and to generate `--help`. What an option does and its default are
// the schema's, unless its help says it differently for the command line.
import type * as z from "zod";
import { ConfigSchema } from "./schema.js";

export type OptionType = "string" | "number" | "boolean" | "list" | "json";
export type Role = "serve" | "hub" | "agent";

export interface OptionSpec {
  flag: string;
  /** Dotted path into the config object. */
  path: string;
  type: OptionType;
  env?: string;
  arg?: string;
  /** What the option does; unset: the schema's description of its field. */
  help?: string;
  /** `--help` shows the schema's default for the field. */
  showDefault?: true;
  /** A boolean flag that sets the config value to false (`--no-confirm`); its env var is not inverted. */
  negates?: true;
  /** The flag may be given more than once; a list option collects every occurrence. */
  repeatable?: true;
  /** The roles that take this option; default every role. */
  roles?: Role[];
}

export const OPTIONS: OptionSpec[] = [
  {
    flag: "config",
    path: "",
    type: "string",
    env: "KUBE_MCP_CONFIG",
    arg: "FILE",
    help: "YAML or JSON config file (layers: defaults < file < env < flags)",
  },
  {
    flag: "mode",
    path: "mode",
    type: "string",
    env: "KUBE_MCP_MODE",
    arg: "MODE",
    help: "read-only | non-destructive | full (default: non-destructive for serve, read-only for hub and agent)",
  },
  {
    flag: "dry-run",
    path: "dryRun",
    type: "boolean",
    env: "KUBE_MCP_DRY_RUN",
  },
  {
    flag: "toolsets",
    path: "toolsets",
    type: "list",
    env: "KUBE_MCP_TOOLSETS",
    arg: "S1,S2",
    help: "toolsets listed from the start: core, write, inspect, workloads, helm, istio, argocd, or all (default core,write; the model can enable the others)",
    roles: ["serve", "hub"],
  },
  {
    flag: "tools",
    path: "tools.allow",
    type: "list",
    env: "KUBE_MCP_TOOLS",
    arg: "T1,T2",
    help: "register only these tools or toolsets, all listed (others cannot be called)",
    roles: ["serve", "hub"],
  },
  {
    flag: "deny-tools",
    path: "tools.deny",
    type: "list",
    env: "KUBE_MCP_DENY_TOOLS",
    arg: "T1,T2",
    roles: ["serve", "hub"],
  },
  {
    flag: "structured-output",
    path: "structuredOutput",
    type: "boolean",
    env: "KUBE_MCP_STRUCTURED_OUTPUT",
    help: "advertise output schemas and send structuredContent beside the text (for programs; costs context)",
    roles: ["serve", "hub"],
  },
  {
    flag: "log-level",
    path: "logLevel",
    type: "string",
    env: "KUBE_MCP_LOG_LEVEL",
    arg: "LEVEL",
    help: "debug | info | warn | error (JSON lines on stderr)",
  },
  {
    flag: "http",
    path: "http.listen",
    type: "string",
    env: "KUBE_MCP_HTTP",
    arg: "[HOST:]PORT",
    help: "serve streamable HTTP instead of stdio (host defaults to 127.0.0.1)",
  },
  {
    flag: "http-path",
    path: "http.path",
    type: "string",
    env: "KUBE_MCP_HTTP_PATH",
    arg: "PATH",
    showDefault: true,
  },
  {
    flag: "allowed-hosts",
    path: "http.allowedHosts",
    type: "list",
    env: "KUBE_MCP_ALLOWED_HOSTS",
    arg: "H1,H2",
    help: "Host header values accepted besides the listen address",
  },
  {
    flag: "allowed-origins",
    path: "http.allowedOrigins",
    type: "list",
    env: "KUBE_MCP_ALLOWED_ORIGINS",
    arg: "O1,O2",
    help: "browser Origins accepted",
  },
  {
    flag: "api-key",
    path: "http.apiKey",
    type: "string",
    env: "MCP_API_KEY",
    arg: "KEY",
    help: "require this key as X-Api-Key or Authorization: Bearer (prefer the env var)",
  },
  {
    flag: "identity",
    path: "identity",
    type: "string",
    env: "KUBE_MCP_IDENTITY",
    arg: "MODE",
    help: "service | impersonate: clusters act as kube-mcp, or as each caller (per cluster: clusters.<name>.identity)",
    roles: ["serve", "hub", "agent"],
  },
  {
    flag: "allow-unauthenticated",
    path: "http.allowUnauthenticated",
    type: "boolean",
    env: "KUBE_MCP_ALLOW_UNAUTHENTICATED",
    help: "allow a non-loopback bind without authentication (warns)",
  },
  {
    flag: "oauth-issuer",
    path: "http.oauth.issuer",
    type: "string",
    env: "KUBE_MCP_OAUTH_ISSUER",
    arg: "URL",
    help: "accept OAuth 2.1 access tokens (JWT) from this authorization server; scopes kube-mcp:read|write|admin cap the mode",
    roles: ["serve", "hub"],
  },
  {
    flag: "oauth-resource",
    path: "http.oauth.resource",
    type: "string",
    env: "KUBE_MCP_OAUTH_RESOURCE",
    arg: "URL",
    help: "this MCP endpoint's public URL, the token audience (default: the listen URL)",
    roles: ["serve", "hub"],
  },
  {
    flag: "oauth-audience",
    path: "http.oauth.audience",
    type: "list",
    env: "KUBE_MCP_OAUTH_AUDIENCE",
    arg: "A1,A2",
    help: "token audiences accepted instead of the resource URL",
    roles: ["serve", "hub"],
  },
  {
    flag: "oauth-jwks-uri",
    path: "http.oauth.jwksUri",
    type: "string",
    env: "KUBE_MCP_OAUTH_JWKS_URI",
    arg: "URL",
    roles: ["serve", "hub"],
  },
  {
    flag: "kubeconfig",
    path: "kube.kubeconfig",
    type: "string",
    arg: "PATHS",
    help: "kubeconfig file(s), ':'-separated (default: KUBECONFIG, KUBECONFIG_PATH, ~/.kube/config)",
  },
  {
    flag: "context",
    path: "kube.context",
    type: "string",
    env: "K8S_CONTEXT",
    arg: "NAME",
    help: "default cluster for calls that name none",
  },
  {
    flag: "namespace",
    path: "kube.namespace",
    type: "string",
    env: "K8S_NAMESPACE",
    arg: "NS",
  },
  {
    flag: "contexts",
    path: "kube.contexts",
    type: "list",
    env: "KUBE_MCP_CONTEXTS",
    arg: "A,B",
    help: "only expose these contexts",
  },
  {
    flag: "request-timeout",
    path: "kube.requestTimeoutMs",
    type: "number",
    env: "KUBE_MCP_REQUEST_TIMEOUT_MS",
    arg: "MS",
    showDefault: true,
  },
  {
    flag: "max-rows",
    path: "output.maxRows",
    type: "number",
    env: "KUBE_MCP_MAX_ROWS",
    arg: "N",
    showDefault: true,
  },
  {
    flag: "max-bytes",
    path: "output.maxBytes",
    type: "number",
    env: "KUBE_MCP_MAX_BYTES",
    arg: "N",
    showDefault: true,
  },
  {
    flag: "fanout-concurrency",
    path: "fanout.concurrency",
    type: "number",
    env: "KUBE_MCP_FANOUT_CONCURRENCY",
    arg: "N",
    showDefault: true,
  },
  {
    flag: "cluster-timeout",
    path: "fanout.clusterTimeoutMs",
    type: "number",
    env: "KUBE_MCP_CLUSTER_TIMEOUT_MS",
    arg: "MS",
    showDefault: true,
  },
  {
    flag: "reveal-secrets",
    path: "revealSecrets",
    type: "boolean",
    env: "KUBE_MCP_REVEAL_SECRETS",
  },
  {
    flag: "audit",
    path: "audit",
    type: "boolean",
    env: "KUBE_MCP_AUDIT",
    help: 'one JSON line per tool call on stderr, marked "audit":true (hub and agent: always)',
    roles: ["serve"],
  },
  {
    flag: "no-confirm",
    path: "confirmDestructive",
    type: "boolean",
    negates: true,
    help: "do not ask clients to confirm destructive calls (the mode still decides what may run)",
  },
  {
    flag: "debug-image",
    path: "debug.image",
    type: "string",
    env: "KUBE_MCP_DEBUG_IMAGE",
    arg: "IMAGE",
    showDefault: true,
  },
  {
    flag: "port",
    path: "hub.port",
    type: "number",
    env: "PORT",
    arg: "PORT",
    showDefault: true,
    roles: ["hub"],
  },
  {
    flag: "agent-path",
    path: "hub.agentPath",
    type: "string",
    env: "KUBE_MCP_AGENT_PATH",
    arg: "PATH",
    showDefault: true,
    roles: ["hub"],
  },
  {
    flag: "helm-repo",
    path: "helm.repositories",
    type: "list",
    repeatable: true,
    arg: "NAME=URL",
    help: "a chart repository install/upgrade may use as NAME/CHART (repeat the flag for more)",
  },
  {
    flag: "helm-repositories",
    path: "helm.repositories",
    type: "json",
    env: "KUBE_MCP_HELM_REPOSITORIES",
    arg: "JSON",
    help: 'chart repositories as JSON, e.g. [{"name":"local","url":"http://127.0.0.1:8879"}]',
  },
  {
    flag: "helm-registry",
    path: "helm.registries",
    type: "list",
    repeatable: true,
    arg: "oci://HOST/PATH",
    help: "an OCI registry path charts may come from as oci://HOST/PATH/CHART (repeat the flag for more)",
  },
  {
    flag: "helm-registries",
    path: "helm.registries",
    type: "json",
    env: "KUBE_MCP_HELM_REGISTRIES",
    arg: "JSON",
    help: 'OCI registry paths as JSON, e.g. ["oci://ghcr.io/org/charts"] or [{"url":"oci://127.0.0.1:5000/c","plainHttp":true}]',
  },
  {
    flag: "helm-user-repos",
    path: "helm.userRepositories",
    type: "string",
    env: "KUBE_MCP_HELM_USER_REPOSITORIES",
    arg: "true|false",
    help: "also trust the repositories in your own Helm config",
    showDefault: true,
    roles: ["serve"],
  },

  {
    flag: "cluster-tokens",
    path: "hub.tokens",
    type: "json",
    env: "CLUSTER_TOKENS",
    arg: "JSON",
    help: 'agent tokens by cluster, e.g. {"prod":"…"} (prefer the env var or --cluster-tokens-path)',
    roles: ["hub"],
  },
  {
    flag: "cluster-tokens-path",
    path: "hub.tokensPath",
    type: "string",
    env: "CLUSTER_TOKENS_PATH",
    arg: "PATH",
    roles: ["hub"],
  },
  {
    flag: "max-agent-connections-per-ip",
    path: "hub.maxAgentConnectionsPerIp",
    type: "number",
    env: "MAX_AGENT_CONNECTIONS_PER_IP",
    arg: "N",
    showDefault: true,
    roles: ["hub"],
  },
  {
    flag: "allow-query-api-key",
    path: "hub.allowQueryApiKey",
    type: "boolean",
    env: "KUBE_MCP_ALLOW_QUERY_API_KEY",
    help: "also accept the API key as ?api_key= (it will appear in access logs)",
    roles: ["hub"],
  },
  {
    flag: "sse",
    path: "http.sse",
    type: "boolean",
    env: "KUBE_MCP_SSE",
    help: "with --http, also serve the legacy HTTP+SSE transport (GET /sse, POST /messages) for clients that speak only protocol 2024-11-05",
    roles: ["serve", "hub"],
  },
  {
    flag: "capi",
    path: "capi.managementClusters",
    type: "list",
    env: "KUBE_MCP_CAPI",
    arg: "CLUSTER[,CLUSTER]",
    help: "Cluster API management clusters: their workload clusters are served too, named <namespace>/<name>",
    roles: ["serve", "hub", "agent"],
  },
  {
    flag: "qps",
    path: "kube.qps",
    type: "number",
    env: "KUBE_MCP_QPS",
    arg: "N",
    help: "client-side rate limit per cluster, API requests per second (default: none)",
  },
  {
    flag: "burst",
    path: "kube.burst",
    type: "number",
    env: "KUBE_MCP_BURST",
    arg: "N",
    help: "API requests allowed at once above --qps (default 2 × qps)",
  },
  {
    flag: "cli-rules",
    path: "cli.rules",
    type: "string",
    env: "KUBE_MCP_CLI_RULES",
    arg: "FILE",
    help: "extra refusals for the CLI passthrough from a rule file (k8s-mcp-server's format: dangerous_commands, safe_patterns, regex_rules)",
  },
  {
    flag: "nats-url",
    path: "hub.nats.urls",
    type: "list",
    env: "KUBE_MCP_NATS_URL",
    arg: "URL[,URL]",
    help: "share agents with other hub replicas over NATS, e.g. nats://nats:4222",
    roles: ["hub"],
  },
  {
    flag: "nats-creds",
    path: "hub.nats.credsFile",
    type: "string",
    env: "KUBE_MCP_NATS_CREDS",
    arg: "FILE",
    help: "NATS user credentials file (JWT and NKey seed) for --nats-url",
    roles: ["hub"],
  },
  {
    flag: "nats-token",
    path: "hub.nats.token",
    type: "string",
    env: "KUBE_MCP_NATS_TOKEN",
    arg: "TOKEN",
    help: "NATS token for --nats-url (prefer the env var, or --nats-creds)",
    roles: ["hub"],
  },
  {
    flag: "nats-ca",
    path: "hub.nats.tls.caFile",
    type: "string",
    env: "KUBE_MCP_NATS_CA",
    arg: "FILE",
    help: "CA bundle for TLS to NATS (a tls:// URL alone uses the system CAs)",
    roles: ["hub"],
  },
  {
    flag: "nats-cert",
    path: "hub.nats.tls.certFile",
    type: "string",
    env: "KUBE_MCP_NATS_CERT",
    arg: "FILE",
    help: "client certificate for NATS servers that verify clients (with --nats-key)",
    roles: ["hub"],
  },
  {
    flag: "nats-key",
    path: "hub.nats.tls.keyFile",
    type: "string",
    env: "KUBE_MCP_NATS_KEY",
    arg: "FILE",
    help: "the client certificate's private key",
    roles: ["hub"],
  },
  {
    flag: "hub-url",
    path: "agent.hubUrl",
    type: "string",
    env: "CENTRAL_SERVER_URL",
    arg: "URL",
    roles: ["agent"],
  },
  {
    flag: "cluster-name",
    path: "agent.clusterName",
    type: "string",
    env: "CLUSTER_NAME",
    arg: "NAME",
    roles: ["agent"],
  },
  {
    flag: "token-file",
    path: "agent.tokenFile",
    type: "string",
    env: "AGENT_TOKEN_FILE",
    arg: "FILE",
    help: "file holding the agent token (or set AGENT_TOKEN)",
    roles: ["agent"],
  },
  {
    flag: "hub-ca",
    path: "agent.caFile",
    type: "string",
    env: "HUB_CA_FILE",
    arg: "FILE",
    roles: ["agent"],
  },
  {
    flag: "insecure-tls",
    path: "agent.insecureTls",
    type: "boolean",
    env: "INSECURE_TLS",
    help: "do not verify the hub's certificate (development only; warns loudly)",
    roles: ["agent"],
  },
  {
    flag: "health",
    path: "agent.healthListen",
    type: "string",
    env: "AGENT_HEALTH_LISTEN",
    arg: "[HOST:]PORT",
    showDefault: true,
    roles: ["agent"],
  },
];

/** The options `role` takes. */
export const optionsFor = (role: Role) => OPTIONS.filter((o) => !o.roles || o.roles.includes(role));

/** Environment variables read directly (secrets that have no flag, so they never show in `ps`). */
export const SECRET_ENV = { agentToken: "AGENT_TOKEN" } as const;

type Def = { type: string; innerType?: z.ZodType; out?: z.ZodType; shape?: Record<string, z.ZodType> };

/** The schema of the field at a dotted path. */
function fieldAt(path: string): z.ZodType | undefined {
  let field: z.ZodType | undefined = ConfigSchema;
  for (const k of path.split(".")) {
    let s: z.ZodType | undefined = field;
    while (s && (s._zod.def as Def).type !== "object")
      s = (s._zod.def as Def).innerType ?? (s._zod.def as Def).out;
    field = s && (s._zod.def as Def).shape?.[k];
  }
  return field;
}

/** An option's help: its own words or its field's description, and the field's default if it shows one. */
export function optionHelp(o: OptionSpec): string {
  const text = o.help ?? fieldAt(o.path)?.description;
  if (text === undefined) throw new Error(`--${o.flag} has no help and ${o.path} no description`);
  if (!o.showDefault) return text;
  let value: unknown = ConfigSchema.parse({});
  for (const k of o.path.split(".")) value = (value as Record<string, unknown> | undefined)?.[k];
  if (value === undefined) throw new Error(`--${o.flag} shows a default, but ${o.path} has none`);
  return `${text} (default ${value})`;
}

export function helpText(command: Role, summary: string, notes: string[] = DEFAULT_NOTES): string {
  const rows = optionsFor(command).map((o) => {
    const left = `  --${o.flag}${o.arg ? ` ${o.arg}` : ""}`;
    const env = o.env ? ` [env ${o.env}]` : "";
    return `${left.padEnd(34)}${optionHelp(o)}${env}`;
  });
  return [
    `Usage: kube-mcp ${command} [options]`,
    "",
    summary,
    "",
    "Options:",
    ...rows,
    `${"  -h, --help".padEnd(34)}show this help`,
    "",
    ...notes,
    "",
  ].join("\n");
}

const DEFAULT_NOTES = [
  "Clusters: every kubeconfig context; KUBECONFIG_YAML / KUBECONFIG_JSON; K8S_SERVER + K8S_TOKEN",
  "[+ K8S_CA_DATA, K8S_SKIP_TLS_VERIFY]; the in-cluster service account (auto-detected).",
  "Per-cluster policy (mode, revealSecrets, identity) is set in the config file under `clusters:`.",
  "Coming from another Kubernetes MCP server: its variables and flags work too (ALLOWED_TOOLS,",
  'MCP_AUTH_TOKEN, K8S_MCP_TRANSPORT, --non-destructive, …); see the README\'s "Coming from" tables.',
];

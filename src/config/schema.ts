// The one configuration schema. Every layer (defaults < file < env < flags) produces a partial of this
// shape; the merged result is validated once, frozen and passed down explicitly.
import * as z from "zod";
import { GUARD_RULES, ScopeRules } from "./policy-rules.js";

/** A chart repository, `{ name, url }` or the flag's `NAME=URL`. */
const HelmRepository = z
  .preprocess(
    (v) => {
      if (typeof v !== "string") return v;
      const at = v.indexOf("=");
      return at < 0 ? v : { name: v.slice(0, at), url: v.slice(at + 1) };
    },
    z
      .object({
        name: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, "a repository name: letters, digits, _ . -")
          .describe("the REPO in REPO/CHART"),
        url: z
          .string()
          .regex(/^https?:\/\/[^\s]+$/, "an http(s) URL")
          .describe("the repository's index URL, http(s)"),
      })
      .strict(),
  )
  .meta({ alsoAccepts: { type: "string", description: "NAME=URL" } });

/** An OCI registry path charts may come from, `oci://host[:port]/path` or `{ url, plainHttp }`. */
const HelmRegistry = z
  .preprocess(
    (v) => (typeof v === "string" ? { url: v } : v),
    z
      .object({
        url: z
          .string()
          .regex(
            /^oci:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._-]+)*\/?$/,
            "an oci://host[:port]/path reference, without credentials",
          )
          .transform((u) => u.replace(/\/$/, ""))
          .describe("charts may come from oci://host[:port]/path/CHART"),
        plainHttp: z
          .boolean()
          .default(false)
          .describe("the registry speaks plain HTTP (loopback only, e.g. tests)"),
      })
      .strict(),
  )
  .meta({ alsoAccepts: { type: "string", description: "oci://host[:port]/path" } });

export const MODES = ["read-only", "non-destructive", "full"] as const;
export const Mode = z.enum(MODES);
export type Mode = z.infer<typeof Mode>;
/** Modes from strictest to broadest. */
export const MODE_RANK: Record<Mode, number> = { "read-only": 0, "non-destructive": 1, full: 2 };

/** Cluster names travel in headers, logs and tool arguments: DNS-label-like, with dots allowed. */
export const CLUSTER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/;

export const LogLevel = z.enum(["debug", "info", "warn", "error"]);

export const IDENTITY_MODES = ["service", "impersonate", "passthrough"] as const;
export type IdentityMode = (typeof IDENTITY_MODES)[number];

const Identity = z
  .enum(IDENTITY_MODES)
  .describe(
    "service: kube-mcp's own credentials; impersonate: act as each caller (Impersonate-User/Group); passthrough: send each OAuth caller's own access token",
  );

/** An API key that names its caller; exactly one of key, keyFile, keyEnv holds the key material. */
const ApiKey = z
  .object({
    name: z
      .string()
      .regex(/^[\w.@-]{1,64}$/, "a key name is letters, digits, . _ @ - (at most 64)")
      .describe("the key's name, as logs and audit lines show it"),
    key: z
      .string()
      .min(16, "an API key must be at least 16 characters")
      .optional()
      .describe("the key itself, at least 16 characters (prefer keyFile or keyEnv)"),
    keyFile: z.string().min(1).optional().describe("file holding the key (a mounted Secret)"),
    keyEnv: z.string().min(1).optional().describe("environment variable holding the key"),
    user: z.string().min(1).optional().describe("the Kubernetes user this key's caller is impersonated as"),
    groups: z.array(z.string().min(1)).default([]).describe("the caller's Kubernetes groups"),
  })
  .strict()
  .refine((k) => [k.key, k.keyFile, k.keyEnv].filter((v) => v !== undefined).length === 1, {
    message: "an API key needs exactly one of key, keyFile, keyEnv",
  });

const ClusterPolicy = z
  .object({
    mode: Mode.optional().describe(
      "safety mode for this cluster; the stricter of this and the global mode wins",
    ),
    revealSecrets: z.boolean().optional().describe("allow reading Secret values in this cluster"),
    allow: z
      .array(z.enum(GUARD_RULES))
      .optional()
      .describe(
        "guard rules this cluster opts out of in non-destructive mode (docs/security.md): " +
          GUARD_RULES.join(", "),
      ),
    identity: Identity.optional().describe("how this cluster sees callers (default: the global identity)"),
    ...ScopeRules.shape,
  })
  .strict();

/** OAuth 2.1 resource server: which issuer's JWT access tokens are accepted, and what each scope permits. */
const OAuth = z
  .object({
    issuer: z.url().describe("the authorization server's issuer URL (its metadata names the JWKS)"),
    resource: z
      .url()
      .optional()
      .describe("this endpoint's public URL, as clients reach it (default: the listen URL)"),
    audience: z
      .array(z.string().min(1))
      .optional()
      .describe("accepted token audiences (default: the resource URL, as RFC 8707 clients request it)"),
    jwksUri: z.url().optional().describe("signing keys URL, when the issuer publishes no metadata"),
    scopes: z
      .object({
        read: z.string().min(1).default("kube-mcp:read").describe("the scope that grants read-only"),
        write: z.string().min(1).default("kube-mcp:write").describe("the scope that grants non-destructive"),
        admin: z.string().min(1).default("kube-mcp:admin").describe("the scope that grants full"),
      })
      .strict()
      .prefault({})
      .describe("scope per mode: read → read-only, write → non-destructive, admin → full"),
    clockSkewSeconds: z
      .number()
      .int()
      .min(0)
      .max(300)
      .default(60)
      .describe("tolerance for clock differences when checking a token's times"),
    userClaims: z
      .array(z.string().min(1))
      .min(1)
      .default(["email", "sub"])
      .describe("claims naming the caller's Kubernetes user, first present wins"),
    groupsClaim: z.string().min(1).default("groups").describe("claim listing the caller's Kubernetes groups"),
  })
  .strict();

export const ConfigSchema = z
  .object({
    mode: Mode.optional().describe(
      "safety mode; default non-destructive for serve, read-only for hub and agent",
    ),
    dryRun: z.boolean().default(false).describe("run every write as a server-side dry run"),
    tools: z
      .object({
        allow: z
          .array(z.string().min(1))
          .optional()
          .describe("register only these tools or toolsets, all listed; unset: every tool the mode allows"),
        deny: z.array(z.string().min(1)).default([]).describe("never register these tools or toolsets"),
      })
      .strict()
      .prefault({})
      .describe("which tools are registered at all (beyond what the mode allows)"),
    toolsets: z
      .array(z.string().min(1))
      .optional()
      .describe('toolsets listed from the start ("all" for every one); default core,write'),
    structuredOutput: z
      .boolean()
      .default(false)
      .describe("advertise output schemas and send structuredContent (for programs, not models)"),
    logLevel: LogLevel.default("info").describe("the least severe log line written (JSON lines on stderr)"),
    http: z
      .object({
        listen: z.string().optional().describe("[host:]port to serve streamable HTTP on; unset means stdio"),
        path: z.string().startsWith("/").default("/mcp").describe("MCP endpoint path"),
        allowedHosts: z
          .array(z.string())
          .default([])
          .describe("extra Host header values accepted (DNS-rebinding guard)"),
        allowedOrigins: z
          .array(z.string())
          .default([])
          .describe("Origin header values accepted from browsers"),
        apiKey: z
          .string()
          .min(16, "the API key must be at least 16 characters")
          .optional()
          .describe("one key every caller sends as X-Api-Key or Authorization: Bearer (prefer MCP_API_KEY)"),
        apiKeys: z.array(ApiKey).default([]).describe("API keys that name their caller (user, groups)"),
        allowUnauthenticated: z
          .boolean()
          .default(false)
          .describe("allow a non-loopback listen address without authentication"),
        sse: z
          .boolean()
          .default(false)
          .describe(
            "also serve the legacy HTTP+SSE transport (GET /sse, POST /messages) for 2024-11-05 clients",
          ),
        oauth: OAuth.optional().describe(
          "accept OAuth 2.1 bearer tokens (JWT access tokens) from this issuer",
        ),
      })
      .strict()
      .prefault({})
      .describe("streamable HTTP serving and who may call it (unset listen: stdio)"),
    kube: z
      .object({
        kubeconfig: z.string().optional().describe("kubeconfig path list (overrides KUBECONFIG)"),
        context: z
          .string()
          .optional()
          .describe("default cluster (kubeconfig context) for calls that name none"),
        namespace: z.string().optional().describe("default namespace for every cluster"),
        contexts: z.array(z.string()).optional().describe("allowlist of contexts to expose"),
        requestTimeoutMs: z
          .number()
          .int()
          .min(1000)
          .max(600_000)
          .default(30_000)
          .describe("deadline for one Kubernetes API request"),
        qps: z
          .number()
          .positive()
          .max(10_000)
          .optional()
          .describe("client-side rate limit per cluster, requests per second (unset: none)"),
        burst: z
          .number()
          .int()
          .min(1)
          .max(100_000)
          .optional()
          .describe("requests allowed at once above qps (default 2 × qps)"),
      })
      .strict()
      .prefault({})
      .describe("where clusters come from and how kube-mcp talks to their API servers"),
    clusters: z
      .record(z.string(), ClusterPolicy)
      .default({})
      .describe("policy per cluster name, or per glob (org-a/*) for clusters that come and go"),
    capi: z
      .object({
        managementClusters: z
          .array(z.string().min(1))
          .min(1)
          .describe("clusters (by name) whose Cluster API workload clusters are served too"),
        namespaces: z
          .array(z.string().min(1))
          .default(["*"])
          .describe("namespaces (globs) whose Cluster objects count"),
        refreshSeconds: z
          .number()
          .int()
          .min(1)
          .max(3600)
          .default(30)
          .describe("full resync interval; watches report changes in between"),
        credentials: z
          .enum(["kubeconfig", "ca"])
          .default("kubeconfig")
          .describe(
            "kubeconfig: the admin kubeconfig in <name>-kubeconfig (with impersonation where callers have an identity); ca: only the CA in <name>-ca and the Cluster's controlPlaneEndpoint, each caller sending its own OAuth token (identity: passthrough)",
          ),
        endpoints: z
          .array(z.string().min(1))
          .optional()
          .describe(
            "host:port globs a workload cluster's API server may be at (its Secret's kubeconfig, or with credentials: ca its controlPlaneEndpoint, where callers' tokens go); unset: any",
          ),
      })
      .strict()
      .optional()
      .describe("Cluster API federation: workload clusters named <namespace>/<name>"),
    cli: z
      .object({
        timeoutSeconds: z
          .number()
          .int()
          .min(1)
          .max(3600)
          .default(55)
          .describe("default deadline of one CLI run"),
        maxTimeoutSeconds: z
          .number()
          .int()
          .min(1)
          .max(3600)
          .default(300)
          .describe("largest `timeout` a call may ask for"),
        maxOutputBytes: z
          .number()
          .int()
          .min(10_000)
          .max(50_000_000)
          .default(2_000_000)
          .describe("output kept from one CLI run or exec; the rest is dropped, with a note"),
        concurrency: z.number().int().min(1).max(64).default(4).describe("CLI processes running at once"),
        rules: z
          .string()
          .optional()
          .describe("a rule file of extra refusals for the CLI passthrough (k8s-mcp-server's format)"),
        ruleSet: z
          .record(
            z.string(),
            z.object({
              dangerous: z.array(z.string()).describe("command prefixes refused"),
              safe: z
                .array(z.string())
                .describe("command prefixes exempted from dangerous (and from nothing else)"),
              regex: z
                .array(
                  z.object({
                    pattern: z.string().describe("a regex over the whole command"),
                    message: z.string().describe("what a refusal says"),
                  }),
                )
                .describe("patterns refused, each with its message"),
            }),
          )
          .optional()
          .describe("set by kube-mcp from `rules` when it starts"),
      })
      .strict()
      .prefault({})
      .describe(
        "the CLI passthrough (kubectl, helm, istioctl, argocd): deadlines, output and extra refusals",
      ),
    helm: z
      .object({
        repositories: z
          .array(HelmRepository)
          .default([])
          .describe("the only chart repositories install and upgrade may use, as REPO/CHART"),
        registries: z
          .array(HelmRegistry)
          .default([])
          .describe("OCI registry paths charts may come from, as oci://host/path/CHART"),
        userRepositories: z
          .preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean())
          .meta({ alsoAccepts: { type: "string", enum: ["true", "false"] } })
          .default(true)
          .describe("serve also trusts the repositories in the user's own Helm config (never hub or agent)"),
      })
      .strict()
      .prefault({})
      .describe("where helm install and upgrade may take charts from"),
    revealSecrets: z
      .boolean()
      .default(false)
      .describe("allow reading Secret values (default: always redacted)"),
    identity: Identity.default("service").describe(
      "how clusters see callers, unless a cluster says otherwise",
    ),
    ...ScopeRules.shape,
    output: z
      .object({
        maxRows: z.number().int().min(10).max(5000).default(200).describe("most table rows in one answer"),
        maxBytes: z
          .number()
          .int()
          .min(2000)
          .max(400_000)
          .default(24_000)
          .describe("most bytes of text in one answer"),
      })
      .strict()
      .prefault({})
      .describe("answer budgets: whatever is cut is counted and explained"),
    fanout: z
      .object({
        concurrency: z
          .number()
          .int()
          .min(1)
          .max(64)
          .default(8)
          .describe('clusters queried at once by cluster: "*"'),
        /** An agent runs its call on its own cluster; the hub only waits, so a fan-out waits for all at once. */
        agentConcurrency: z
          .number()
          .int()
          .min(1)
          .max(10_000)
          .default(1000)
          .describe('clusters behind agents queried at once by cluster: "*"'),
        clusterTimeoutMs: z
          .number()
          .int()
          .min(1000)
          .max(600_000)
          .default(25_000)
          .describe("deadline per cluster in a fan-out"),
      })
      .strict()
      .prefault({})
      .describe('calls that name several clusters (cluster: "*" or a list)'),
    tracing: z
      .object({
        endpoint: z
          .string()
          .url()
          .optional()
          .describe("OTLP/HTTP base URL (/v1/traces is added); OTEL_EXPORTER_OTLP_ENDPOINT wins; unset: off"),
        protocol: z
          .enum(["http/protobuf", "http/json"])
          .optional()
          .describe("OTEL_EXPORTER_OTLP_PROTOCOL wins"),
        sampler: z
          .enum([
            "always_on",
            "always_off",
            "traceidratio",
            "parentbased_always_on",
            "parentbased_always_off",
            "parentbased_traceidratio",
          ])
          .optional()
          .describe("OTEL_TRACES_SAMPLER wins; default parentbased_always_on"),
        samplerArg: z.number().min(0).max(1).optional().describe("the ratio of *traceidratio samplers"),
        serviceName: z
          .string()
          .min(1)
          .optional()
          .describe("OTEL_SERVICE_NAME wins; default kube-mcp[-hub|-agent]"),
        maxQueueSize: z
          .number()
          .int()
          .min(16)
          .max(100_000)
          .optional()
          .describe("spans waiting for export; more are dropped and counted (default 2048)"),
      })
      .strict()
      .optional()
      .describe("OpenTelemetry traces over OTLP/HTTP; the standard OTEL_* variables work too"),
    audit: z
      .boolean()
      .default(false)
      .describe("write one audit line per tool call to stderr (always on for hub and agent)"),
    confirmDestructive: z
      .boolean()
      .default(true)
      .describe("ask the user to confirm destructive calls when the client supports elicitation"),
    portForward: z
      .object({
        maxSessions: z
          .number()
          .int()
          .min(1)
          .max(64)
          .default(8)
          .describe("port-forward sessions open at once"),
        maxConnections: z.number().int().min(1).max(256).default(16).describe("open connections per session"),
        idleTimeoutSeconds: z
          .number()
          .int()
          .min(10)
          .max(86_400)
          .default(900)
          .describe("a session with no traffic for this long is stopped"),
      })
      .strict()
      .prefault({})
      .describe("port_forward sessions"),
    debug: z
      .object({
        image: z.string().min(1).default("busybox:1.37").describe("image of the containers pods_debug adds"),
        allowedImages: z
          .array(z.string().min(1))
          .default([])
          .describe("other images a pods_debug call may ask for"),
      })
      .strict()
      .prefault({})
      .describe("ephemeral debug containers (pods_debug)"),
    hub: z
      .object({
        port: z
          .number()
          .int()
          .min(0)
          .max(65_535)
          .default(3000)
          .describe("listen on 0.0.0.0:PORT when --http is not given"),
        agentPath: z.string().startsWith("/").default("/agent").describe("WebSocket path agents connect to"),
        tokens: z
          .record(
            z.string().regex(CLUSTER_NAME),
            z.string().min(16, "cluster tokens must be at least 16 characters"),
          )
          .default({})
          .describe("cluster name → agent token"),
        tokensPath: z
          .string()
          .optional()
          .describe("JSON file of tokens, or a directory with one file per cluster (a mounted Secret)"),
        maxAgentConnectionsPerIp: z
          .number()
          .int()
          .min(1)
          .max(10_000)
          .default(10)
          .describe("open agent sockets allowed from one address"),
        registrationTimeoutMs: z
          .number()
          .int()
          .min(100)
          .max(120_000)
          .default(10_000)
          .describe("time an agent has to say hello after connecting"),
        heartbeatMs: z
          .number()
          .int()
          .min(100)
          .max(300_000)
          .default(15_000)
          .describe("ping interval on agent sockets (an agent gives up after three missed)"),
        maxFrameBytes: z
          .number()
          .int()
          .min(4096)
          .max(256 * 1024 * 1024)
          .default(16 * 1024 * 1024)
          .describe("largest message an agent may send"),
        allowQueryApiKey: z
          .boolean()
          .default(false)
          .describe("accept ?api_key= on /mcp (URLs end up in logs; prefer headers)"),
        nats: z
          .object({
            urls: z
              .array(z.string().regex(/^(nats|tls):\/\//, "a NATS URL starts with nats:// or tls://"))
              .min(1)
              .describe("NATS servers the hub replicas share agents over"),
            token: z.string().optional().describe("NATS token (prefer credsFile)"),
            credsFile: z.string().optional().describe("NATS user credentials file (JWT + NKey seed)"),
            tls: z
              .object({
                caFile: z.string().optional().describe("CA bundle that signs the NATS servers' certificates"),
                certFile: z.string().optional().describe("client certificate, when NATS verifies clients"),
                keyFile: z.string().optional().describe("its private key"),
              })
              .strict()
              .refine((t) => !t.certFile === !t.keyFile, "tls.certFile and tls.keyFile go together")
              .optional()
              .describe("TLS to NATS (also implied by tls:// URLs)"),
            subjectPrefix: z
              .string()
              .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/)
              .default("kube-mcp")
              .describe("subjects are <prefix>.presence, <prefix>.call.<replica>, …"),
          })
          .strict()
          .optional()
          .describe("run as one of several replicas sharing agents over NATS"),
      })
      .strict()
      .prefault({})
      .describe("the hub: where agents dial in, their tokens, and NATS for several replicas"),
    agent: z
      .object({
        hubUrl: z
          .string()
          .regex(/^wss?:\/\//, "the hub URL must start with wss:// (or ws:// for development)")
          .optional()
          .describe(
            "the hub's agent endpoint, wss://HOST/agent (several replicas: comma-separated, tried in turn)",
          ),
        clusterName: z
          .string()
          .regex(CLUSTER_NAME)
          .optional()
          .describe("the name this cluster has at the hub (its token must be issued for it)"),
        token: z.string().min(16).optional().describe("the agent token (prefer tokenFile or AGENT_TOKEN)"),
        tokenFile: z.string().optional().describe("file holding the agent token"),
        caFile: z.string().optional().describe("CA bundle for the hub's certificate"),
        insecureTls: z.boolean().default(false).describe("skip hub certificate checks (development only)"),
        healthListen: z.string().default("0.0.0.0:8081").describe("where /healthz and /readyz answer"),
        maxBackoffMs: z
          .number()
          .int()
          .min(100)
          .max(600_000)
          .default(30_000)
          .describe("longest wait between attempts to reach the hub"),
      })
      .strict()
      .prefault({})
      .describe("the agent: the hub it dials and how"),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;

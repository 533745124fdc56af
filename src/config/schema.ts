// The one configuration schema (its larger sections in schema-http.ts, schema-cli.ts and schema-fleet.ts).
// Every layer (defaults < file < env < flags) produces a partial of this shape; the merged result is
// validated once, frozen and passed down explicitly.
import * as z from "zod";
import { GUARD_RULES, ScopeRules } from "./policy-rules.js";
import { Cli, Helm } from "./schema-cli.js";
import { Agent, Capi, CLUSTER_NAME, Hub } from "./schema-fleet.js";
import { Http } from "./schema-http.js";

export const MODES = ["read-only", "non-destructive", "full"] as const;
export const Mode = z.enum(MODES);
export type Mode = z.infer<typeof Mode>;
/** Modes from strictest to broadest. */
export const MODE_RANK: Record<Mode, number> = { "read-only": 0, "non-destructive": 1, full: 2 };

export const LogLevel = z.enum(["debug", "info", "warn", "error"]);

export const IDENTITY_MODES = ["service", "impersonate", "passthrough"] as const;
export type IdentityMode = (typeof IDENTITY_MODES)[number];

const Identity = z
  .enum(IDENTITY_MODES)
  .describe(
    "service: kube-mcp's own credentials; impersonate: act as each caller (Impersonate-User/Group); passthrough: send each OAuth caller's own access token",
  );

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
    http: Http,
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
    capi: Capi,
    cli: Cli,
    helm: Helm,
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
      .describe("pods_port_forward sessions"),
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
    hub: Hub,
    agent: Agent,
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
export { CLUSTER_NAME };

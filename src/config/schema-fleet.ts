// The fleet's sections of the config schema: the hub and the agent roles, and Cluster API federation.
import * as z from "zod";

/** Cluster names travel in headers, logs and tool arguments: DNS-label-like, with dots allowed. */
export const CLUSTER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/;

export const Capi = z
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
  .describe("Cluster API federation: workload clusters named <namespace>/<name>");

export const Hub = z
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
  .describe("the hub: where agents dial in, their tokens, and NATS for several replicas");

export const Agent = z
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
  .describe("the agent: the hub it dials and how");

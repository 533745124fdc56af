// The `http` section of the config schema: serving streamable HTTP, and who may call (API keys, OAuth).
import * as z from "zod";

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

export const Http = z
  .object({
    listen: z.string().optional().describe("[host:]port to serve streamable HTTP on; unset means stdio"),
    path: z.string().startsWith("/").default("/mcp").describe("MCP endpoint path"),
    allowedHosts: z
      .array(z.string())
      .default([])
      .describe("extra Host header values accepted (DNS-rebinding guard)"),
    allowedOrigins: z.array(z.string()).default([]).describe("Origin header values accepted from browsers"),
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
      .describe("also serve the legacy HTTP+SSE transport (GET /sse, POST /messages) for 2024-11-05 clients"),
    oauth: OAuth.optional().describe("accept OAuth 2.1 bearer tokens (JWT access tokens) from this issuer"),
  })
  .strict()
  .prefault({})
  .describe("streamable HTTP serving and who may call it (unset listen: stdio)");

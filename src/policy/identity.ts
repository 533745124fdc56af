// Who is calling, and how a cluster sees them. A caller is established once, where it authenticates
// (stdio, an API key, an OAuth token); a cluster in `impersonate` mode then receives every request of
// that caller with Kubernetes impersonation headers, so RBAC and the API server's audit log see the
// person. A caller without a user is refused there: never a silent fall back to kube-mcp's own identity.
import type { Config, IdentityMode } from "../config/schema.js";
import { ToolError } from "../errors.js";

export type { IdentityMode };

export interface Caller {
  /** How the caller authenticated; what audit lines have always recorded as `caller`. */
  kind: "stdio" | "anonymous" | "api-key" | "oauth";
  /** The Kubernetes user this caller is impersonated as; unset for callers without an identity. */
  user?: string;
  groups: readonly string[];
  /** The named API key presented (never the key itself). */
  key?: string;
  /** An OAuth token's subject and client. */
  subject?: string;
  client?: string;
  /** Why `user` is unset although the caller authenticated (a token without the user claim). */
  missing?: string;
  /**
   * An OAuth caller's own access token, for clusters in passthrough mode; undefined once it has expired.
   * A function, so no serialization of a caller (logs, audit, frames to agents) can carry the token.
   */
  accessToken?: () => string | undefined;
  /** When that token expires (ms since the epoch): nothing built on it outlives this. */
  tokenExpiresAt?: number;
}

export const STDIO_CALLER: Caller = { kind: "stdio", groups: [] };
export const ANONYMOUS_CALLER: Caller = { kind: "anonymous", groups: [] };

/** The person a cluster in impersonate mode acts as, and the extra value that says it came through kube-mcp. */
export interface Impersonation {
  user: string;
  groups: readonly string[];
  /** The value of the `kube-mcp` user extra: how the caller reached kube-mcp ("api-key alice-key"). */
  via: string;
  /** Set when the cluster receives the caller's own token rather than impersonation headers. */
  passthrough?: boolean;
}

/** The user extra key every impersonated request carries (RBAC: `userextras/kube-mcp`). */
export const EXTRA_KEY = "kube-mcp";

/**
 * Header values must be printable ASCII (Node refuses others, and Kubernetes matches them literally),
 * so a name from a token that is not is treated as missing rather than mangled.
 */
const PRINTABLE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
export const validName = (s: unknown): s is string =>
  typeof s === "string" && s.length <= 512 && PRINTABLE.test(s);

/** The impersonation a caller gets on a cluster in impersonate mode, or why it cannot have one. */
export function impersonationOf(c: Caller): Impersonation | { refused: string } {
  if (c.user) {
    const via = c.kind === "oauth" ? `oauth ${c.client ?? c.subject ?? ""}` : `${c.kind} ${c.key ?? ""}`;
    return { user: c.user, groups: c.groups, via: via.trim() };
  }
  const why =
    c.missing ??
    (c.kind === "api-key"
      ? c.key
        ? `the API key "${c.key}" has no user`
        : "the shared API key (MCP_API_KEY) carries no identity; use a named key from http.apiKeys or an OAuth token"
      : "the request is not authenticated; send a named API key or an OAuth access token");
  return { refused: `this caller has no Kubernetes user: ${why}` };
}

/** Headers for a REST request or WebSocket upgrade; groups are repeated headers (Kubernetes does not split on commas). */
export function impersonationHeaders(i: Impersonation): Record<string, string | string[]> {
  return {
    "Impersonate-User": i.user,
    ...(i.groups.length ? { "Impersonate-Group": [...i.groups] } : {}),
    [`Impersonate-Extra-${EXTRA_KEY}`]: i.via,
  };
}

export function refusal(
  cluster: string,
  why: string,
  hint?: string,
  mode: "impersonate" | "passthrough" = "impersonate",
): ToolError {
  const how = mode === "passthrough" ? "receives each caller's own token" : "acts as each caller";
  return new ToolError(
    `Refused: cluster ${cluster} ${how} (identity: ${mode}), and ${why}.`,
    hint ??
      "kube-mcp never falls back to its own identity there. Call with an identity, or use a cluster in service mode.",
  );
}

/** The fields an audit line records about a caller. */
export function auditFields(c: Caller): Record<string, unknown> {
  return {
    caller: c.kind,
    ...(c.user ? { user: c.user } : {}),
    ...(c.groups.length ? { groups: c.groups } : {}),
    ...(c.key ? { key: c.key } : {}),
    ...(c.subject ? { subject: c.subject } : {}),
    ...(c.client ? { client: c.client } : {}),
  };
}

/** What the configuration says impersonates callers: "--identity impersonate" or the clusters that set it. */
export function impersonatingClusters(
  config: Readonly<Config>,
  mode: IdentityMode = "impersonate",
): string[] {
  const named = Object.entries(config.clusters).filter(([, p]) => p.identity === mode);
  if (config.identity === mode) return [`all clusters (--identity ${mode})`];
  const capi =
    mode === "passthrough" && config.capi?.credentials === "ca"
      ? ["the Cluster API workload clusters (capi.credentials: ca)"]
      : [];
  return [...named.map(([name]) => `cluster ${name}`), ...capi];
}

/** Whether any cluster sees callers as themselves (impersonated, or by their own token). */
export const callersMatter = (config: Readonly<Config>): boolean =>
  config.identity !== "service" ||
  Object.values(config.clusters).some((p) => p.identity && p.identity !== "service");

/** How a cluster sees the caller, as clusters_list shows it: "service", the mode, or who it acts as. */
export function identityLabel(c: { identity?: IdentityMode; api?: { actor?: Impersonation } }): string {
  const mode = c.identity ?? "service";
  const who = mode === "service" ? undefined : c.api?.actor?.user;
  return who ? `${mode} (as ${who})` : mode;
}

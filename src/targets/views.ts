// One caller's view of a cluster: as it is (service mode, stdio), impersonating them, reached with
// their own token (passthrough), or, for an agent's cluster, with the caller on every call so the agent
// decides. Anything that cannot act as the caller refuses every request: never kube-mcp's own identity.

import { clusterPolicy } from "../config/cluster-policy.js";
import type { Config } from "../config/schema.js";
import { ToolError } from "../errors.js";
import { KubeApi, type Transport } from "../kube/api.js";
import type { ClusterSpec } from "../kube/types.js";
import { type Caller, impersonationOf, refusal } from "../policy/identity.js";
import type { Cluster, Connect, RemoteRunner } from "./clusters.js";

/** `c` failing every request with the refusal: never served as kube-mcp's (or the agent's) own identity. */
function refusing(c: Cluster, why: string, hint?: string, mode?: "impersonate" | "passthrough"): Cluster {
  return failing(c, refusal(c.name, why, hint, mode));
}

/** `c` failing every request (REST, credentials, agent calls) with `err`. */
function failing(c: Cluster, err: ToolError): Cluster {
  const fail = () => Promise.reject(err);
  return {
    ...c,
    api: new KubeApi(c.name, { request: fail }),
    credentials: { get: fail },
    ...(c.remote ? { remote: { call: fail } } : {}),
  };
}

export class CallerViews {
  constructor(
    private readonly config: Readonly<Config>,
    private readonly connect: Connect,
  ) {}

  /** Remembers the connection of a cluster, for impersonating views of it. */
  register(c: Cluster, transport: Transport): void {
    this.transports.set(c, transport);
  }

  private readonly transports = new WeakMap<Cluster, Transport>();
  /** One API per cluster and person, so discovery is cached per person (it too is asked as them). */
  private readonly personal = new WeakMap<Cluster, Map<string, KubeApi>>();

  /** `c` as `caller` sees it: unchanged in service mode; impersonating, or refusing every request, otherwise. */
  seenBy(c: Cluster, caller: Caller): Cluster {
    if (caller.kind === "stdio") return c;
    if (c.remote) return this.remoteSeenBy(c, c.remote, caller);
    if (c.identity === "passthrough") return this.withToken(c, caller);
    if (c.identity !== "impersonate") return c;
    const who = impersonationOf(caller);
    const transport = this.transports.get(c);
    if ("refused" in who || !transport?.impersonating)
      return refusing(c, "refused" in who ? who.refused : "its connection cannot impersonate");
    const key = JSON.stringify([who.user, who.groups, who.via]);
    const apis = this.personal.get(c) ?? new Map<string, KubeApi>();
    this.personal.set(c, apis);
    let api = apis.get(key);
    if (!api) {
      api = new KubeApi(c.name, transport.impersonating(who), who, c.scope);
      // Bounded: a long-running server meets many people; the oldest view is rebuilt if it returns.
      if (apis.size >= 256) apis.delete(apis.keys().next().value as string);
      apis.set(key, api);
    }
    return { ...c, api, impersonate: who };
  }

  /**
   * `c` reached with the caller's own OAuth access token instead of kube-mcp's credentials (REST, streams
   * and the CLIs' kubeconfig alike). No token, an expired one, or a caller of another kind: refused, never
   * kube-mcp's own identity. A connection built on a token is dropped once the token expires.
   */
  private withToken(c: Cluster, caller: Caller): Cluster {
    const token = caller.accessToken?.();
    if (!token) {
      const why =
        caller.kind !== "oauth"
          ? "this caller has no OAuth access token to send (API keys carry none)"
          : "the caller's access token has expired";
      return refusing(
        c,
        why,
        "Call with an OAuth access token the cluster's API server trusts.",
        "passthrough",
      );
    }
    const now = Date.now();
    for (const [t, v] of this.tokens) if (v.expires <= now) this.forget(t);
    // Per cluster (and connection) as well as token: one token reaches several passthrough clusters.
    const key = JSON.stringify([c.name, c.server, c.spec.revision ?? "", token]);
    let v = this.tokens.get(key);
    if (!v) {
      const spec: ClusterSpec = { ...c.spec, auth: { token } };
      const conn = this.connect(spec);
      const actor = {
        user: caller.user ?? caller.subject ?? "the caller",
        groups: caller.groups,
        via: "",
        passthrough: true,
      };
      v = {
        expires: caller.tokenExpiresAt ?? now + 5 * 60_000,
        close: () => conn.transport.close?.(),
        view: {
          spec,
          credentials: conn.credentials,
          api: new KubeApi(c.name, conn.transport, actor, c.scope),
        },
      };
      if (this.tokens.size >= 256) this.forget(this.tokens.keys().next().value as string);
      this.tokens.set(key, v);
    }
    return { ...c, ...v.view };
  }

  /** Connections built on callers' tokens (passthrough), by cluster and token, until it expires. */
  private readonly tokens = new Map<
    string,
    { expires: number; close: () => void; view: Pick<Cluster, "spec" | "credentials" | "api"> }
  >();

  private forget(token: string): void {
    this.tokens.get(token)?.close();
    this.tokens.delete(token);
  }

  /**
   * An agent's cluster: every call carries the caller, and the AGENT's configuration decides whether it
   * acts as them (`c.identity` is what the agent reported). The hub's configuration can only insist: a
   * cluster it says impersonates is refused while its agent acts as its own account.
   */
  private remoteSeenBy(c: Cluster, remote: RemoteRunner, caller: Caller): Cluster {
    const wanted = clusterPolicy(this.config, c.name)?.identity ?? this.config.identity;
    if (wanted === "passthrough")
      return refusing(
        c,
        "a caller's token is never sent through a hub to its agents",
        undefined,
        "passthrough",
      );
    if (wanted === "impersonate") {
      const who = impersonationOf(caller);
      if ("refused" in who) return refusing(c, who.refused);
      if (c.identity === "service")
        return refusing(
          c,
          "its agent acts as its own ServiceAccount (identity: service in the agent's configuration)",
          "Set identity: impersonate in that agent's configuration (the agent chart's identity.impersonate), or use a cluster in service mode.",
        );
    }
    // An agent of an older release would drop the hub's policy from the frame without a word.
    if (c.scope?.active && c.agentSupports && !c.agentSupports.includes("scope"))
      return failing(
        c,
        new ToolError(
          `Refused: cluster ${c.name} has a namespace and kind policy at the hub, and its agent (an older release) cannot apply it.`,
          "Upgrade that cluster's agent to the hub's release.",
        ),
      );
    return { ...c, remote: { call: (tool, args, ctx) => remote.call(tool, args, { ...ctx, caller }) } };
  }
}

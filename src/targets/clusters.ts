// The registry of clusters every cluster-scoped tool can target, by name, list or "*". It holds no
// "current context" a caller could change under another: the default only applies when a call names none.
import type { Config, Mode } from "../config/schema.js";
import { KubeApi, type Transport } from "../kube/api.js";
import type { AuthMaterial } from "../kube/credentials.js";
import type { ClusterSource, ClusterSpec } from "../kube/types.js";
import type { GuardPolicy } from "../policy/guard.js";
import { MODE_RANK } from "../policy/modes.js";
import { GUARD_RULES, type GuardRule } from "../policy/rules.js";
import { Scope, type ScopeRules } from "../policy/scope.js";
import { ToolError } from "../tools/define.js";
import {
  type Caller,
  callersMatter,
  type IdentityMode,
  type Impersonation,
  impersonationOf,
  refusal,
} from "./identity.js";

export interface Cluster {
  name: string;
  source: ClusterSource;
  origin: string;
  server: string;
  namespace: string;
  mode: Mode;
  revealSecrets: boolean;
  /** Guard rules this cluster's policy lets through in non-destructive mode. */
  allow: ReadonlySet<GuardRule>;
  api: KubeApi;
  /** Connection details, for pinning a CLI to this cluster; holds credentials, so never shown. */
  spec: ClusterSpec;
  credentials: CredentialSource;
  /** Set for a cluster reached through its agent (hub): tool cores run there, not here. */
  remote?: RemoteRunner;
  /** How the cluster sees callers: kube-mcp's own identity (default) or each caller, impersonated. */
  identity?: IdentityMode;
  /** In one caller's view of an impersonating cluster: the person every request (REST, stream, CLI) acts as. */
  impersonate?: Impersonation;
  /** The namespaces and kinds this cluster shows (global and per-cluster policy); `api` enforces it. */
  scope?: Scope;
  /** An agent's cluster: what its agent applies from a call frame (unknown while it is not connected). */
  agentSupports?: readonly string[];
}

export interface RemoteRunner {
  call(
    tool: string,
    args: Record<string, unknown>,
    ctx: {
      signal: AbortSignal;
      rowLimit: number;
      progress: (done: number, total: number, message: string) => void;
      /** The mode the hub allows this call; the agent runs it at the stricter of this and its own. */
      mode?: Mode;
      /** The guard rules the hub lets through; the agent allows only those it also does. */
      allow?: readonly GuardRule[];
      /** Who is calling; the agent's own configuration decides whether its cluster acts as them. */
      caller?: Caller;
      /** The hub's namespace and kind policy for the cluster; the agent applies it on top of its own. */
      scope?: readonly ScopeRules[];
    },
  ): Promise<unknown>;
}

/** The guard rules a cluster lets through: every rule in full mode, else the ones its policy names. */
export const allowedRules = (c: Pick<Cluster, "mode" | "allow">): ReadonlySet<GuardRule> =>
  c.mode === "full" ? new Set(GUARD_RULES) : c.allow;

/** What the write guard needs to know of a cluster. */
export const guardPolicy = (c: Cluster): GuardPolicy => ({
  cluster: c.name,
  mode: c.mode,
  allow: c.allow,
  revealSecrets: c.revealSecrets,
});

export const stricter = (a: Mode, b: Mode): Mode => (MODE_RANK[a] <= MODE_RANK[b] ? a : b);

/** What a CLI needs to act as kube-mcp's identity: the same credentials the REST client uses. */
export interface CredentialSource {
  get(signal?: AbortSignal): Promise<AuthMaterial>;
}

export type Connect = (spec: ClusterSpec) => { transport: Transport; credentials: CredentialSource };

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

export class Clusters {
  private byName = new Map<string, Cluster>();
  private remotes = new Map<string, Cluster>();
  private defaultName: string | undefined;

  constructor(
    private readonly config: Readonly<Config>,
    private readonly connect: Connect,
  ) {}

  /** Replaces the cluster set (initial load and kubeconfig reloads). Unchanged clusters keep their connections. */
  replace(specs: ClusterSpec[], defaultName?: string): void {
    const next = new Map<string, Cluster>();
    for (const spec of specs) {
      const prev = this.byName.get(spec.name);
      const same =
        prev &&
        prev.server === spec.server &&
        prev.origin === spec.origin &&
        prev.namespace === spec.namespace;
      next.set(spec.name, same && prev ? prev : this.make(spec));
    }
    this.byName = next;
    this.defaultName = defaultName && next.has(defaultName) ? defaultName : next.keys().next().value;
  }

  private make(spec: ClusterSpec): Cluster {
    const conn = this.connect(spec);
    const policy = this.config.clusters[spec.name] ?? {};
    const globalMode = this.config.mode ?? "non-destructive";
    const scope = Scope.of(spec.name, this.config, policy);
    const cluster: Cluster = {
      name: spec.name,
      source: spec.source,
      origin: spec.origin,
      server: spec.server,
      namespace: this.config.kube.namespace ?? spec.namespace,
      mode: policy.mode ? stricter(globalMode, policy.mode) : globalMode,
      revealSecrets: policy.revealSecrets ?? this.config.revealSecrets,
      allow: new Set(policy.allow ?? []),
      api: new KubeApi(spec.name, conn.transport, undefined, scope),
      spec,
      credentials: conn.credentials,
      identity: policy.identity ?? this.config.identity,
      scope,
    };
    this.transports.set(cluster, conn.transport);
    return cluster;
  }

  private readonly transports = new WeakMap<Cluster, Transport>();
  /** One API per cluster and person, so discovery is cached per person (it too is asked as them). */
  private readonly personal = new WeakMap<Cluster, Map<string, KubeApi>>();

  /** `c` as `caller` sees it: unchanged in service mode; impersonating, or refusing every request, otherwise. */
  private seenBy(c: Cluster, caller: Caller): Cluster {
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
    for (const [t, v] of this.tokens) if (v.expires <= now) this.tokens.delete(t);
    let v = this.tokens.get(token);
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
        view: {
          spec,
          credentials: conn.credentials,
          api: new KubeApi(c.name, conn.transport, actor, c.scope),
        },
      };
      if (this.tokens.size >= 256) this.tokens.delete(this.tokens.keys().next().value as string);
      this.tokens.set(token, v);
    }
    return { ...c, ...v.view };
  }

  /** Connections built on callers' tokens (passthrough), by token, until it expires. */
  private readonly tokens = new Map<
    string,
    { expires: number; view: Pick<Cluster, "spec" | "credentials" | "api"> }
  >();

  /**
   * An agent's cluster: every call carries the caller, and the AGENT's configuration decides whether it
   * acts as them (`c.identity` is what the agent reported). The hub's configuration can only insist: a
   * cluster it says impersonates is refused while its agent acts as its own account.
   */
  private remoteSeenBy(c: Cluster, remote: RemoteRunner, caller: Caller): Cluster {
    const wanted = this.config.clusters[c.name]?.identity ?? this.config.identity;
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

  /** Sets the clusters reached through agents (hub). A local cluster of the same name wins. */
  setRemote(clusters: Cluster[]): void {
    this.remotes = new Map(clusters.filter((c) => !this.byName.has(c.name)).map((c) => [c.name, c]));
  }

  /**
   * A view for one caller allowed less than the server's mode (an OAuth token's scope): the same live
   * clusters, each at the stricter of its own mode and `cap`.
   */
  capped(cap: Mode): Clusters {
    const view = Object.create(this) as Clusters;
    view.cap = cap;
    return view;
  }

  /**
   * A view for one caller: clusters in impersonate mode act as that caller, or refuse it; calls to agents
   * carry it. Where nothing is configured to impersonate and no agent is known (or for stdio), every
   * cluster is as it is: no view, no per-call copies.
   */
  as(caller: Caller): Clusters {
    // Agents decide for themselves whether to impersonate, so a hub's calls to them always carry the caller.
    const matters = callersMatter(this.config) || this.remotes.size;
    if (!matters || caller.kind === "stdio") return this;
    const view = Object.create(this) as Clusters;
    view.caller = caller;
    return view;
  }

  private cap: Mode | undefined;
  private caller: Caller | undefined;

  private get known(): Map<string, Cluster> {
    const all = this.remotes.size ? new Map([...this.byName, ...this.remotes]) : this.byName;
    const { cap, caller } = this;
    if (!cap && !caller) return all;
    return new Map(
      [...all].map(([name, root]) => {
        const c = caller ? this.seenBy(root, caller) : root;
        return [name, cap ? { ...c, mode: stricter(c.mode, cap) } : c];
      }),
    );
  }

  all(): Cluster[] {
    return [...this.known.values()];
  }

  get default(): string | undefined {
    return this.defaultName ?? this.remotes.keys().next().value;
  }

  /** Resolves a tool's `cluster` argument: a name, a list of names, or "*" (all). Unset means the default. */
  select(arg: string | string[] | undefined): Cluster[] {
    const known = this.known;
    if (known.size === 0) {
      throw new ToolError(
        "No clusters are configured.",
        "Set KUBECONFIG (or KUBECONFIG_YAML, or K8S_SERVER + K8S_TOKEN) for kube-mcp and restart it, or fix the kubeconfig it reads.",
      );
    }
    // An empty list names no cluster: asking the default one instead would answer a question not asked.
    if (Array.isArray(arg) && arg.length === 0)
      throw new ToolError(
        "cluster is an empty list: it names no cluster.",
        `Omit cluster for the default (${this.default}), name one or several (${[...known.keys()].slice(0, 5).join(", ")}), or pass "*" for all.`,
      );
    if (arg === undefined) arg = this.default as string;
    const names = arg === "*" || (Array.isArray(arg) && arg.includes("*")) ? [...known.keys()] : [arg].flat();
    const unknown = names.filter((n) => !known.has(n));
    if (unknown.length) {
      throw new ToolError(
        `Unknown cluster${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}.`,
        `Known clusters: ${[...known.keys()].join(", ")}. Use one of these names, a list of them, or "*" for all.`,
      );
    }
    return [...new Set(names)].map((n) => known.get(n) as Cluster);
  }
}

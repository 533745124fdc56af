// The registry of clusters every cluster-scoped tool can target, by name, list or "*". It holds no
// "current context" a caller could change under another: the default only applies when a call names none.

import { clusterPolicy } from "../config/cluster-policy.js";
import type { Config, Mode } from "../config/schema.js";
import { ToolError } from "../errors.js";
import { KubeApi, type Transport } from "../kube/api.js";
import type { Connection, CredentialSource } from "../kube/connection.js";
import type { ClusterSource, ClusterSpec } from "../kube/types.js";
import type { GuardPolicy } from "../policy/guard.js";
import { type Caller, callersMatter, type IdentityMode } from "../policy/identity.js";
import { stricter } from "../policy/modes.js";
import { GUARD_RULES, type GuardRule } from "../policy/rules.js";
import { Scope, type ScopeRules } from "../policy/scope.js";
import { workloadIdentity } from "./capi.js";
import { CallerViews } from "./views.js";

/** A cluster as tools see it: the connection kube/ uses, and the policy and provenance around it. */
export interface Cluster extends Connection {
  source: ClusterSource;
  origin: string;
  server: string;
  namespace: string;
  mode: Mode;
  revealSecrets: boolean;
  /** Guard rules this cluster's policy lets through in non-destructive mode. */
  allow: ReadonlySet<GuardRule>;
  api: KubeApi;
  /** Set for a cluster reached through its agent (hub): tool cores run there, not here. */
  remote?: RemoteRunner;
  /** How the cluster sees callers: kube-mcp's own identity (default) or each caller, impersonated. */
  identity?: IdentityMode;
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

export type Connect = (spec: ClusterSpec) => { transport: Transport; credentials: CredentialSource };

export class Clusters {
  private byName = new Map<string, Cluster>();
  private remotes = new Map<string, Cluster>();
  private defaultName: string | undefined;

  constructor(
    private readonly config: Readonly<Config>,
    private readonly connect: Connect,
  ) {
    this.views = new CallerViews(config, connect);
  }

  private readonly views: CallerViews;

  /** Replaces the cluster set (initial load and kubeconfig reloads). Unchanged clusters keep their connections. */
  replace(specs: ClusterSpec[], defaultName?: string): void {
    const next = new Map<string, Cluster>();
    for (const spec of specs) {
      const prev = this.byName.get(spec.name);
      const same =
        prev &&
        prev.server === spec.server &&
        prev.origin === spec.origin &&
        prev.namespace === spec.namespace &&
        prev.spec.revision === spec.revision;
      next.set(spec.name, same && prev ? prev : this.make(spec));
    }
    this.byName = next;
    this.personal = [...next.values()].some((c) => c.identity && c.identity !== "service");
    this.defaultName = defaultName && next.has(defaultName) ? defaultName : next.keys().next().value;
  }

  private make(spec: ClusterSpec): Cluster {
    const conn = this.connect(spec);
    const policy = clusterPolicy(this.config, spec.name) ?? {};
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
      identity: policy.identity ?? (spec.capi ? workloadIdentity(this.config) : this.config.identity),
      scope,
    };
    this.views.register(cluster, conn.transport);
    return cluster;
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
    const matters = callersMatter(this.config) || this.remotes.size || this.personal;
    if (!matters || caller.kind === "stdio") return this;
    const view = Object.create(this) as Clusters;
    view.caller = caller;
    return view;
  }

  /** Whether a cluster sees callers as themselves although the configuration does not say so (CAPI). */
  private personal = false;
  private cap: Mode | undefined;
  private caller: Caller | undefined;

  /** Every cluster as it is, local ones first (a local cluster of an agent's name wins). */
  private get known(): Map<string, Cluster> {
    return this.remotes.size ? new Map([...this.byName, ...this.remotes]) : this.byName;
  }

  /** `root` as this view's caller sees it. Built only for the clusters a call selects: a call to one of a
   * thousand agents' clusters makes one copy, not a thousand. */
  private seen(root: Cluster): Cluster {
    const { cap, caller } = this;
    const c = caller ? this.views.seenBy(root, caller) : root;
    return cap ? { ...c, mode: stricter(c.mode, cap) } : c;
  }

  all(): Cluster[] {
    return [...this.known.values()].map((c) => this.seen(c));
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
    return [...new Set(names)].map((n) => this.seen(known.get(n) as Cluster));
  }
}

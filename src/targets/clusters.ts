// The registry of clusters every cluster-scoped tool can target, by name, list or "*". It holds no
// "current context" a caller could change under another: the default only applies when a call names none.
import type { Config, Mode } from "../config/schema.js";
import { KubeApi, type Transport } from "../kube/api.js";
import type { AuthMaterial } from "../kube/credentials.js";
import type { ClusterSource, ClusterSpec } from "../kube/types.js";
import { ToolError } from "../tools/define.js";

export interface Cluster {
  name: string;
  source: ClusterSource;
  origin: string;
  server: string;
  namespace: string;
  mode: Mode;
  revealSecrets: boolean;
  api: KubeApi;
  /** Connection details, for pinning a CLI to this cluster; holds credentials, so never shown. */
  spec: ClusterSpec;
  credentials: CredentialSource;
}

const strictness: Record<Mode, number> = { "read-only": 0, "non-destructive": 1, full: 2 };
export const stricter = (a: Mode, b: Mode): Mode => (strictness[a] <= strictness[b] ? a : b);

/** What a CLI needs to act as kube-mcp's identity: the same credentials the REST client uses. */
export interface CredentialSource {
  get(signal?: AbortSignal): Promise<AuthMaterial>;
}

export type Connect = (spec: ClusterSpec) => { transport: Transport; credentials: CredentialSource };

export class Clusters {
  private byName = new Map<string, Cluster>();
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
    return {
      name: spec.name,
      source: spec.source,
      origin: spec.origin,
      server: spec.server,
      namespace: this.config.kube.namespace ?? spec.namespace,
      mode: policy.mode ? stricter(globalMode, policy.mode) : globalMode,
      revealSecrets: policy.revealSecrets ?? this.config.revealSecrets,
      api: new KubeApi(spec.name, conn.transport),
      spec,
      credentials: conn.credentials,
    };
  }

  all(): Cluster[] {
    return [...this.byName.values()];
  }

  get default(): string | undefined {
    return this.defaultName;
  }

  /** Resolves a tool's `cluster` argument: a name, a list of names, or "*" (all). Unset means the default. */
  select(arg: string | string[] | undefined): Cluster[] {
    if (this.byName.size === 0) {
      throw new ToolError(
        "No clusters are configured.",
        "Set KUBECONFIG (or KUBECONFIG_YAML, or K8S_SERVER + K8S_TOKEN) for kube-mcp and restart it, or fix the kubeconfig it reads.",
      );
    }
    if (arg === undefined || (Array.isArray(arg) && arg.length === 0)) arg = this.defaultName as string;
    const names =
      arg === "*" || (Array.isArray(arg) && arg.includes("*")) ? [...this.byName.keys()] : [arg].flat();
    const unknown = names.filter((n) => !this.byName.has(n));
    if (unknown.length) {
      throw new ToolError(
        `Unknown cluster${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}.`,
        `Known clusters: ${[...this.byName.keys()].join(", ")}. Use one of these names, a list of them, or "*" for all.`,
      );
    }
    return [...new Set(names)].map((n) => this.byName.get(n) as Cluster);
  }
}

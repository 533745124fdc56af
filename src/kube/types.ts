// The shapes shared by everything that talks to a Kubernetes API server. A ClusterSpec says where a
// cluster is and how to authenticate; it carries credentials, so it never leaves the process and no
// tool output ever includes more than its name, server URL, source and namespace.

/** Where a cluster definition came from (shown to the model; never includes secrets). */
export type ClusterSource = "kubeconfig" | "env" | "in-cluster" | "agent" | "capi";

/** A Cluster API workload cluster, as its management cluster describes it. */
export interface CapiInfo {
  management: string;
  namespace: string;
  name: string;
  phase: string;
  version: string;
  provider: string;
  /** Why it cannot be used (not provisioned, no usable kubeconfig Secret); unset when it can. */
  problem?: string;
  /** Reached with its CA only (`capi.credentials: ca`): kube-mcp holds no credentials of its own for it. */
  caOnly?: boolean;
}

export interface ExecConfig {
  command: string;
  args: string[];
  env: { name: string; value: string }[];
  apiVersion: string;
  /** Whether the plugin may prompt; we never give it a terminal, so "Always" plugins fail clearly. */
  interactiveMode?: "Never" | "IfAvailable" | "Always";
  /** kubeconfig `provideClusterInfo`: pass the cluster in KUBERNETES_EXEC_INFO. */
  provideClusterInfo?: boolean;
  /** Directory relative paths (command, files) are resolved against: the kubeconfig's directory. */
  baseDir?: string;
  /** kubeconfig `installHint`: shown when the command cannot be found. */
  installHint?: string;
}

export interface AuthSpec {
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  clientCert?: Buffer;
  clientKey?: Buffer;
  exec?: ExecConfig;
  /** Unsupported legacy auth-provider (e.g. gcp, azure, oidc): kept so calls can fail with a clear message. */
  authProvider?: string;
}

export interface ClusterSpec {
  /** Unique name: the kubeconfig context name, or the env/in-cluster source's name. */
  name: string;
  source: ClusterSource;
  /** Human-readable origin without secrets, e.g. "/home/me/.kube/config" or "KUBECONFIG_YAML". */
  origin: string;
  server: string;
  /** Default namespace for namespaced calls that do not name one. */
  namespace: string;
  tls: { ca?: Buffer; insecure: boolean; serverName?: string };
  proxyUrl?: string;
  auth: AuthSpec;
  /** Set for a cluster found through a Cluster API management cluster. */
  capi?: CapiInfo;
  /**
   * Changes when the connection must be rebuilt although server and origin did not (rotated
   * credentials in a Cluster API Secret); a digest, never the credentials.
   */
  revision?: string;
}

export interface KubeRequest {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Absolute API path, e.g. "/api/v1/namespaces/default/pods". */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
  /** Per-request deadline; the request is aborted and rejects with a Timeout KubeApiError after it. */
  timeoutMs?: number;
}

export interface KubeResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

// Cluster API federation: the workload clusters a management cluster knows (`clusters.cluster.x-k8s.io`,
// v1beta2 or v1beta1), each reached with the admin kubeconfig CAPI keeps in the `<name>-kubeconfig`
// Secret. Named `<namespace>/<name>` (prefixed `<management>:` when there are several management
// clusters). A Secret's kubeconfig may only carry inline credentials: exec plugins, auth providers and
// file references would run or read things on kube-mcp's host on the say-so of whoever can write that
// Secret. The kubeconfig itself never leaves this module: only the connection built from it does.
import { createHash, X509Certificate } from "node:crypto";
import type { Config, IdentityMode } from "../config/schema.js";
import { parseKubeconfig } from "../kube/kubeconfig.js";
import type { CapiInfo, ClusterSpec } from "../kube/types.js";
import type { WatchTarget } from "./capi-watch.js";
import type { Cluster } from "./clusters.js";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown) => (typeof v === "string" ? v : undefined);

export interface CapiOptions {
  /** Namespace globs (`*` matches any run of characters); default every namespace. */
  namespaces: readonly string[];
  /** Prefix names with the management cluster's (more than one management cluster). */
  prefix: boolean;
  /** How workload clusters are reached: the admin kubeconfig, or their CA and each caller's token. */
  credentials?: "kubeconfig" | "ca";
  /** The `host:port` globs a workload cluster's API server may be at (unset: any). */
  endpoints?: readonly string[];
}

const glob = (pattern: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*")}$`);

const CLUSTER_PATHS = ["v1beta2", "v1beta1"].map((v) => `/apis/cluster.x-k8s.io/${v}/clusters`);
/** The Secrets discovery reads, by name: a workload cluster's kubeconfig (and its CA). */
const SECRET_SUFFIXES = ["-kubeconfig", "-ca"];

/** What to watch on a management cluster so discovery runs again when something it reads changes. */
export function capiWatchTargets(namespaces: readonly string[]): WatchTarget[] {
  const allowed = namespaces.map(glob);
  const inScope = (ns: string) => allowed.some((re) => re.test(ns));
  const secrets = (ns?: string): WatchTarget => ({
    paths: [ns ? `/api/v1/namespaces/${encodeURIComponent(ns)}/secrets` : "/api/v1/secrets"],
    what: ns ? `kubeconfig Secrets in ${ns}` : "kubeconfig Secrets",
    relevant: (n, name) => inScope(n) && SECRET_SUFFIXES.some((x) => name.endsWith(x)),
  });
  // Named namespaces are watched one by one, so an account allowed Secrets only there (a Role in
  // each, as the agent chart grants) can watch them; a glob needs every namespace's Secrets.
  const literal = namespaces.length <= 20 && namespaces.every((n) => !n.includes("*"));
  return [
    { paths: CLUSTER_PATHS, what: "Cluster objects", relevant: (ns) => inScope(ns) },
    ...(literal ? namespaces.map((ns) => secrets(ns)) : [secrets()]),
  ];
}

/**
 * Changes whenever what a workload cluster is built from does (its kubeconfig, phase, problem), so the
 * registry replaces its connection when CAPI rotates the credentials behind an unchanged server URL.
 * A digest, kept in memory only: it says "changed", never what.
 */
const revisionOf = (...parts: unknown[]) =>
  createHash("sha256").update(JSON.stringify(parts)).digest("base64url").slice(0, 22);

/** Key names in a kubeconfig that reach outside it: refused in a Secret's kubeconfig. */
const OUTSIDE = [
  "exec",
  "auth-provider",
  "tokenFile",
  "certificate-authority",
  "client-certificate",
  "client-key",
];

function outsideRefs(v: unknown, path = ""): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => outsideRefs(x, `${path}[${i}]`));
  if (!v || typeof v !== "object") return [];
  return Object.entries(v as Obj).flatMap(([k, x]) =>
    OUTSIDE.includes(k) ? [k] : outsideRefs(x, path ? `${path}.${k}` : k),
  );
}

async function listClusters(mgmt: Cluster, signal: AbortSignal): Promise<Obj[]> {
  for (const path of CLUSTER_PATHS) {
    try {
      const list = await mgmt.api.unscoped().json<{ items?: Obj[] }>({
        path,
        signal,
      });
      return list.items ?? [];
    } catch (err) {
      if ((err as { status?: number }).status !== 404) throw err;
    }
  }
  throw new Error(
    `cluster ${mgmt.name} serves no Cluster API (clusters.cluster.x-k8s.io): is it a management cluster?`,
  );
}

function describe(mgmt: Cluster, c: Obj, name: string): CapiInfo {
  const meta = obj(c.metadata);
  const spec = obj(c.spec);
  const status = obj(c.status);
  const ready = (Array.isArray(status.conditions) ? status.conditions : []).some(
    (x) => obj(x).type === "Ready" && obj(x).status === "True",
  );
  const phase = str(status.phase) ?? (ready ? "Provisioned" : "Unknown");
  const info: CapiInfo = {
    management: mgmt.name,
    namespace: str(meta.namespace) ?? "default",
    name,
    phase,
    version: str(obj(spec.topology).version) ?? str(status.version) ?? "-",
    provider: str(obj(spec.infrastructureRef).kind) ?? "-",
  };
  if (phase !== "Provisioned" && !ready) info.problem = `not provisioned yet (phase ${phase})`;
  return info;
}

/** One key of a Secret on the management cluster, or why it cannot be had (never the content). */
async function secretValue(
  mgmt: Cluster,
  ns: string,
  secretName: string,
  key: string,
  what: string,
  signal: AbortSignal,
): Promise<{ value: Buffer } | { problem: string }> {
  try {
    const secret = await mgmt.api.unscoped().json<{ data?: Record<string, string> }>({
      path: `/api/v1/namespaces/${encodeURIComponent(ns)}/secrets/${encodeURIComponent(secretName)}`,
      signal,
    });
    const value = secret.data?.[key];
    if (!value) return { problem: `its ${what} Secret ${ns}/${secretName} has no "${key}" key` };
    return { value: Buffer.from(value, "base64") };
  } catch (err) {
    const status = (err as { status?: number }).status;
    return {
      problem:
        status === 404
          ? `no ${what} Secret ${ns}/${secretName} on ${mgmt.name}`
          : `its ${what} Secret ${ns}/${secretName} cannot be read (${status ?? (err as Error).message})`,
    };
  }
}

/**
 * Why an API server URL is not one `capi.endpoints` allows (undefined when it is, or none are set).
 * Whoever writes a Cluster or its Secret chooses the server; the endpoints say where kube-mcp will go.
 */
function outsideEndpoints(server: string, o: CapiOptions): string | undefined {
  if (!o.endpoints?.length) return undefined;
  let hostPort: string;
  try {
    const url = new URL(server);
    hostPort = `${url.hostname}:${url.port || (url.protocol === "http:" ? "80" : "443")}`;
  } catch {
    return "its API server is not a URL";
  }
  return o.endpoints.some((g) => glob(g).test(hostPort))
    ? undefined
    : `its API server ${hostPort} is not in capi.endpoints (kube-mcp connects only there)`;
}

/**
 * CA-only (`capi.credentials: ca`): the API server from the Cluster's `spec.controlPlaneEndpoint`,
 * trusted through the certificate in its `<name>-ca` Secret; kube-mcp brings no credentials, each caller
 * its own token. Only `tls.crt` is kept (that Secret also holds the CA's key, which is dropped unread).
 * Whoever writes the Cluster decides where callers' tokens go, so `capi.endpoints` can pin the hosts.
 */
async function caOnly(
  mgmt: Cluster,
  c: Obj,
  ns: string,
  capiName: string,
  o: CapiOptions,
  signal: AbortSignal,
): Promise<{ server: string; ca: Buffer } | { problem: string }> {
  const ep = obj(obj(c.spec).controlPlaneEndpoint);
  const host = str(ep.host);
  const port = typeof ep.port === "number" ? ep.port : 6443;
  if (!host) return { problem: "its Cluster has no spec.controlPlaneEndpoint yet" };
  let server: string;
  try {
    const url = new URL(`https://${host.includes(":") ? `[${host}]` : host}:${port}`);
    if (url.pathname !== "/" || url.username || url.search) throw new Error();
    server = url.origin;
  } catch {
    return { problem: "its Cluster's spec.controlPlaneEndpoint is not a host and port" };
  }
  const outside = outsideEndpoints(server, o);
  if (outside) return { problem: outside };
  const read = await secretValue(mgmt, ns, `${capiName}-ca`, "tls.crt", "CA", signal);
  if ("problem" in read) return read;
  try {
    new X509Certificate(read.value);
  } catch {
    return { problem: `its CA Secret ${ns}/${capiName}-ca does not hold a PEM certificate in tls.crt` };
  }
  return { server, ca: read.value };
}

/** A connection spec for one workload cluster, or its problem (then every call to it says why). */
async function workload(mgmt: Cluster, c: Obj, o: CapiOptions, signal: AbortSignal): Promise<ClusterSpec> {
  const meta = obj(c.metadata);
  const ns = str(meta.namespace) ?? "default";
  const capiName = str(meta.name) ?? "";
  const name = `${o.prefix ? `${mgmt.name}:` : ""}${ns}/${capiName}`;
  const info = describe(mgmt, c, capiName);
  const broken = (problem: string): ClusterSpec => ({
    name,
    source: "capi",
    origin: `Cluster ${ns}/${capiName} on ${mgmt.name}`,
    server: "-",
    namespace: "default",
    tls: { insecure: false },
    auth: {},
    capi: { ...info, problem },
    revision: revisionOf(info, problem),
  });
  if (info.problem) return broken(info.problem);
  const origin = `Cluster ${ns}/${capiName} on ${mgmt.name}`;
  if (o.credentials === "ca") {
    const r = await caOnly(mgmt, c, ns, capiName, o, signal);
    return "problem" in r
      ? broken(r.problem)
      : {
          name,
          source: "capi",
          origin,
          server: r.server,
          namespace: "default",
          tls: { ca: r.ca, insecure: false },
          auth: {},
          capi: { ...info, caOnly: true },
          revision: revisionOf(info, r.server, r.ca.toString("base64")),
        };
  }
  const secretName = `${capiName}-kubeconfig`;
  const read = await secretValue(mgmt, ns, secretName, "value", "kubeconfig", signal);
  if ("problem" in read) return broken(read.problem);
  const text = read.value.toString("utf8");
  try {
    const { parse } = await import("yaml");
    const refs = [...new Set(outsideRefs(parse(text)))];
    if (refs.length)
      return broken(
        `its kubeconfig uses ${refs.join(", ")}: kube-mcp accepts only inline credentials from a Secret (no plugins, no files)`,
      );
    const parsed = parseKubeconfig(text, {
      origin: `Secret ${ns}/${secretName} on ${mgmt.name}`,
      baseDir: "/nonexistent",
    });
    const current = parsed.clusters.find((x) => x.name === parsed.currentContext) ?? parsed.clusters[0];
    if (!current)
      return broken(
        // The parser's warnings name users and clusters from the Secret: only the fact leaves.
        "its kubeconfig has no usable context",
      );
    const outside = outsideEndpoints(current.server, o);
    if (outside) return broken(outside);
    return {
      ...current,
      name,
      source: "capi",
      origin,
      capi: info,
      revision: revisionOf(info, text),
    };
  } catch {
    // The parser's words could quote the kubeconfig: only the fact leaves.
    return broken(`its kubeconfig Secret ${ns}/${secretName} does not hold a usable kubeconfig`);
  }
}

/**
 * How a workload cluster sees callers when no `clusters:` entry says: CA-only clusters can only be
 * reached with the caller's token; with the admin kubeconfig, a server whose callers can have an
 * identity (OAuth, API keys with a user) impersonates them, so that kubeconfig is never every caller's.
 */
export function workloadIdentity(config: Readonly<Config>): IdentityMode {
  if (config.capi?.credentials === "ca") return "passthrough";
  if (config.identity !== "service") return config.identity;
  return config.http.oauth || config.http.apiKeys.some((k) => k.user) ? "impersonate" : "service";
}

/** Every workload cluster of these management clusters, in the allowed namespaces. */
export async function discoverWorkloads(
  managers: Cluster[],
  o: CapiOptions,
  signal: AbortSignal,
): Promise<{ specs: ClusterSpec[]; warnings: string[] }> {
  const allowed = o.namespaces.map(glob);
  const specs: ClusterSpec[] = [];
  const warnings: string[] = [];
  for (const mgmt of managers) {
    try {
      const items = (await listClusters(mgmt, signal)).filter((c) =>
        allowed.some((re) => re.test(str(obj(c.metadata).namespace) ?? "")),
      );
      specs.push(...(await Promise.all(items.map((c) => workload(mgmt, c, o, signal)))));
    } catch (err) {
      warnings.push(`Cluster API on ${mgmt.name}: ${(err as Error).message}`);
    }
  }
  return { specs, warnings };
}

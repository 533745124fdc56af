// Gathers every cluster this process can reach, from all sources at once: kubeconfig files, inline
// kubeconfig text, K8S_SERVER/K8S_TOKEN, and the in-cluster service account. The environment is
// passed in, never read here, so tests and the config layer decide what counts.
import { existsSync, readFileSync, type Stats, unwatchFile, watchFile } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { type KubeconfigResult, loadKubeconfigFiles, mergeKubeconfigs } from "./kubeconfig.js";
import type { ClusterSpec } from "./types.js";

export type Env = Record<string, string | undefined>;

export interface SourceOptions {
  /** Only these cluster names are kept (an allowlist from config); unset keeps all. */
  contexts?: string[];
  /** Where `~` points; defaults to the OS home directory. */
  homeDir?: string;
  /** Relative paths in inline kubeconfig text resolve against this; defaults to the process cwd. */
  cwd?: string;
  /** The mounted service-account directory; a parameter so tests can point it elsewhere. */
  serviceAccountDir?: string;
}

export interface ClusterSources {
  clusters: ClusterSpec[];
  defaultCluster?: string;
  warnings: string[];
  /** Kubeconfig files that were read, to watch for changes. */
  files: string[];
}

export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export function gatherClusters(env: Env, opts: SourceOptions = {}): ClusterSources {
  const home = opts.homeDir ?? homedir();
  const warnings: string[] = [];
  const fromFiles = kubeconfigFiles(env, home, warnings);
  const inline = (key: "KUBECONFIG_YAML" | "KUBECONFIG_JSON"): KubeconfigResult | undefined => {
    const text = env[key];
    if (!text?.trim()) return undefined;
    return mergeKubeconfigs([{ text, origin: key, baseDir: opts.cwd ?? process.cwd() }]);
  };
  const results = [fromFiles, inline("KUBECONFIG_YAML"), inline("KUBECONFIG_JSON")].filter(
    (r): r is KubeconfigResult => r !== undefined,
  );
  const candidates = [
    ...results.flatMap((r) => r.clusters),
    ...envCluster(env, warnings),
    // KUBE_MCP_SERVICE_ACCOUNT_DIR: an in-cluster-style run outside a pod (tests, local agent trials).
    ...inCluster(env, opts.serviceAccountDir ?? env.KUBE_MCP_SERVICE_ACCOUNT_DIR ?? SERVICE_ACCOUNT_DIR),
  ];
  warnings.push(...results.flatMap((r) => r.warnings));

  const byName = new Map<string, ClusterSpec>();
  for (const spec of candidates) {
    const first = byName.get(spec.name);
    if (first)
      warnings.push(
        `cluster "${spec.name}" from ${spec.origin} is ignored: ${first.origin} defines it first`,
      );
    else byName.set(spec.name, spec);
  }
  let clusters = [...byName.values()];
  if (opts.contexts) {
    const allowed = new Set(opts.contexts);
    clusters = clusters.filter((c) => allowed.has(c.name));
    const missing = opts.contexts.filter((n) => !byName.has(n));
    if (missing.length) warnings.push(`allowed contexts not found in any source: ${missing.join(", ")}`);
  }
  const ns = env.K8S_NAMESPACE?.trim();
  if (ns) clusters = clusters.map((c) => ({ ...c, namespace: ns }));

  const known = (n?: string) => (n && clusters.some((c) => c.name === n) ? n : undefined);
  const fallback = known(results.map((r) => r.currentContext).find(known)) ?? clusters[0]?.name;
  let defaultCluster = fallback;
  const wanted = env.K8S_CONTEXT?.trim();
  if (wanted && known(wanted)) defaultCluster = wanted;
  else if (wanted)
    warnings.push(`K8S_CONTEXT "${wanted}" is not a known cluster; the default is ${fallback ?? "unset"}`);
  return { clusters, defaultCluster, warnings, files: fromFiles?.files ?? [] };
}

const expandHome = (p: string, home: string) =>
  p === "~" || p.startsWith("~/") ? join(home, p.slice(1)) : p;

function kubeconfigFiles(env: Env, home: string, warnings: string[]) {
  // MCP clients launch servers without a shell, so `~` in these variables is never expanded for us.
  const list = env.KUBECONFIG?.split(delimiter).filter((p) => p.trim() !== "");
  const named = list?.length ? list : env.KUBECONFIG_PATH?.trim() ? [env.KUBECONFIG_PATH.trim()] : undefined;
  const paths = (named ?? [join(home, ".kube", "config")]).map((p) => expandHome(p, home));
  const loaded = loadKubeconfigFiles(paths);
  if (named && loaded.files.length === 0 && loaded.warnings.length === 0)
    warnings.push(
      `no kubeconfig found at ${paths.join(", ")} (from ${list?.length ? "KUBECONFIG" : "KUBECONFIG_PATH"})`,
    );
  return loaded;
}

function envCluster(env: Env, warnings: string[]): ClusterSpec[] {
  const server = env.K8S_SERVER?.trim();
  const token = env.K8S_TOKEN?.trim();
  if (!server && !token) return [];
  if (!server || !token) {
    warnings.push(
      `${server ? "K8S_SERVER" : "K8S_TOKEN"} is set without ${server ? "K8S_TOKEN" : "K8S_SERVER"}; set both`,
    );
    return [];
  }
  const name = env.K8S_CLUSTER_NAME?.trim() || "env";
  if (!/^https?:\/\//.test(server)) {
    warnings.push(`K8S_SERVER "${server}" must be an http(s) URL; cluster "${name}" is skipped`);
    return [];
  }
  const caText = env.K8S_CA_DATA?.trim();
  // Accept the PEM itself as well as its base64, since both get pasted into MCP client configs.
  const ca = caText ? Buffer.from(caText, caText.startsWith("-----BEGIN") ? "utf8" : "base64") : undefined;
  if (ca && !ca.toString("utf8").includes("-----BEGIN CERTIFICATE-----")) {
    warnings.push(`K8S_CA_DATA is not a base64 PEM certificate; cluster "${name}" is skipped`);
    return [];
  }
  const insecure = /^(1|true|yes)$/i.test(env.K8S_SKIP_TLS_VERIFY?.trim() ?? "");
  return [
    {
      name,
      source: "env",
      origin: "K8S_SERVER",
      server,
      namespace: "default",
      tls: { ca, insecure },
      auth: { token },
    },
  ];
}

function inCluster(env: Env, dir: string): ClusterSpec[] {
  const host = env.KUBERNETES_SERVICE_HOST?.trim();
  const port = env.KUBERNETES_SERVICE_PORT?.trim();
  const tokenFile = join(dir, "token");
  if (!host || !port || !existsSync(tokenFile)) return [];
  const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f)) : undefined);
  return [
    {
      name: "in-cluster",
      source: "in-cluster",
      origin: dir,
      server: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
      namespace: read("namespace")?.toString("utf8").trim() || "default",
      tls: { ca: read("ca.crt"), insecure: false },
      // A file, not its contents: the kubelet rotates projected tokens in place.
      auth: { tokenFile },
    },
  ];
}

/**
 * Calls `onChange` (debounced) when any of `files` changes. Polls stat rather than using fs.watch so
 * that an editor's or kubectl's atomic rename-over still fires. Returns a function that stops watching.
 */
export function watchFiles(
  files: string[],
  onChange: () => void,
  opts: { intervalMs?: number; debounceMs?: number } = {},
): () => void {
  let timer: NodeJS.Timeout | undefined;
  const listener = (curr: Stats, prev: Stats) => {
    if (curr.mtimeMs === prev.mtimeMs && curr.ino === prev.ino && curr.size === prev.size) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, opts.debounceMs ?? 200);
    timer.unref();
  };
  for (const f of files) watchFile(f, { persistent: false, interval: opts.intervalMs ?? 1000 }, listener);
  return () => {
    clearTimeout(timer);
    for (const f of files) unwatchFile(f, listener);
  };
}

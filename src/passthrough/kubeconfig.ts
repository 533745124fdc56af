// A throwaway kubeconfig that pins a CLI to exactly one cluster with kube-mcp's own identity: one
// cluster, one user, one context, mode 0600 in a private directory, removed after the run. On a cluster
// that impersonates the caller, the user entry carries `as`/`as-groups`/`as-user-extra`: every client-go
// CLI (kubectl, helm, istioctl) then sends the impersonation headers itself, whatever the command, and
// the argv validator still refuses a caller's own --as, --as-group and --kube-as-user.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { EXTRA_KEY, type Impersonation } from "../policy/identity.js";
import type { Cluster } from "../targets/clusters.js";
import { type ScopeProxy, scopeProxy } from "./scope-proxy.js";

export interface Pinned {
  dir: string;
  kubeconfig: string;
  context: string;
  cleanup(): void;
}

function user(
  auth: Awaited<ReturnType<Cluster["credentials"]["get"]>>,
  as?: Impersonation,
): Record<string, unknown> {
  const u: Record<string, unknown> = {};
  if (as) {
    u.as = as.user;
    if (as.groups.length) u["as-groups"] = [...as.groups];
    u["as-user-extra"] = { [EXTRA_KEY]: [as.via] };
  }
  const header = auth.headers.Authorization ?? auth.headers.authorization ?? "";
  if (header.startsWith("Bearer ")) u.token = header.slice(7);
  if (header.startsWith("Basic ")) {
    const [name, ...pw] = Buffer.from(header.slice(6), "base64").toString().split(":");
    u.username = name ?? "";
    u.password = pw.join(":");
  }
  if (auth.cert && auth.key) {
    u["client-certificate-data"] = auth.cert.toString("base64");
    u["client-key-data"] = auth.key.toString("base64");
  }
  return u;
}

export async function pinCluster(cluster: Cluster, signal: AbortSignal): Promise<Pinned> {
  // First, so a caller refused on this cluster (identity) is told so before any CLI runs.
  const auth = await cluster.credentials.get(signal);
  if (cluster.scope?.active) return pinToProxy(cluster, await scopeProxy(cluster));
  const dir = mkdtempSync(join(tmpdir(), "kube-mcp-cli-"));
  const { spec } = cluster;
  const c: Record<string, unknown> = { server: spec.server };
  if (spec.tls.ca) c["certificate-authority-data"] = spec.tls.ca.toString("base64");
  if (spec.tls.insecure) c["insecure-skip-tls-verify"] = true;
  if (spec.tls.serverName) c["tls-server-name"] = spec.tls.serverName;
  if (spec.proxyUrl) c["proxy-url"] = spec.proxyUrl;
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "target", cluster: c }],
      users: [{ name: "target", user: user(auth, cluster.impersonate) }],
      contexts: [
        { name: "target", context: { cluster: "target", user: "target", namespace: cluster.namespace } },
      ],
      "current-context": "target",
    }),
    { mode: 0o600 },
  );
  return { dir, kubeconfig, context: "target", cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The CLI talks to the run's policy proxy, which holds the identity (credentials and impersonation). */
function pinToProxy(cluster: Cluster, proxy: ScopeProxy): Pinned {
  const dir = mkdtempSync(join(tmpdir(), "kube-mcp-cli-"));
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "target", cluster: { server: proxy.url } }],
      users: [{ name: "target", user: {} }],
      contexts: [
        { name: "target", context: { cluster: "target", user: "target", namespace: cluster.namespace } },
      ],
      "current-context": "target",
    }),
    { mode: 0o600 },
  );
  return {
    dir,
    kubeconfig,
    context: "target",
    cleanup: () => {
      proxy.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

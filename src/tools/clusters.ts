// clusters_list: every cluster kube-mcp can reach, probed in parallel.
import * as z from "zod";
import { fenceUntrusted } from "../format/fence.js";
import { renderTable } from "../format/table.js";
import type { CapiInfo } from "../kube/types.js";
import { identityLabel } from "../policy/identity.js";
import type { Cluster } from "../targets/clusters.js";
import { fanOut, type Settled } from "../targets/fanout.js";
import { TableOutput } from "./cluster-tool.js";
import { defineTool, type ToolEnv } from "./define.js";

/** Each cluster's /version, probed in parallel with a short deadline: reachable or why not. */
export function probeVersions(clusters: Cluster[], env: ToolEnv) {
  const fanout = { ...env.config.fanout, clusterTimeoutMs: PROBE_MS };
  return fanOut(clusters, { ...env, config: { ...env.config, fanout } }, (c, signal) =>
    c.api.json<{ gitVersion?: string }>({ path: "/version", signal, timeoutMs: PROBE_MS }),
  );
}

const PROBE_MS = 5_000;

/** A Cluster API workload cluster's source: its management cluster, phase and infrastructure. */
export const capiLabel = (i: Pick<CapiInfo, "management" | "phase" | "provider" | "version">) =>
  `capi (${i.management}: ${i.phase}, ${i.provider}${i.version !== "-" ? `, ${i.version}` : ""})`;
export const capiSource = (c: Cluster) => (c.spec.capi ? capiLabel(c.spec.capi) : undefined);

const COLUMNS = [
  "name",
  "source",
  "server",
  "version",
  "reachable",
  "namespace",
  "mode",
  "identity",
  "policy",
];

const NONE =
  "No clusters are configured: set KUBECONFIG (or KUBECONFIG_YAML, or K8S_SERVER + K8S_TOKEN) and restart.";

/** One row per cluster: how it is reached, what its /version probe said, how it is governed. */
const row = (s: Settled<{ gitVersion?: string }>, defaultName: string | undefined) => [
  s.cluster.name + (s.cluster.name === defaultName ? " (default)" : ""),
  capiSource(s.cluster) ?? s.cluster.source,
  s.cluster.server,
  s.value?.gitVersion ?? "-",
  s.error ? `no: ${s.error}` : "yes",
  s.cluster.namespace,
  s.cluster.mode,
  identityLabel(s.cluster),
  s.cluster.scope?.summary() ?? "-",
];

export const clustersList = defineTool({
  name: "clusters_list",
  toolset: "core",
  title: "List clusters",
  description:
    "The clusters this server reaches (kubeconfig contexts, env credentials, in-cluster): name, source, version, reachability, default namespace, mode. Start here.",
  safety: "read",
  input: z.object({}),
  output: TableOutput,
  async handle(_args, env) {
    const settled = await probeVersions(env.clusters.all(), env);
    const rows = settled.map((s) => row(s, env.clusters.default));
    const notes = settled.length ? [] : [NONE];
    // Versions and probe errors are what each server answered.
    const text = rows.length
      ? fenceUntrusted("clusters and their /version answers", renderTable(COLUMNS, rows))
      : NONE;
    const clusters = settled.map((s) => ({
      cluster: s.cluster.name,
      ok: !s.error,
      ...(s.error ? { error: s.error } : {}),
    }));
    return { text, data: { columns: COLUMNS, rows, clusters, truncated: false, notes } };
  },
});

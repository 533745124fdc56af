// The hub's clusters_list: agents with their connection state, versions,
// latency and own policy, beside any local clusters the hub serves directly.

import * as z from "zod";
import { clusterPolicy } from "../config/cluster-policy.js";
import { fenceUntrusted } from "../format/fence.js";
import { renderTable } from "../format/table.js";
import { identityLabel } from "../policy/identity.js";
import { Scope, type ScopeRules } from "../policy/scope.js";
import { TableOutput } from "../tools/cluster-tool.js";
import { capiLabel, capiSource, probeVersions } from "../tools/clusters.js";
import { type AnyTool, defineTool, type ToolEnv } from "../tools/define.js";
import type { Agents } from "./agents.js";
import type { Holder, Replicas } from "./replicas.js";

const COLUMNS = [
  "name",
  "source",
  "connected",
  "last seen",
  "agent",
  "kubernetes",
  "kubectl",
  "helm",
  "latency",
  "mode",
  "identity",
  "policy",
];

const ago = (t: number | undefined) =>
  t === undefined ? "never" : `${Math.round((Date.now() - t) / 1000)}s ago`;

/** Without replicas, a cluster's holder is this hub's own link. */
const ownLinks = (agents: Agents) => ({
  names: () => [...agents.links.keys()],
  holder: (name: string): Holder => {
    const link = agents.links.get(name);
    return {
      replica: undefined,
      connected: link?.connected ?? false,
      hello: link?.hello,
      latencyMs: link?.latencyMs,
      lastSeen: link?.lastSeen,
    };
  },
});

type Status = { cluster: string; ok: boolean; error?: string };
interface Listed {
  rows: string[][];
  status: Status[];
}

/** An agent's row and its further clusters' (Cluster API workload clusters, on the same link). */
function agentRows(cluster: string, link: Holder, config: ToolEnv["config"], replica: string[]): Listed {
  const h = link.hello;
  const agent = [
    link.connected ? "now" : ago(link.lastSeen),
    h?.agentVersion ?? "-",
    h?.versions.kubernetes ?? "-",
    h?.versions.kubectl ?? "-",
    h?.versions.helm ?? "-",
    link.connected && link.latencyMs !== undefined ? `${link.latencyMs}ms` : "-",
  ];
  // The hub's layers travel with each call; the agent's own apply beneath them.
  const scope = (name: string, layers: readonly ScopeRules[] | undefined) =>
    Scope.of(name, config, clusterPolicy(config, name), ...(layers ?? [])).summary();
  const rows = [
    [
      cluster,
      "agent",
      link.connected ? "yes" : "no",
      ...agent,
      h?.policy.mode ?? "-",
      h ? (h.policy.identity ?? "service") : "-",
      scope(cluster, h?.policy.scope),
      ...replica,
    ],
  ];
  const status: Status[] = [
    { cluster, ok: link.connected, ...(link.connected ? {} : { error: "not connected" }) },
  ];
  for (const e of h?.clusters ?? []) {
    const name = `${cluster}:${e.name}`;
    const problem = e.capi?.problem;
    rows.push([
      name,
      e.capi ? capiLabel(e.capi) : "agent",
      problem ? `no: ${problem}` : link.connected ? "yes" : "no",
      ...agent,
      e.policy.mode,
      e.policy.identity ?? "service",
      scope(name, e.policy.scope),
      ...replica,
    ]);
    const error = problem ?? (link.connected ? undefined : "not connected");
    status.push({ cluster: name, ok: !error, ...(error ? { error } : {}) });
  }
  return { rows, status };
}

/** The clusters the hub serves itself, each asked for its version. */
async function localRows(env: ToolEnv, replicaColumn: boolean): Promise<Listed> {
  const settled = await probeVersions(
    env.clusters.all().filter((c) => !c.remote),
    env,
  );
  return {
    rows: settled.map((s) => [
      s.cluster.name,
      capiSource(s.cluster) ?? s.cluster.source,
      s.error ? `no: ${s.error}` : "yes",
      "-",
      "-",
      s.value?.gitVersion ?? "-",
      "-",
      "-",
      "-",
      s.cluster.mode,
      identityLabel(s.cluster),
      s.cluster.scope?.summary() ?? "-",
      ...(replicaColumn ? ["-"] : []),
    ]),
    status: settled.map((s) => ({
      cluster: s.cluster.name,
      ok: !s.error,
      ...(s.error ? { error: s.error } : {}),
    })),
  };
}

/** As a replica: which replica holds the agent ("here" for this one). */
function replicaCell(link: Holder, here: string | undefined): string {
  if (link.replica === undefined) return "-";
  return link.replica === here ? `${link.replica} (here)` : link.replica;
}

/** `nats` is set when the hub runs as a replica; it returns the replicas once NATS has been joined. */
/** What a reader of the table must know: that there are no clusters, or that it may be partial. */
function fleetNotes(any: boolean, natsDown: boolean): string[] {
  return [
    ...(any ? [] : ["No clusters: give the hub cluster tokens (CLUSTER_TOKENS) and start agents."]),
    ...(natsDown
      ? [
          "NATS is unreachable: this hub replica lists and serves only the agents connected to it; clusters held by other replicas are missing until it is back.",
        ]
      : []),
  ];
}

export function hubClustersList(agents: Agents, nats?: () => Replicas | undefined): AnyTool {
  // As a replica, a last column says which replica holds each agent ("here" for this one).
  const columns = nats ? [...COLUMNS, "replica"] : COLUMNS;
  return defineTool({
    name: "clusters_list",
    title: "List clusters",
    toolset: "core",
    description:
      "The clusters this hub reaches: agents (connected, last seen, versions, latency, mode) and local clusters. Start here.",
    safety: "read",
    input: z.object({}),
    output: TableOutput,
    async handle(_args, env) {
      const replicas = nats?.();
      const fleet = replicas ?? ownLinks(agents);
      const listed = fleet.names().map((cluster) => {
        const link = fleet.holder(cluster);
        return agentRows(cluster, link, env.config, nats ? [replicaCell(link, replicas?.id)] : []);
      });
      listed.push(await localRows(env, !!nats));
      const rows = listed.flatMap((l) => l.rows);
      const status = listed.flatMap((l) => l.status);
      const notes = fleetNotes(rows.length > 0, !!nats && !replicas?.natsConnected);
      const table = rows.length
        ? // Versions and errors come from agents and API servers: data, not instructions.
          [fenceUntrusted("clusters, their agents and /version answers", renderTable(columns, rows))]
        : [];
      return {
        text: [...table, ...notes].join("\n"),
        data: { columns, rows, clusters: status, truncated: false, notes },
      };
    },
  });
}

// Latency of common reads over stdio against the floor: the same read as a raw API round trip from
// this machine. One warm server per peer (read-only), one untimed warm-up call per read. Calls are
// paced (PACE_MS apart), as an assistant's are: kubernetes-mcp-server keeps client-go's default
// client-side rate limit (5 requests/s, burst 10), and a tight loop would measure that limiter instead.
const PACE_MS = 500;

import { setTimeout as sleep } from "node:timers/promises";
import { RawApi } from "../lib/floor.js";
import type { Section } from "../lib/report.js";
import type { Call, Server } from "../lib/servers.js";
import { kb, median, ms, ratio } from "../lib/stats.js";
import { StdioClient } from "../lib/stdio.js";

export interface ReadSpec {
  /** Namespace whose pods are listed (the bench's is `scale`, sized to 100 pods). */
  listNamespace: string;
  deployment: { namespace: string; name: string };
  /** Pod whose last `tail` log lines are read; found through the API when omitted. */
  logs: { namespace: string; labelSelector: string; tail: number };
}

interface Read {
  key: string;
  label: string;
  floorPath: string;
  call(s: Server): Call;
}

export interface ReadStats {
  server: string;
  read: string;
  ok: number;
  runs: number;
  firstMs: number;
  medianMs: number;
  bytes: number;
  status: string;
}

async function plan(api: RawApi, spec: ReadSpec): Promise<Read[]> {
  const { namespace, labelSelector, tail } = spec.logs;
  const pods = await api.json<{ items: { metadata: { name: string } }[] }>(
    `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(labelSelector)}`,
  );
  const pod = pods.items[0]?.metadata.name;
  if (!pod) throw new Error(`no pod matches ${labelSelector} in ${namespace}`);
  const listed = await api.json<{ items: unknown[] }>(`/api/v1/namespaces/${spec.listNamespace}/pods`);
  const d = spec.deployment;
  return [
    {
      key: "list",
      label: `list pods in ${spec.listNamespace} (${listed.items.length} pods)`,
      floorPath: `/api/v1/namespaces/${spec.listNamespace}/pods`,
      call: (s) => s.listPods(spec.listNamespace),
    },
    {
      key: "get",
      label: `get deployment ${d.namespace}/${d.name}`,
      floorPath: `/apis/apps/v1/namespaces/${d.namespace}/deployments/${d.name}`,
      call: (s) => s.getDeployment(d.namespace, d.name),
    },
    {
      key: "logs",
      label: `${tail} log lines of ${namespace}/${pod}`,
      floorPath: `/api/v1/namespaces/${namespace}/pods/${pod}/log?tailLines=${tail}`,
      call: (s) => s.logs(namespace, pod, tail),
    },
  ];
}

export async function reads(
  servers: Server[],
  opts: { kubeconfig: string; reps: number; spec: ReadSpec },
): Promise<{
  reads: { key: string; label: string; floorMs: number; floorBytes: number }[];
  stats: ReadStats[];
}> {
  const api = new RawApi(opts.kubeconfig);
  const todo = await plan(api, opts.spec);
  const floors = [];
  for (const r of todo) {
    await api.get(r.floorPath);
    const runs = [];
    for (let i = 0; i < opts.reps; i++) runs.push(await api.get(r.floorPath));
    floors.push({
      key: r.key,
      label: r.label,
      floorMs: median(runs.map((x) => x.ms)),
      floorBytes: runs[0]?.bytes ?? 0,
    });
  }
  api.close();
  const stats: ReadStats[] = [];
  for (const s of servers) {
    const client = new StdioClient(s.stdio({ kubeconfig: opts.kubeconfig, readOnly: true }));
    try {
      const init = await client.initialize(30_000);
      for (const r of todo) {
        const call = r.call(s);
        const first = init.error ? undefined : await client.callTool(call.name, call.arguments);
        const runs = [];
        for (let i = 0; i < opts.reps && first; i++) {
          await sleep(PACE_MS);
          runs.push(await client.callTool(call.name, call.arguments));
        }
        const good = runs.filter((x) => x.ok);
        stats.push({
          server: s.name,
          read: r.key,
          ok: good.length,
          runs: opts.reps,
          firstMs: first?.ms ?? Number.NaN,
          medianMs: median(good.map((x) => x.ms)),
          bytes: good[0]?.bytes ?? Number.NaN,
          status: init.error
            ? `initialize failed: ${init.error.message} ${client.proc.stderr().slice(-200)}`
            : (runs.find((x) => !x.ok)?.status ?? "ok"),
        });
      }
    } finally {
      await client.close();
    }
  }
  return { reads: floors, stats };
}

export function readsSection(res: Awaited<ReturnType<typeof reads>>): Section {
  const rows: string[][] = [];
  for (const r of res.reads) {
    rows.push([r.label, "raw API (floor)", `${ms(r.floorMs)} ms`, "1.00×", "", kb(r.floorBytes), ""]);
    const base = res.stats.find((x) => x.read === r.key && x.server === "kube-mcp");
    for (const s of res.stats.filter((x) => x.read === r.key)) {
      rows.push([
        "",
        s.server,
        s.ok ? `${ms(s.medianMs)} ms` : "failed",
        ratio(s.medianMs, r.floorMs),
        ratio(s.medianMs, base?.medianMs ?? Number.NaN),
        kb(s.bytes),
        s.ok === s.runs ? `${s.ok}/${s.runs}` : `${s.ok}/${s.runs}: ${s.status.slice(0, 80)}`,
      ]);
    }
  }
  return {
    title: "Common reads over stdio",
    note:
      "Warm server in read-only configuration, default output format of each tool; median of the timed calls " +
      `(${PACE_MS} ms apart) after one untimed warm-up. Floor: the same GET with the kubeconfig's ` +
      "client certificate over a " +
      "kept-alive connection (JSON, what the API returns). Answer = text the model reads.",
    headers: ["read", "server", "median", "× floor", "× kube-mcp", "answer", "ok"],
    rows,
    data: res,
  };
}

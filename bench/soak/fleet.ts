// The large-fleet run: N in-process agents (bench/lib/fleet-agents.ts: the real agent code, one real
// WebSocket each, all serving the bed's alpha under their own names) spread over two hub replicas
// sharing them over NATS. Measures what each replica holds per agent, a one-cluster call, and a fan-out
// over all N entered at replica A (the defaults) and at replica B (fanout.agentConcurrency 8, as before
// agents had their own bound).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startNats } from "../../testbed/lib/nats.js";
import { freePort, httpSession } from "../lib/http.js";
import { type Proc, start, treeRssMB } from "../lib/proc.js";
import { retry } from "../lib/roles.js";
import { median, percentile } from "../lib/stats.js";

const PREFIX = "soak-fleet-token-";

export async function fleetRun(o: {
  cli: string;
  kubeconfig: string;
  agents: number;
  /** Stub agents answering after this many ms (bench/soak/stub-agents.ts) instead of real agent code. */
  stubMs?: number;
  log: (m: string) => void;
}): Promise<{ markdown: string; data: unknown }> {
  const nats = await startNats();
  const ports = [await freePort(), await freePort()];
  const tokens: Record<string, string> = {};
  for (let i = 0; i < o.agents; i++) tokens[`agent-${i}`] = `${PREFIX}agent-${i}`;
  // Replica A as configured by default; replica B as the hub was before agents got their own bound.
  const older = join(mkdtempSync(join(tmpdir(), "kube-mcp-fleet-")), "older.yaml");
  writeFileSync(older, "fanout: {agentConcurrency: 8}\n");
  const replica = (port: number, i: number) =>
    start(
      {
        cmd: process.execPath,
        args: [
          ...[o.cli, "hub", "--log-level", "warn", "--http", `127.0.0.1:${port}`, "--nats-url", nats.url],
          ...["--max-agent-connections-per-ip", String(o.agents + 10)],
          ...(i === 1 ? ["--config", older] : []),
        ],
        env: { ...(process.env as Record<string, string>), CLUSTER_TOKENS: JSON.stringify(tokens) },
      },
      "ignore",
    );
  const procs: Proc[] = ports.map(replica);
  try {
    await sleep(1500);
    const spec = (port: number) => ({
      cmd: "",
      args: [],
      env: {},
      url: `http://127.0.0.1:${port}/mcp`,
      headers: {},
    });
    // A replica on a loaded machine may take longer than the pause above to listen.
    const sessions = [
      await retry(() => httpSession(spec(ports[0] as number))),
      await retry(() => httpSession(spec(ports[1] as number))),
    ];
    const [a, b] = sessions as [(typeof sessions)[0], (typeof sessions)[0]];
    await sleep(1000);
    const before = procs.map((p) => treeRssMB(p.pid));
    o.log(`starting ${o.agents} in-process agents`);
    const t0 = Date.now();
    const script =
      o.stubMs === undefined
        ? join(import.meta.dirname, "..", "lib", "fleet-agents.ts")
        : join(import.meta.dirname, "stub-agents.ts");
    const fleet = start(
      {
        cmd: process.execPath,
        args: ["--import", "tsx", script, String(o.agents), ports.join(","), String(o.stubMs ?? "")],
        env: {
          ...(process.env as Record<string, string>),
          KUBECONFIG: o.kubeconfig,
          K8S_CONTEXT: "alpha",
          TOKEN_PREFIX: PREFIX,
        },
      },
      "ignore",
    );
    procs.push(fleet);
    const connected = async () =>
      ((await a.call({ name: "clusters_list", arguments: {} }, 60_000)).text.match(/ agent +yes /g) ?? [])
        .length;
    for (let n = await connected(); n < o.agents; n = await connected()) {
      if (Date.now() - t0 > 600_000)
        throw new Error(`only ${n} of ${o.agents} agents connected after 10 min`);
      if (fleet.exited()) throw new Error(`the fleet process exited: ${fleet.stderr()}`);
      await sleep(2000);
    }
    const connectMs = Date.now() - t0;
    o.log(`all ${o.agents} connected in ${connectMs} ms`);
    await sleep(5000);
    const after = procs.slice(0, 2).map((p) => treeRssMB(p.pid));
    const list = (await a.call({ name: "clusters_list", arguments: {} }, 60_000)).text;
    const here = (list.match(/\(here\)/g) ?? []).length;
    const held = [here, o.agents - here];
    const fleetMB = treeRssMB(fleet.pid);

    // One cluster at a time, through A: agents held by A and by B (over NATS).
    const single: number[] = [];
    for (let i = 0; i < 30; i++) {
      const r = await a.call({
        name: "resources_list",
        arguments: { kind: "namespaces", cluster: `agent-${(i * 37) % o.agents}` },
      });
      if (r.ok) single.push(r.ms);
    }
    const fan = async (s: typeof a) => {
      const r = await s.call(
        { name: "resources_list", arguments: { kind: "namespaces", cluster: "*", countOnly: true } },
        120_000,
      );
      const failed = (r.text.match(/Cluster agent-\d+ failed/g) ?? []).length;
      return { ms: r.ms, ok: r.ok, failed, status: r.status.slice(0, 100) };
    };
    const fanA = [await fan(a), await fan(a), await fan(a)];
    const fanB = [await fan(b), await fan(b), await fan(b)];
    await a.close();
    await b.close();
    const slowest = Math.max(...single);
    const row = (name: string, runs: typeof fanA) => {
      const m = median(runs.map((r) => r.ms));
      return `| ${name} | ${Math.round(m)} | ${(m / slowest).toFixed(1)}× | ${runs.map((r) => r.failed).join(", ")} |`;
    };
    const perAgent = (i: number) =>
      held[i] ? ((((after[i] ?? 0) - (before[i] ?? 0)) * 1024) / (held[i] ?? 1)).toFixed(0) : "–";
    const what =
      o.stubMs === undefined
        ? `Every agent is the real agent code serving the bed's one alpha API server, so a fan-out is ${o.agents} real API calls against ONE kube-apiserver, and ${o.agents} agents' work in ONE Node process, on this machine.`
        : `Every agent is a stub (bench/soak/stub-agents.ts) answering each call after ${o.stubMs} ms, as if it fronted its own cluster: a fan-out measures the hubs alone.`;
    const markdown = [
      `# Large fleet: ${o.agents} ${o.stubMs === undefined ? "agents" : `stub agents (${o.stubMs} ms)`} over two hub replicas`,
      "",
      `All ${o.agents} agents connected (${o.stubMs === undefined ? "given both replicas' URLs" : "alternately to each replica"}) in ${(connectMs / 1000).toFixed(1)} s; replica A holds ${held[0]}, B ${held[1]}. ${what}`,
      "",
      "| | replica A | replica B |",
      "|---|---|---|",
      `| RSS before agents (MB) | ${before[0]?.toFixed(1)} | ${before[1]?.toFixed(1)} |`,
      `| RSS with agents (MB) | ${after[0]?.toFixed(1)} | ${after[1]?.toFixed(1)} |`,
      `| memory per agent held (KB) | ${perAgent(0)} | ${perAgent(1)} |`,
      "",
      `The fleet process (all ${o.agents} agents in one process) holds ${fleetMB.toFixed(0)} MB, ${((fleetMB * 1024) / o.agents).toFixed(0)} KB per agent.`,
      "",
      `One-cluster resources_list namespaces through A (30 agents, half held by B): median ${Math.round(median(single))} ms, p99 ${Math.round(percentile(single, 99))} ms, slowest ${Math.round(slowest)} ms.`,
      "",
      "| fan-out over all (countOnly), 3 runs | median ms | vs slowest single cluster | clusters failed per run |",
      "|---|---|---|---|",
      row("entered at A (fanout.agentConcurrency 1000, the default)", fanA),
      row("entered at B (fanout.agentConcurrency 8: the bound before it had its own)", fanB),
    ].join("\n");
    return {
      markdown,
      data: {
        agents: o.agents,
        stubMs: o.stubMs,
        connectMs,
        held,
        before,
        after,
        fleetMB,
        single,
        fanA,
        fanB,
      },
    };
  } finally {
    for (const p of procs.reverse()) await p.stop();
    await nats.stop();
  }
}

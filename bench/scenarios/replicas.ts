// Hub replicas over NATS: what a call costs when the agent of its cluster is held by another replica
// (client → replica A → NATS → replica B → agent) against the same call on the replica holding the
// agent (client → replica B → agent), both over HTTP on loopback; then how agents spread over two
// replicas behind one URL list and what each replica holds in memory per agent.
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startNats } from "../../testbed/lib/nats.js";
import { freePort, httpSession } from "../lib/http.js";
import { type Proc, start, treeRssMB } from "../lib/proc.js";
import type { Section } from "../lib/report.js";
import { call, retry, role, until } from "../lib/roles.js";
import { median, ms, ratio } from "../lib/stats.js";

const KEY = "bench-replicas-api-key-0123456789";
const PREFIX = "bench-agent-token-";

export interface ReplicasPlan {
  dist: string;
  kubeconfig: string;
  reps: number;
  agents: number;
}

export async function replicasSection(plan: ReplicasPlan): Promise<Section> {
  const cli = join(plan.dist, "cli.js");
  const nats = await startNats();
  const [portA, portB] = [await freePort(), await freePort()];
  const tokens: Record<string, string> = { alpha: `${PREFIX}alpha` };
  for (let i = 0; i < plan.agents; i++) tokens[`agent-${i}`] = `${PREFIX}agent-${i}`;
  const replica = (port: number) =>
    role(
      cli,
      "hub",
      [
        "--http",
        `127.0.0.1:${port}`,
        "--nats-url",
        nats.url,
        "--max-agent-connections-per-ip",
        String(plan.agents + 10),
      ],
      { CLUSTER_TOKENS: JSON.stringify(tokens), MCP_API_KEY: KEY },
    );
  const procs: Proc[] = [replica(portA), replica(portB)];
  const spec = (port: number) => ({
    cmd: "",
    args: [],
    env: {},
    url: `http://127.0.0.1:${port}/mcp`,
    headers: { "x-api-key": KEY },
  });
  try {
    await sleep(500);
    const a = await retry(() => httpSession(spec(portA)));
    const b = await retry(() => httpSession(spec(portB)));
    // alpha's agent dials replica B only: A reaches it over NATS.
    procs.push(
      role(cli, "agent", ["--health", "127.0.0.1:0"], {
        KUBECONFIG: plan.kubeconfig,
        K8S_CONTEXT: "alpha",
        CENTRAL_SERVER_URL: `ws://127.0.0.1:${portB}/agent`,
        CLUSTER_NAME: "alpha",
        AGENT_TOKEN: tokens.alpha as string,
      }),
    );
    const sees = async (s: typeof a, n: number) =>
      ((await s.call(call("clusters_list", {}))).text.match(/ agent +yes /g) ?? []).length >= n;
    await until("alpha on both replicas", async () => (await sees(a, 1)) && (await sees(b, 1)));
    const get = call("resources_get", {
      kind: "deployment",
      name: "web",
      namespace: "shop",
      cluster: "alpha",
    });
    for (let i = 0; i < 5; i++) await Promise.all([a.call(get), b.call(get)]);
    const routed: number[] = [];
    const local: number[] = [];
    for (let i = 0; i < plan.reps; i++) {
      routed.push((await a.call(get)).ms);
      local.push((await b.call(get)).ms);
    }

    // Agents given both replicas' URLs: where they land, and what each replica holds per agent.
    await sleep(1000);
    const before = [treeRssMB(procs[0]?.pid as number), treeRssMB(procs[1]?.pid as number)];
    const fleet = start(
      {
        cmd: process.execPath,
        args: [
          "--import",
          "tsx",
          join(import.meta.dirname, "..", "lib", "fleet-agents.ts"),
          String(plan.agents),
          `${portA},${portB}`,
        ],
        env: {
          ...(process.env as Record<string, string>),
          KUBECONFIG: plan.kubeconfig,
          K8S_CONTEXT: "alpha",
          TOKEN_PREFIX: PREFIX,
        },
      },
      "ignore",
    );
    procs.push(fleet);
    await until(`${plan.agents} agents`, () => sees(a, plan.agents + 1), 180_000);
    await sleep(3000);
    const after = [treeRssMB(procs[0]?.pid as number), treeRssMB(procs[1]?.pid as number)];
    const list = (await a.call(call("clusters_list", {}))).text;
    const here = (list.match(/\(here\)/g) ?? []).length;
    const held = [here, plan.agents + 1 - here];
    await a.close();
    await b.close();
    const perAgent = (i: number) =>
      held[i] ? `${((((after[i] ?? 0) - (before[i] ?? 0)) / (held[i] ?? 1)) * 1024).toFixed(0)} KB` : "–";
    return {
      title: "Hub replicas over NATS",
      note: `Two hub replicas and nats-server on loopback; alpha's agent on replica B. resources_get of one deployment, ${plan.reps} alternating calls through replica A (routed over NATS) and B (local). Then ${plan.agents} lightweight agents given both replicas' URLs.`,
      headers: ["scenario", "routed over NATS", "local replica", "ratio"],
      rows: [
        [
          "call to a cluster held by another replica (median)",
          `${ms(median(routed))} ms`,
          `${ms(median(local))} ms`,
          `${ratio(median(routed), median(local))} (+${ms(median(routed) - median(local))} ms)`,
        ],
        [`agents held (of ${plan.agents + 1})`, `A: ${held[0]}`, `B: ${held[1]}`, "–"],
        ["replica memory per agent held", `A: ${perAgent(0)}`, `B: ${perAgent(1)}`, "–"],
      ],
      data: { routed, local, held, before, after },
    };
  } finally {
    for (const p of procs.reverse()) await p.stop();
    await nats.stop();
  }
}

// The hub: routed-call overhead against a direct `serve` call (both over HTTP, same cluster), fan-out
// over all connected clusters, and the hub's memory per connected agent with hundreds of agents (real
// agent code over real sockets, many per process: bench/lib/fleet-agents.ts).
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort, httpSession } from "../lib/http.js";
import { type Proc, start, treeRssMB } from "../lib/proc.js";
import type { Section } from "../lib/report.js";
import { call, retry, role, until } from "../lib/roles.js";
import { kb, mb, median, ms, ratio } from "../lib/stats.js";

const KEY = "bench-hub-api-key-0123456789";
const PREFIX = "bench-agent-token-";

export interface HubPlan {
  dist: string;
  kubeconfig: string;
  reps: number;
  agents: number;
}

export async function hubSection(plan: HubPlan): Promise<Section> {
  const cli = join(plan.dist, "cli.js");
  const hubPort = await freePort();
  const servePort = await freePort();
  const tokens: Record<string, string> = { alpha: `${PREFIX}alpha`, beta: `${PREFIX}beta` };
  for (let i = 0; i < plan.agents; i++) tokens[`agent-${i}`] = `${PREFIX}agent-${i}`;
  const hub = role(
    cli,
    "hub",
    ["--http", `127.0.0.1:${hubPort}`, "--max-agent-connections-per-ip", String(plan.agents + 10)],
    {
      CLUSTER_TOKENS: JSON.stringify(tokens),
      MCP_API_KEY: KEY,
    },
  );
  const serve = role(cli, "serve", ["--http", `127.0.0.1:${servePort}`, "--mode", "read-only"], {
    KUBECONFIG: plan.kubeconfig,
    MCP_API_KEY: KEY,
  });
  const agent = (name: string) =>
    role(cli, "agent", ["--health", "127.0.0.1:0"], {
      KUBECONFIG: plan.kubeconfig,
      K8S_CONTEXT: name,
      CENTRAL_SERVER_URL: `ws://127.0.0.1:${hubPort}/agent`,
      CLUSTER_NAME: name,
      AGENT_TOKEN: tokens[name] as string,
    });
  const spec = (port: number) => ({
    cmd: "",
    args: [],
    env: {},
    url: `http://127.0.0.1:${port}/mcp`,
    headers: { "x-api-key": KEY },
  });
  const procs: Proc[] = [hub, serve];
  try {
    await sleep(500);
    const viaHub = await retry(() => httpSession(spec(hubPort)));
    const direct = await retry(() => httpSession(spec(servePort)));
    const connected = async () => {
      const r = await viaHub.call(call("clusters_list", {}));
      return (r.text.match(/ agent +yes /g) ?? []).length;
    };
    procs.push(agent("alpha"), agent("beta"));
    await until("both agents", async () => (await connected()) === 2);

    // Routed vs direct, alternating, after a warm-up.
    const get = call("resources_get", {
      kind: "deployment",
      name: "web",
      namespace: "shop",
      cluster: "alpha",
    });
    for (let i = 0; i < 5; i++) await Promise.all([viaHub.call(get), direct.call(get)]);
    const h: number[] = [];
    const d: number[] = [];
    for (let i = 0; i < plan.reps; i++) {
      h.push((await viaHub.call(get)).ms);
      d.push((await direct.call(get)).ms);
    }
    const fan = call("resources_list", {
      kind: "deployments",
      namespace: "shop",
      cluster: ["alpha", "beta"],
    });
    const fh: number[] = [];
    const fd: number[] = [];
    for (let i = 0; i < plan.reps; i++) {
      fh.push((await viaHub.call(fan)).ms);
      fd.push((await direct.call(fan)).ms);
    }

    // Hundreds of agents: hub memory before and after they connect.
    await sleep(1000);
    const before = treeRssMB(hub.pid);
    const fleet = start(
      {
        cmd: process.execPath,
        args: [
          "--import",
          "tsx",
          join(import.meta.dirname, "..", "lib", "fleet-agents.ts"),
          String(plan.agents),
          String(hubPort),
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
    const t0 = Date.now();
    await until(`${plan.agents} agents`, async () => (await connected()) === plan.agents + 2, 180_000);
    const connectS = (Date.now() - t0) / 1000;
    await sleep(3000);
    const after = treeRssMB(hub.pid);
    const fleetMB = treeRssMB(fleet.pid);
    const all = call("resources_list", { kind: "deployments", namespace: "shop", cluster: "*" });
    const fanAll: number[] = [];
    let bytes = 0;
    let ok = true;
    for (let i = 0; i < Math.max(3, Math.floor(plan.reps / 5)); i++) {
      const r = await viaHub.call(all, 180_000);
      fanAll.push(r.ms);
      bytes = r.bytes;
      ok &&= r.ok;
    }
    await viaHub.close();
    await direct.close();
    const n = plan.agents + 2;
    return {
      title: "Hub (kube-mcp hub + agents)",
      note: `HTTP clients with the API key; hub, agents and serve on loopback against the bench bed. resources_get of one deployment, ${plan.reps} alternating calls; fan-out = resources_list of deployments in shop. ${plan.agents} extra agents run in one process (real agent code, one WebSocket each).`,
      headers: ["scenario", "via hub", "direct serve", "ratio"],
      rows: [
        [
          "routed call (get deployment, median)",
          `${ms(median(h))} ms`,
          `${ms(median(d))} ms`,
          `${ratio(median(h), median(d))} (+${ms(median(h) - median(d))} ms)`,
        ],
        [
          "fan-out over 2 clusters (median)",
          `${ms(median(fh))} ms`,
          `${ms(median(fd))} ms`,
          ratio(median(fh), median(fd)),
        ],
        [
          `fan-out over ${n} connected clusters (median)`,
          `${ms(median(fanAll))} ms, ${kb(bytes)}${ok ? "" : ", FAILED"}`,
          "–",
          "–",
        ],
        [`hub memory with ${n} agents connected`, `${mb(after)} MB (${mb(before)} MB with 2)`, "–", "–"],
        [
          "hub memory per connected agent",
          `${(((after - before) / plan.agents) * 1024).toFixed(0)} KB`,
          "–",
          "–",
        ],
        [
          `${plan.agents} lightweight agents (one process)`,
          `${mb(fleetMB)} MB, ${((fleetMB / plan.agents) * 1024).toFixed(0)} KB each; all connected in ${connectS.toFixed(1)} s`,
          "–",
          "–",
        ],
      ],
      data: {
        routed: { hub: h, direct: d },
        fanout2: { hub: fh, direct: fd },
        fanAll,
        bytes,
        before,
        after,
        fleetMB,
        connectS,
        agents: plan.agents,
      },
    };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

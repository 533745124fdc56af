// Many lightweight agents in one process, for the hub's memory-per-agent figure: each is the real agent
// code (HubConnection + CallRunner) over its own real WebSocket, serving the same bed cluster under its
// own name. Only version probing is stubbed (hundreds of kubectl runs would measure process spawning).
// Usage: tsx bench/lib/fleet-agents.ts COUNT HUB_PORT[,PORT…]   (KUBECONFIG, K8S_CONTEXT and TOKEN_PREFIX
// in env); with several ports each agent is given every hub URL, as agents of hub replicas are.
import { CallRunner } from "../../src/agent/calls.js";
import { HubConnection } from "../../src/agent/connection.js";
import { ConfigSchema } from "../../src/config/schema.js";
import { gatherClusters } from "../../src/kube/sources.js";
import { createLogger } from "../../src/obs/log.js";
import { toolsFor } from "../../src/policy/modes.js";
import { newClusters } from "../../src/targets/local.js";
import { ALL_TOOLS } from "../../src/tools/index.js";

const count = Number(process.argv[2]);
const ports = String(process.argv[3]).split(",").map(Number);
const prefix = process.env.TOKEN_PREFIX ?? "bench-agent-token-";
const config = ConfigSchema.parse({ mode: "read-only", logLevel: "warn", agent: { maxBackoffMs: 2000 } });
const log = createLogger("warn", { role: "bench-agents" });
const found = gatherClusters(process.env);
const spec = found.clusters.find((c) => c.name === found.defaultCluster);
if (!spec) throw new Error("no cluster in KUBECONFIG / K8S_CONTEXT");
const clusters = newClusters(config);
const names = Array.from({ length: count }, (_, i) => `agent-${i}`);
clusters.replace(
  names.map((name) => ({ ...spec, name })),
  names[0],
);
const tools = toolsFor("read-only", ALL_TOOLS).filter((t) => t.perCluster);
const byName = new Map(tools.map((t) => [t.name, t]));
const known = new Set(ALL_TOOLS.map((t) => t.name));
const report = () => Promise.resolve({ kubernetes: "bench", kubectl: "bench", helm: "bench" });
for (const name of names) {
  const [cluster] = clusters.select(name);
  if (!cluster) continue;
  const runner = new CallRunner(
    cluster,
    () => cluster,
    byName,
    known,
    config,
    log,
    () => {},
  );
  // Each agent starts at a different hub, as behind a load balancer, then fails over through the rest.
  const first = names.indexOf(name) % ports.length;
  const urls = [...ports.slice(first), ...ports.slice(0, first)].map((p) => `ws://127.0.0.1:${p}/agent`);
  const settings = { urls, name, token: `${prefix}${name}` };
  new HubConnection(settings, config, cluster, [...byName.keys()], runner, log, report).start();
}
process.stdout.write(`started ${count}\n`);

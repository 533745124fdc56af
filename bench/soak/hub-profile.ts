// The hubs' CPU per remote call, without a Kubernetes bed: stub agents (stub-agents.ts) behind one hub,
// or behind replica B of two sharing them over NATS, a client on replica A making single calls and
// fan-outs over "*" (with NATS, the single calls again through B, where they are local). With --cpu-prof the hubs write V8 CPU profiles into --out, summarised by
// bench/soak/profile-top.ts. Bounded: it stops after its calls and kills what it started.
// Usage: tsx bench/soak/hub-profile.ts [--agents 1000] [--stub-ms 50] [--fans 10] [--singles 200]
//          [--nats] [--cpu-prof] [--out DIR] [--dist DIR]
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { startNats } from "../../testbed/lib/nats.js";
import { freePort, httpSession } from "../lib/http.js";
import { type Proc, start, treeCpuMs } from "../lib/proc.js";
import { retry } from "../lib/roles.js";
import { median } from "../lib/stats.js";

const { values: f } = parseArgs({
  options: {
    agents: { type: "string", default: "1000" },
    "stub-ms": { type: "string", default: "50" },
    fans: { type: "string", default: "10" },
    singles: { type: "string", default: "200" },
    nats: { type: "boolean", default: false },
    "cpu-prof": { type: "boolean", default: false },
    out: { type: "string", default: join(import.meta.dirname, "..", "out", "profile") },
    dist: { type: "string", default: join(import.meta.dirname, "..", "..", "dist") },
  },
});
const agents = Number(f.agents);
const PREFIX = "hub-profile-token-";
const tokens: Record<string, string> = {};
for (let i = 0; i < agents; i++) tokens[`agent-${i}`] = `${PREFIX}agent-${i}`;
const log = (m: string) => process.stderr.write(`hub-profile: ${m}\n`);

const nats = f.nats ? await startNats() : undefined;
const ports = nats ? [await freePort(), await freePort()] : [await freePort()];
if (f["cpu-prof"]) mkdirSync(f.out, { recursive: true });
const procs: Proc[] = ports.map((port, i) =>
  start(
    {
      cmd: process.execPath,
      args: [
        ...(f["cpu-prof"]
          ? ["--cpu-prof", "--cpu-prof-dir", f.out, "--cpu-prof-name", `hub-${"AB"[i]}.cpuprofile`]
          : []),
        join(f.dist, "cli.js"),
        ...["hub", "--log-level", "warn", "--http", `127.0.0.1:${port}`],
        ...(nats ? ["--nats-url", nats.url] : []),
        ...["--max-agent-connections-per-ip", String(agents + 10)],
      ],
      env: { ...(process.env as Record<string, string>), CLUSTER_TOKENS: JSON.stringify(tokens) },
    },
    "ignore",
  ),
);
try {
  await sleep(1500);
  const session = async (port: number) =>
    retry(() =>
      httpSession({ cmd: "", args: [], env: {}, url: `http://127.0.0.1:${port}/mcp`, headers: {} }),
    );
  const a = await session(ports[0] as number);
  // The agents dial the last hub: with NATS, every call from A is routed to B.
  const fleet = start(
    {
      cmd: process.execPath,
      args: [
        ...["--import", "tsx", join(import.meta.dirname, "stub-agents.ts")],
        ...[String(agents), String(ports[ports.length - 1]), String(f["stub-ms"])],
      ],
      env: { ...(process.env as Record<string, string>), TOKEN_PREFIX: PREFIX },
    },
    "ignore",
  );
  procs.push(fleet);
  const connected = async () =>
    ((await a.call({ name: "clusters_list", arguments: {} }, 60_000)).text.match(/ agent +yes /g) ?? [])
      .length;
  const t0 = Date.now();
  while ((await connected()) < agents) {
    if (Date.now() - t0 > 300_000) throw new Error("agents did not all connect within 5 min");
    await sleep(1000);
  }
  log(`${agents} agents connected in ${Date.now() - t0} ms`);
  await sleep(2000);
  const hubs = procs.slice(0, ports.length);
  const cpu = () => hubs.map((p) => treeCpuMs(p.pid));
  // CPU the hubs spent per call: robust where wall-clock times are not (a loaded, shared machine).
  const per = (from: number[], to: number[], n: number) =>
    to.map((t, i) => +((t - (from[i] ?? 0)) / Math.max(1, n)).toFixed(2));
  const c0 = cpu();
  const singles = async (s: typeof a) => {
    const ms: number[] = [];
    for (let i = 0; i < Number(f.singles); i++) {
      const r = await s.call({
        name: "resources_list",
        arguments: { kind: "namespaces", cluster: `agent-${(i * 37) % agents}` },
      });
      if (!r.ok) throw new Error(`single call failed: ${r.status}`);
      ms.push(r.ms);
    }
    return ms;
  };
  // One cluster at a time through A (with NATS: routed to B), then through B (the replica holding it).
  const single = await singles(a);
  const c1 = cpu();
  let local: { ms: number[]; cpu: number[] } | undefined;
  if (nats) {
    const b = await session(ports[1] as number);
    const ms = await singles(b);
    await b.close();
    local = { ms, cpu: per(c1, cpu(), ms.length) };
  }
  const c1b = cpu();
  const fans: number[] = [];
  const failed: number[] = [];
  let why: string | undefined;
  for (let i = 0; i < Number(f.fans); i++) {
    const r = await a.call(
      { name: "resources_list", arguments: { kind: "namespaces", cluster: "*", countOnly: true } },
      120_000,
    );
    if (!r.ok) throw new Error(`fan-out failed: ${r.status}`);
    failed.push((r.text.match(/Cluster agent-\d+ failed/g) ?? []).length);
    why ??= r.text.match(/Cluster agent-\d+ failed: .*/)?.[0];
    fans.push(r.ms);
  }
  const c2 = cpu();
  await a.close();
  const load = (await import("node:os")).loadavg()[0]?.toFixed(1);
  const out = {
    agents,
    nats: !!nats,
    stubMs: Number(f["stub-ms"]),
    singleMedianMs: +median(single).toFixed(2),
    singleMaxMs: +Math.max(...single).toFixed(1),
    fanMedianMs: fans.length ? +median(fans).toFixed(1) : undefined,
    fans: fans.map((m) => Math.round(m)),
    failed,
    ...(why ? { why: why.slice(0, 300) } : {}),
    hubCpuMsPerSingle: per(c0, c1, single.length),
    ...(local
      ? {
          localMedianMs: +median(local.ms).toFixed(2),
          routedExtraMs: +(median(single) - median(local.ms)).toFixed(2),
          hubCpuMsPerLocal: local.cpu,
        }
      : {}),
    hubCpuMsPerFan: per(c1b, c2, fans.length),
    load,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
} finally {
  // A hub writes its profile as it exits: given time for that before stop()'s SIGKILL.
  for (const p of procs.reverse()) {
    if (!p.exited()) p.child.kill("SIGTERM");
    for (let waited = 0; !p.exited() && waited < 30_000; waited += 100) await sleep(100);
    await p.stop();
  }
  await nats?.stop();
}

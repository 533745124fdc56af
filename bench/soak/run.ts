// `npm run soak [-- --duration 600 --clients 8 --calls 100000 --fuzz-clients 1 --no-apiserver --fleet 1000]`
// On the soak's OWN bed (KUBE_MCP_TESTBED_DIR, never the suite's): nats-server, two hub replicas, agents
// for alpha and beta given both replicas' URLs, and N MCP clients over HTTP running a mix of calls while
// faults are done and undone (bench/soak/faults.ts). Stops after --duration seconds or --calls calls,
// kills everything it started, and writes bench/soak/out/report.{md,json}. Loopback only.
// --serve soaks one `serve --http` process reading both clusters itself (API-server faults only).
// --fleet N instead runs the large-fleet measurement (bench/soak/fleet.ts); with --stub-ms MS its agents
// are stubs answering after MS ms (bench/soak/stub-agents.ts), so the hubs alone are measured.
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { ArgFuzzer, prng, type Schema } from "../../test/helpers/fuzz-args.js";
import { down, healthy, readState, up } from "../../testbed/lib/bed.js";
import { kubectlFor } from "../../testbed/lib/kube.js";
import { startNats } from "../../testbed/lib/nats.js";
import { freePort } from "../../testbed/lib/ports.js";
import { machine } from "../lib/report.js";
import { ApiServer, type Crash, Role, type Sample, sampler } from "./cast.js";
import { type Cast, type FaultRun, faults, runFault } from "./faults.js";
import { fleetRun } from "./fleet.js";
import { Conn, type Ctx, nextCall, type Record_, runCall } from "./load.js";
import { markdown, type SoakResult } from "./report.js";

const { values: flags } = parseArgs({
  options: {
    duration: { type: "string", default: "600" },
    calls: { type: "string", default: "100000" },
    clients: { type: "string", default: "8" },
    "fuzz-clients": { type: "string", default: "1" },
    "think-ms": { type: "string", default: "50" },
    seed: { type: "string", default: "20261203" },
    "no-apiserver": { type: "boolean", default: false },
    "keep-bed": { type: "boolean", default: false },
    fleet: { type: "string" },
    serve: { type: "boolean", default: false },
    "stub-ms": { type: "string" },
  },
});
const DURATION_MS = Number(flags.duration) * 1000;
const MAX_CALLS = Number(flags.calls);
const CLIENTS = Number(flags.clients);
const SEED = Number(flags.seed);
const CLI = join(import.meta.dirname, "..", "..", "dist", "cli.js");
const OUT = join(import.meta.dirname, "out");
/** Per cluster the hub waits 8 s; a call still open 12 s later has hung. */
const CLUSTER_TIMEOUT_MS = 8000;
const DEADLINE_MS = CLUSTER_TIMEOUT_MS + 12_000;
const TOKENS = { alpha: "soak-alpha-token-0123456789abcdef", beta: "soak-beta-token-0123456789abcdef" };
const t0 = Date.now();
const log = (m: string) => process.stderr.write(`soak ${((Date.now() - t0) / 1000).toFixed(1)}s: ${m}\n`);

for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => process.exit(130));
process.env.KUBE_MCP_TESTBED_DIR ??= join(tmpdir(), `kube-mcp-soak-bed-${userInfo().uid}`);
mkdirSync(OUT, { recursive: true });

async function bed(): Promise<{ kubeconfig: string; bin: string; startedHere: boolean }> {
  const before = readState();
  const startedHere = !(before && (await healthy(before)));
  log(`test bed in ${process.env.KUBE_MCP_TESTBED_DIR}${startedHere ? " (starting it)" : " (reusing it)"}`);
  const s = await up();
  return { kubeconfig: s.kubeconfig, bin: s.bin, startedHere };
}

async function soak(b: { kubeconfig: string; bin: string }): Promise<SoakResult> {
  const crashes: Crash[] = [];
  const samples: Sample[] = [];
  const dir = join(OUT, "run");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "hub.yaml"), "hub: {heartbeatMs: 2000, maxAgentConnectionsPerIp: 50}\n");
  writeFileSync(join(dir, "agent.yaml"), "agent: {maxBackoffMs: 2000}\n");
  const uid: Record<string, string> = {};
  for (const c of ["alpha", "beta"])
    uid[c] = (
      await kubectlFor(
        b.bin,
        b.kubeconfig,
      )(["--context", c, "get", "ns", "kube-system", "-o", "jsonpath={.metadata.uid}"])
    ).trim();
  const env = { KUBE_MCP_TOOLSETS: "all", PATH: `${b.bin}:${process.env.PATH ?? ""}` };
  const hub = flags.serve ? undefined : await hubCast(b, dir, env, crashes);
  const servePort = await freePort();
  const serve = flags.serve
    ? new Role(
        "serve",
        [
          ...[CLI, "serve", "--log-level", "info", "--http", `127.0.0.1:${servePort}`],
          ...["--mode", "non-destructive", "--cluster-timeout", String(CLUSTER_TIMEOUT_MS)],
        ],
        { ...env, KUBECONFIG: b.kubeconfig },
        crashes,
      )
    : undefined;
  const roles = () => (hub ? [...hub.replicas, hub.agents.alpha, hub.agents.beta] : serve ? [serve] : []);
  const urls = hub ? hub.urls : [`http://127.0.0.1:${servePort}/mcp`];
  const ctx: Ctx = { uid, deadlineMs: DEADLINE_MS };
  const probes = urls.map((u) => new Conn([u], 0));
  const calls: Record_[] = [];
  const runs: FaultRun[] = [];
  let stop = false;
  const stopSampling = sampler(roles, 2000, samples);
  try {
    if (hub) {
      for (const r of hub.replicas) r.start();
      await Promise.all(hub.replicas.map((r) => r.waitFor(/"msg":"hub serving"/)));
      hub.agents.alpha.start();
      hub.agents.beta.start();
      await Promise.all([hub.agents.alpha, hub.agents.beta].map((a) => a.waitFor(/registered with the hub/)));
    } else await serve?.start().waitFor(/"url":"http:/);
    // Presence travels over NATS: wait until both clusters answer through every replica.
    const ready = await runFault(
      { name: "start-up", holdMs: 0, inject: async () => async () => {} },
      probes,
      ctx,
      log,
    );
    if (!ready.recoveredAt) throw new Error("the replicas never saw both agents");
    log(`serving; ${CLIENTS} clients for ${DURATION_MS / 1000} s`);

    const started = Date.now();
    const rand = prng(SEED);
    const workers = Array.from({ length: CLIENTS }, async (_, i) => {
      const conn = new Conn(urls, i);
      while (!stop && calls.length < MAX_CALLS && Date.now() - started < DURATION_MS) {
        calls.push(await runCall(conn, ctx, nextCall(rand)));
        await sleep(Number(flags["think-ms"]));
      }
      await conn.close();
    });
    workers.push(
      ...fuzzers(
        urls,
        ctx,
        calls,
        () => stop || calls.length >= MAX_CALLS || Date.now() - started >= DURATION_MS,
      ),
    );

    // The schedule: a warm-up, then each fault in its own slot (repeated when the run is long), then a
    // cool-down in steady state so memory and descriptors can be compared with their baseline.
    const list = faults(hub, flags["no-apiserver"] ? undefined : new ApiServer("beta"));
    const warmUp = Math.min(30_000, DURATION_MS / 10);
    const coolDown = Math.max(10_000, DURATION_MS / 10);
    const cycles = Math.max(1, Math.floor((DURATION_MS - warmUp - coolDown) / (list.length * 40_000)));
    const slot = (DURATION_MS - warmUp - coolDown) / (list.length * cycles);
    await sleep(warmUp);
    const warmUpEnd = Date.now();
    const firstFaultAt = Date.now();
    for (let i = 0; i < list.length * cycles && Date.now() - started < DURATION_MS - coolDown; i++) {
      const slotStart = started + warmUp + i * slot;
      await sleep(Math.max(0, slotStart - Date.now()));
      runs.push(await runFault(list[i % list.length] as (typeof list)[number], probes, ctx, log));
    }
    await Promise.all(workers);
    stop = true;
    log(`${calls.length} calls; settling 5 s for the last samples`);
    await sleep(5000);
    return {
      startedAt: new Date(started).toISOString(),
      machine: machine(),
      loadBefore: [],
      loadAfter: loadavg(),
      settings: {
        target: flags.serve ? "serve (one process, both clusters)" : "two hub replicas, NATS, two agents",
        durationS: DURATION_MS / 1000,
        maxCalls: MAX_CALLS,
        clients: CLIENTS,
        fuzzClients: Number(flags["fuzz-clients"]),
        thinkMs: Number(flags["think-ms"]),
        seed: SEED,
        clusterTimeoutMs: CLUSTER_TIMEOUT_MS,
        deadlineMs: DEADLINE_MS,
        hubHeartbeatMs: 2000,
      },
      calls,
      faults: runs,
      crashes,
      samples,
      firstFaultAt,
      warmUpEnd,
      endedAt: Date.now(),
    };
  } finally {
    stop = true;
    stopSampling();
    await Promise.all(probes.map((p) => p.close()));
    await Promise.all(roles().map((r) => r.kill("SIGKILL")));
    await hub?.nats.current.stop();
  }
}

/** nats-server, two hub replicas sharing agents over it, and agents for alpha and beta given both URLs. */
async function hubCast(
  b: { kubeconfig: string; bin: string },
  dir: string,
  env: Record<string, string>,
  crashes: Crash[],
): Promise<Cast & { urls: string[] }> {
  const natsPort = await freePort();
  const nats = { current: await startNats({ port: natsPort }), port: natsPort };
  const ports = [await freePort(), await freePort()];
  const replicas = ports.map(
    (p, i) =>
      new Role(
        `replica-${i + 1}`,
        [
          ...[CLI, "hub", "--log-level", "info", "--http", `127.0.0.1:${p}`, "--mode", "non-destructive"],
          ...["--nats-url", nats.current.url, "--cluster-timeout", String(CLUSTER_TIMEOUT_MS)],
          ...["--config", join(dir, "hub.yaml")],
        ],
        { ...env, CLUSTER_TOKENS: JSON.stringify(TOKENS) },
        crashes,
      ),
  );
  const agent = (name: "alpha" | "beta", order: number[]) =>
    new Role(
      `agent-${name}`,
      [
        ...[CLI, "agent", "--log-level", "info", "--health", "127.0.0.1:0", "--mode", "non-destructive"],
        ...["--config", join(dir, "agent.yaml")],
      ],
      {
        ...env,
        KUBECONFIG: b.kubeconfig,
        K8S_CONTEXT: name,
        CENTRAL_SERVER_URL: order.map((i) => `ws://127.0.0.1:${ports[i]}/agent`).join(","),
        CLUSTER_NAME: name,
        AGENT_TOKEN: TOKENS[name],
      },
      crashes,
    );
  return {
    replicas,
    agents: { alpha: agent("alpha", [0, 1]), beta: agent("beta", [1, 0]) },
    nats,
    urls: ports.map((p) => `http://127.0.0.1:${p}/mcp`),
  };
}

/**
 * The long fuzz: clients sending generated arguments to the read-only tools through the hub, judged
 * like the suite's fuzz (an answer before the deadline; a refusal is a tool error, never "Internal").
 */
function fuzzers(urls: string[], ctx: Ctx, calls: Record_[], done: () => boolean): Promise<void>[] {
  return Array.from({ length: Number(flags["fuzz-clients"]) }, async (_, i) => {
    const conn = new Conn(urls, i);
    const fuzz = new ArgFuzzer(SEED + 100 + i);
    const tools = (
      (await (await conn.session()).listTools()).tools as {
        name: string;
        inputSchema: Schema;
        annotations?: { readOnlyHint?: boolean };
      }[]
    ).filter((t) => t.annotations?.readOnlyHint);
    const rand = prng(SEED + 200 + i);
    while (!done()) {
      const t = tools[Math.floor(rand() * tools.length)] as (typeof tools)[number];
      const f = fuzz.next(t.inputSchema);
      const r = await runCall(conn, ctx, {
        kind: `fuzz ${t.name}`,
        name: t.name,
        args: f.args,
        clusters: [],
        carriesUid: false,
      });
      // Any cluster may be named (or none): only hangs, transport trouble and internal errors count.
      if (r.outcome === "unclear" || r.outcome === "error" || r.outcome === "misroute") r.outcome = "error";
      if (/Internal error/.test(r.cause ?? "")) r.outcome = "unclear";
      calls.push({ ...r, kind: "fuzz" });
      await sleep(Number(flags["think-ms"]));
    }
    await conn.close();
  });
}

const loadBefore = loadavg();
const b = await bed();
try {
  if (flags.fleet) {
    const stubMs = flags["stub-ms"] === undefined ? undefined : Number(flags["stub-ms"]);
    const md = await fleetRun({
      cli: CLI,
      kubeconfig: b.kubeconfig,
      agents: Number(flags.fleet),
      stubMs,
      log,
    });
    const name = stubMs === undefined ? "fleet" : "fleet-stub";
    writeFileSync(join(OUT, `${name}.md`), md.markdown);
    writeFileSync(join(OUT, `${name}.json`), JSON.stringify(md.data, null, 2));
    process.stdout.write(`${md.markdown}\n`);
  } else {
    const r = await soak(b);
    r.loadBefore = loadBefore;
    const md = markdown(r);
    writeFileSync(join(OUT, "report.md"), `${md}\n`);
    writeFileSync(join(OUT, "report.json"), JSON.stringify(r));
    process.stdout.write(`${md}\n`);
    const bad = r.calls.filter(
      (c) => c.outcome === "hang" || c.outcome === "misroute" || c.outcome === "unclear",
    );
    if (bad.length || r.crashes.length || r.faults.some((f) => !f.recoveredAt)) process.exitCode = 1;
  }
} finally {
  if (b.startedHere && !flags["keep-bed"]) {
    log("stopping the soak's bed");
    await down();
  }
}

// `npm run bench [-- --quick] [-- --only=startup,reads,http,allpods,hub,replicas] [-- --servers=kube-mcp,…]`:
// kube-mcp and the peers side by side on the bench's own test bed. Prints markdown tables as it goes and
// writes them, with the raw numbers, to bench/out/latest.{md,json}. --dist DIR: another kube-mcp build;
// --baseline DIR: a second kube-mcp build measured alongside, as "kube-mcp (baseline)", for a before/after.
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { benchBed } from "./lib/bed.js";
import { machine, markdown, type Section } from "./lib/report.js";
import { servers as allServers, KUBE_MCP_DIST, kubeMcp, tsPeer, tuned } from "./lib/servers.js";
import { allPods, allPodsSection } from "./scenarios/allpods.js";
import { httpLoad, httpSection } from "./scenarios/http.js";
import { hubSection } from "./scenarios/hub.js";
import { reads, readsSection } from "./scenarios/reads.js";
import { replicasSection } from "./scenarios/replicas.js";
import { startup, startupSections } from "./scenarios/startup.js";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    servers: { type: "string" },
    sizes: { type: "string" },
    dist: { type: "string" },
    baseline: { type: "string" },
  },
});
const quick = flags.quick === true;
const plan = {
  startupReps: quick ? 3 : 9,
  readReps: quick ? 5 : 15,
  httpLevels: quick ? [1, 8] : [1, 8, 32],
  httpSeconds: quick ? 3 : 8,
  httpRounds: quick ? 1 : 3,
  sizes: (flags.sizes ?? (quick ? "1000" : "1000,10000")).split(",").map(Number),
  allPodsReps: (pods: number) => (quick ? 1 : pods > 5_000 ? 2 : 3),
};
const only = new Set((flags.only ?? "startup,reads,http,allpods,hub,replicas").split(","));
const wanted = flags.servers?.split(",");
const OUT = join(import.meta.dirname, "out");

// Run kube-mcp from a private copy of its build: a concurrent `npm run build` empties dist/.
const snapshot = join(OUT, "kube-mcp-dist");
rmSync(snapshot, { recursive: true, force: true });
if (existsSync(join(flags.dist ?? KUBE_MCP_DIST, "cli.js")))
  cpSync(flags.dist ?? KUBE_MCP_DIST, snapshot, { recursive: true });
const baseline = join(OUT, "kube-mcp-baseline-dist");
rmSync(baseline, { recursive: true, force: true });
if (flags.baseline) cpSync(flags.baseline, baseline, { recursive: true });
const SERVERS = [
  ...allServers(snapshot),
  ...(flags.baseline ? [{ ...kubeMcp(baseline), name: "kube-mcp (baseline)" }] : []),
];
const servers = SERVERS.filter(
  (s) =>
    !wanted || wanted.includes(s.name) || (s.name === "kube-mcp (baseline)" && wanted.includes("kube-mcp")),
);

// Ctrl-C: exit through process.on("exit"), which stops every server this run started.
for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => process.exit(130));

const out: Section[] = [];
const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);
const emit = (...sections: Section[]) => {
  for (const s of sections) {
    out.push(s);
    process.stdout.write(`${markdown(s)}\n`);
  }
};

const header = [
  `# kube-mcp bench${quick ? " (--quick)" : ""}`,
  "",
  `Date: ${new Date().toISOString()}  `,
  `Machine: ${machine()}`,
  "",
];
process.stdout.write(`${header.join("\n")}\n`);
for (const s of SERVERS) {
  const why = s.missing();
  if (why) log(`${s.name}: ${why}; skipped`);
}
const ready = servers.filter((s) => !s.missing());

// Reads and HTTP want 100 pods in namespace scale, start-up does not care; a run whose only scenario that
// sizes the bed is allpods starts at its first size.
const firstSize =
  only.has("reads") || only.has("http") || !only.has("allpods") ? 100 : (plan.sizes[0] ?? 100);
log(`starting (or reusing) the bench's test bed: ${firstSize} pods in namespace scale on alpha`);
const bed = await benchBed(firstSize);
log(`test bed ${bed.dir} (KUBECONFIG=${bed.kubeconfig})`);
const kubeconfig = bed.kubeconfig;
// mcp-server-kubernetes runs `kubectl` from PATH for every call: give it the kubectl matching the bed's
// API server rather than whatever wrapper the machine has.
process.env.PATH = `${bed.bin}:${process.env.PATH ?? ""}`;
try {
  if (only.has("startup")) {
    log(`startup: ${plan.startupReps} cold starts per server`);
    emit(...startupSections(await startup(ready, { kubeconfig, reps: plan.startupReps })));
  }
  if (only.has("reads")) {
    log(`reads: ${plan.readReps} calls per read per server`);
    const spec = {
      listNamespace: "scale",
      deployment: { namespace: "shop", name: "web" },
      logs: { namespace: "shop", labelSelector: "app=web", tail: 200 },
    };
    emit(readsSection(await reads(ready, { kubeconfig, reps: plan.readReps, spec })));
  }
  if (only.has("http")) {
    log(`http: ${plan.httpLevels.join("/")} clients, ${plan.httpRounds} × ${plan.httpSeconds} s each`);
    const stats = await httpLoad(ready, {
      kubeconfig,
      levels: plan.httpLevels,
      seconds: plan.httpSeconds,
      rounds: plan.httpRounds,
      call: (s) => s.getDeployment("shop", "web"),
    });
    emit(httpSection(stats, "get deployment shop/web", plan.httpSeconds, plan.httpRounds));
  }
  if (only.has("allpods")) {
    // mcp-server-kubernetes caps kubectl's output at 1 MiB by default (SPAWN_MAX_BUFFER); a second row
    // shows what it does with the cap raised, next to the default that users get.
    const bigLists = ready.includes(tsPeer)
      ? [...ready, tuned(tsPeer, "SPAWN_MAX_BUFFER=256MiB", { SPAWN_MAX_BUFFER: String(256 * 2 ** 20) })]
      : ready;
    const results = [];
    for (const pods of plan.sizes) {
      log(`allpods: scaling alpha to ${pods} pods (10,000 takes minutes)`);
      await bed.resize(pods);
      const reps = plan.allPodsReps(pods);
      log(`allpods: ${reps} run(s) per server at ${pods} pods`);
      results.push(await allPods(bigLists, { kubeconfig, pods, reps, timeoutMs: 180_000 }));
    }
    emit(allPodsSection(results));
  }
  if (only.has("hub")) {
    const agents = quick ? 50 : 300;
    log(`hub: routed calls, fan-out, then ${agents} agents connecting`);
    emit(await hubSection({ dist: snapshot, kubeconfig, reps: plan.readReps * 2, agents }));
  }
  if (only.has("replicas")) {
    const agents = quick ? 20 : 100;
    log(`replicas: calls routed over NATS, then ${agents} agents spreading over two replicas`);
    emit(await replicasSection({ dist: snapshot, kubeconfig, reps: plan.readReps * 2, agents }));
  }
} finally {
  if (bed.startedHere && !process.env.KUBE_MCP_TESTBED_KEEP) {
    log("stopping the test bed this run started (KUBE_MCP_TESTBED_KEEP=1 keeps it)");
    await bed.stop();
  }
  const dir = OUT;
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "latest.md"),
    [...header, `Machine after: ${machine()}`, "", ...out.map(markdown)].join("\n"),
  );
  writeFileSync(join(dir, "latest.json"), JSON.stringify({ plan, sections: out }, null, 2));
  log(`wrote ${join(dir, "latest.md")} and latest.json`);
}

// The whole bed: builds (or finds) the binaries, starts alpha and beta in parallel, applies fixtures,
// writes one kubeconfig, and records every pid in state.json so `down` (or a failed `up`) stops them all.
import { execFile } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type ClusterState, nodesFor, nodesYaml, startClusterWithRetry } from "./cluster.js";
import { applyFixtures, applyScale, FIXTURES_REVISION, helmFor } from "./fixtures.js";
import { httpsGet, kubectlFor } from "./kube.js";
import { writeKubeconfig } from "./kubeconfig.js";
import { alive, stopAll } from "./proc.js";

export const CLUSTERS = ["alpha", "beta"] as const;

/** Bump when what a bed simulates changes (kwok config, stages, fixtures): older running beds are replaced. */
export const BED_REVISION = 2;

export interface BedState {
  version: 1;
  revision?: number;
  /** The FIXTURES_REVISION last applied; a fixture change is applied to a running bed, not restarted. */
  fixtures?: number;
  bin: string;
  kubeconfig: string;
  pods: number;
  startedAt: string;
  clusters: ClusterState[];
}

export const stateDir = () =>
  process.env.KUBE_MCP_TESTBED_DIR ?? join(tmpdir(), `kube-mcp-testbed-${userInfo().uid}`);
const statePath = () => join(stateDir(), "state.json");
const log = (msg: string) => process.stderr.write(`testbed: ${msg}\n`);

export function readState(): BedState | undefined {
  try {
    return JSON.parse(readFileSync(statePath(), "utf8")) as BedState;
  } catch {
    return undefined;
  }
}

const allPids = (s: BedState) => s.clusters.flatMap((c) => c.procs.map((p) => p.pid));

/** A bed is reusable when every process it started is alive and every API server answers /readyz. */
export async function healthy(s: BedState): Promise<boolean> {
  if (!allPids(s).every(alive) || !existsSync(s.kubeconfig)) return false;
  try {
    const checks = await Promise.all(s.clusters.map((c) => httpsGet(`${c.server}/readyz`, c.pki)));
    return checks.every((r) => r.status === 200);
  } catch {
    return false;
  }
}

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(stateDir(), { recursive: true });
  const lock = join(stateDir(), "lock");
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      closeSync(openSync(lock, "wx"));
      writeFileSync(lock, String(process.pid));
      break;
    } catch {
      const holder = Number(readFileSync(lock, "utf8") || "0");
      if (holder && !alive(holder)) rmSync(lock, { force: true });
      else if (Date.now() > deadline)
        throw new Error(`another testbed command (pid ${holder}) holds ${lock}`);
      else await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

const buildScript = join(dirname(fileURLToPath(import.meta.url)), "..", "build.sh");

/** Runs build.sh (a no-op when cached) and returns the bin directory it prints last. */
export async function ensureBinaries(): Promise<string> {
  const { stdout } = await promisify(execFile)(buildScript, [], { maxBuffer: 64 * 1024 * 1024 }).catch(
    (err) => {
      throw new Error(`test bed binaries could not be built:\n${(err as { stderr?: string }).stderr ?? err}`);
    },
  );
  const bin = stdout.trim().split("\n").pop();
  if (!bin) throw new Error("build.sh printed no bin directory");
  return bin;
}

export async function down(): Promise<boolean> {
  const s = readState();
  const pids = s ? allPids(s) : [];
  if (pids.length) await stopAll(pids);
  const existed = existsSync(stateDir());
  rmSync(stateDir(), { recursive: true, force: true });
  return existed;
}

async function resize(s: BedState, pods: number): Promise<void> {
  const alpha = s.clusters.find((c) => c.name === "alpha");
  if (!alpha || s.pods === pods) return;
  const kubectl = kubectlFor(s.bin, join(alpha.dir, "admin.kubeconfig"));
  if (nodesFor(pods) > alpha.nodes) {
    await kubectl(["apply", "-f", "-"], { input: nodesYaml(nodesFor(pods)) });
    alpha.nodes = nodesFor(pods);
  }
  log(`scaling alpha to ${pods} extra pods`);
  await applyScale(kubectl, pods);
  s.pods = pods;
  writeFileSync(statePath(), JSON.stringify(s, null, 2));
}

function fixturesOn(bin: string, c: ClusterState): Promise<void> {
  const kubeconfig = join(c.dir, "admin.kubeconfig");
  return applyFixtures(kubectlFor(bin, kubeconfig), c.name, helmFor(bin, kubeconfig));
}

/** Fixtures apply idempotently, so tests already running against the bed are not disturbed. */
async function reapplyFixtures(s: BedState): Promise<void> {
  log("applying the changed fixtures to the running test bed");
  await Promise.all(s.clusters.map((c) => fixturesOn(s.bin, c)));
  s.fixtures = FIXTURES_REVISION;
  writeFileSync(statePath(), JSON.stringify(s, null, 2));
}

export async function up(opts: { pods?: number } = {}): Promise<BedState> {
  return withLock(async () => {
    const existing = readState();
    if (existing && existing.revision !== BED_REVISION) {
      log("the running test bed is from an older definition; replacing it");
      await stopAll(allPids(existing));
    } else if (existing && (await healthy(existing))) {
      log("reusing the running test bed");
      if (existing.fixtures !== FIXTURES_REVISION) await reapplyFixtures(existing);
      if (opts.pods !== undefined) await resize(existing, opts.pods);
      return existing;
    } else if (existing) {
      log("found a stale or half-started test bed; cleaning it up");
      await stopAll(allPids(existing));
    }
    const dir = stateDir();
    for (const c of CLUSTERS) rmSync(join(dir, c), { recursive: true, force: true });
    await promisify(execFile)("openssl", ["version"]).catch(() => {
      throw new Error(
        "openssl is not installed; the test bed needs it for its certificates. Install it (Debian: apt-get install openssl) and re-run.",
      );
    });
    const bin = await ensureBinaries();
    const started = Date.now();
    const results = await Promise.allSettled(
      CLUSTERS.map((name) =>
        startClusterWithRetry(name, join(dir, name), bin, name === "alpha" ? nodesFor(opts.pods ?? 0) : 3),
      ),
    );
    const clusters = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const state: BedState = {
      version: 1,
      revision: BED_REVISION,
      bin,
      kubeconfig: join(dir, "kubeconfig"),
      pods: 0,
      startedAt: new Date().toISOString(),
      clusters,
    };
    writeFileSync(statePath(), JSON.stringify(state, null, 2));
    try {
      const failed = results.find((r) => r.status === "rejected");
      if (failed) throw failed.reason;
      log(`control planes ready in ${((Date.now() - started) / 1000).toFixed(1)}s; applying fixtures`);
      await Promise.all(clusters.map((c) => fixturesOn(bin, c)));
      state.fixtures = FIXTURES_REVISION;
      writeFileSync(statePath(), JSON.stringify(state, null, 2));
      writeKubeconfig(state.kubeconfig, clusters, "alpha");
      await resize(state, opts.pods ?? 0);
      log(`ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
      return state;
    } catch (err) {
      log("start-up failed; stopping everything that was started");
      await stopAll(allPids(state));
      rmSync(statePath(), { force: true });
      throw err;
    }
  });
}

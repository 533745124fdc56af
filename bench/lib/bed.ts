// The bench's own test bed: a separate state directory, so resizing alpha to 10,000 pods never touches
// the bed the test suite (or a developer) is using. Reuses testbed/lib/bed.ts for start, resize and stop.
import { appendFileSync, readFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { down, healthy, readState, stateDir, up } from "../../testbed/lib/bed.js";
import { LOG_LINES } from "../../testbed/lib/sim.js";
import { RawApi } from "./floor.js";

export interface Bed {
  kubeconfig: string;
  dir: string;
  /** The bed's binaries; its kubectl (the API server's version) is the one a peer that shells out runs. */
  bin: string;
  /** True when this run started the bed, so it should stop it at the end. */
  startedHere: boolean;
  resize(pods: number): Promise<void>;
  stop(): Promise<void>;
}

export async function benchBed(pods: number): Promise<Bed> {
  process.env.KUBE_MCP_TESTBED_DIR ??= join(tmpdir(), `kube-mcp-bench-bed-${userInfo().uid}`);
  const before = readState();
  const startedHere = !(before && (await healthy(before)));
  const state = await up({ pods });
  await settled(state.kubeconfig, pods);
  padLogs(state.clusters.find((c) => c.name === "alpha")?.dir, 300);
  return {
    kubeconfig: state.kubeconfig,
    dir: stateDir(),
    bin: state.bin,
    startedHere,
    resize: async (n) => {
      await up({ pods: n });
      await settled(state.kubeconfig, n);
    },
    stop: async () => {
      await down();
    },
  };
}

/**
 * A scale-down returns once the Deployment has its replica count, while thousands of pods are still
 * terminating (and still listed). Wait until namespace `scale` holds exactly `pods` pods.
 */
async function settled(kubeconfig: string, pods: number, timeoutMs = 15 * 60_000): Promise<void> {
  const api = new RawApi(kubeconfig, "alpha");
  try {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(2_000)) {
      const page = await api.json<{ items: unknown[]; metadata: { remainingItemCount?: number } }>(
        "/api/v1/namespaces/scale/pods?limit=1",
      );
      if (page.items.length + (page.metadata.remainingItemCount ?? 0) === pods) return;
    }
    throw new Error(`namespace scale did not settle at ${pods} pods in ${timeoutMs / 60_000} min`);
  } finally {
    api.close();
  }
}

/**
 * Every simulated container shows the same log file, five lines long in the fixtures. The "200 log
 * lines" read needs more, so the bench (on its own bed only) appends numbered lines in the same format.
 */
function padLogs(clusterDir: string | undefined, lines: number): void {
  if (!clusterDir) return;
  const file = join(clusterDir, "sim", "container.log");
  const have = readFileSync(file, "utf8").split("\n").filter(Boolean).length;
  if (have >= lines) return;
  const t0 = Date.parse("2026-01-01T00:01:00Z");
  const extra = Array.from({ length: lines - have }, (_, i) => {
    const msg = LOG_LINES[i % LOG_LINES.length] as string;
    return `${new Date(t0 + i * 1000).toISOString()} stdout F ${msg} seq=${i}`;
  });
  appendFileSync(file, `${extra.join("\n")}\n`);
}

// The fault schedule: each fault is done, held, undone, and then timed until every cluster answers
// correctly through every replica again (the recovery time). No fault is undone by hand: the agents,
// replicas and NATS clients find their way back by themselves; the soak only restarts what it killed.
import { setTimeout as sleep } from "node:timers/promises";
import { type Nats, startNats } from "../../testbed/lib/nats.js";
import type { ApiServer, Role } from "./cast.js";
import { type Conn, type Ctx, runCall } from "./load.js";

export interface Fault {
  name: string;
  /** Does the fault; resolves with what undoes it. */
  inject(): Promise<() => Promise<void>>;
  holdMs: number;
}

export interface FaultRun {
  name: string;
  injectedAt: number;
  restoredAt: number;
  /** When every cluster answered correctly through every replica again (undefined: never, within the limit). */
  recoveredAt?: number;
}

/** What a hub soak runs; a serve soak has none of it. */
export interface Cast {
  replicas: Role[];
  agents: Record<"alpha" | "beta", Role>;
  nats: { current: Nats; port: number };
}

/** The schedule: the hub's faults (with a hub), then the API server's (unless left out). */
export function faults(cast: Cast | undefined, api: ApiServer | undefined): Fault[] {
  return [...(cast ? hubFaults(cast) : []), ...(api ? apiFaults(api) : [])];
}

function hubFaults(cast: Cast): Fault[] {
  const restart = (r: Role, ready: RegExp) => async () => {
    r.start();
    await r.waitFor(ready).catch(() => {});
  };
  const list: Fault[] = [
    {
      name: "agent beta SIGKILL",
      holdMs: 5000,
      async inject() {
        await cast.agents.beta.kill("SIGKILL");
        return restart(cast.agents.beta, /registered with the hub/);
      },
    },
    {
      name: "hub replica 2 SIGKILL",
      holdMs: 5000,
      async inject() {
        await (cast.replicas[1] as Role).kill("SIGKILL");
        return restart(cast.replicas[1] as Role, /"msg":"hub serving"/);
      },
    },
    {
      name: "NATS SIGKILL + restart",
      holdMs: 5000,
      async inject() {
        process.kill(cast.nats.current.pid, "SIGKILL");
        return async () => {
          cast.nats.current = await startNats({ port: cast.nats.port });
        };
      },
    },
    {
      name: "agent alpha stalled (SIGSTOP)",
      // Longer than the hub's dead-peer limit (2 heartbeats + 1 s): the hub drops it, it comes back.
      holdMs: 8000,
      async inject() {
        cast.agents.alpha.signal("SIGSTOP");
        return async () => cast.agents.alpha.signal("SIGCONT");
      },
    },
  ];
  return list;
}

function apiFaults(api: ApiServer): Fault[] {
  return [
    {
      name: "beta kube-apiserver stalled 3 s (slow API)",
      holdMs: 3000,
      async inject() {
        api.signal("SIGSTOP");
        return async () => api.signal("SIGCONT");
      },
    },
    {
      name: "beta kube-apiserver SIGKILL",
      holdMs: 5000,
      async inject() {
        const again = api.kill();
        return async () => {
          await again();
          for (let i = 0; i < 240 && !(await api.ready()); i++) await sleep(250);
        };
      },
    },
  ];
}

/** True when both clusters answer with their own uid through every probe (one probe per replica). */
async function healthy(probes: Conn[], ctx: Ctx): Promise<boolean> {
  for (const p of probes)
    for (const cluster of ["alpha", "beta"]) {
      const r = await runCall(
        p,
        { ...ctx, deadlineMs: Math.min(ctx.deadlineMs, 10_000) },
        {
          kind: "probe",
          name: "resources_get",
          args: { kind: "namespace", name: "kube-system", cluster },
          clusters: [cluster],
          carriesUid: true,
        },
      );
      if (r.outcome !== "ok") return false;
    }
  return true;
}

export async function runFault(
  f: Fault,
  probes: Conn[],
  ctx: Ctx,
  log: (m: string) => void,
  limitMs = 120_000,
): Promise<FaultRun> {
  const injectedAt = Date.now();
  log(`fault: ${f.name}`);
  const undo = await f.inject();
  await sleep(f.holdMs);
  await undo();
  const restoredAt = Date.now();
  const run: FaultRun = { name: f.name, injectedAt, restoredAt };
  while (Date.now() - restoredAt < limitMs) {
    if (await healthy(probes, ctx)) {
      run.recoveredAt = Date.now();
      break;
    }
    await sleep(250);
  }
  log(
    run.recoveredAt
      ? `  recovered ${run.recoveredAt - restoredAt} ms after it was undone`
      : `  NOT recovered ${limitMs / 1000} s after it was undone`,
  );
  return run;
}

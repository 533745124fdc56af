// Two hub replicas sharing agents over a real nats-server on loopback: agent alpha on replica 1, beta on
// replica 2 (given both replicas' URLs). A client of either replica sees and reaches both clusters; when
// replica 2 is SIGKILLed, calls to beta end with an error naming beta until its agent has moved to
// replica 1, then succeed again; no answer ever comes from the wrong cluster.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Nats, startNats } from "../testbed/lib/nats.js";
import { makePki } from "../testbed/lib/pki.js";
import { freePort, type Proc, spawnRole, TOKENS } from "./helpers/fleet.js";
import { call, httpSession, type Session } from "./helpers/mcp.js";
import { run } from "./helpers/run.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const dir = mkdtempSync(join(tmpdir(), "kube-mcp-hub-nats-"));
const agentConfig = join(dir, "agent.yaml");
/** This file's own namespace on alpha, with a paused Deployment whose rollout status reports progress. */
const ns = `nats-${Date.now().toString(36)}`;
/** A call that runs until cancelled or until its agent's link goes (the pod never becomes ready). */
const SLOW = {
  args: ["wait", "pod/stuck-pending", "-n", "ops", "--for=condition=Ready", "--timeout=20s"],
  timeout: 25,
};
/** A call that has not ended by then has hung: the hub must always answer first. */
const DEADLINE_MS = 20_000;

let nats: Nats;
const ports: number[] = [];
const hubs: Proc[] = [];
const agents: Proc[] = [];
const clients: Session[] = [];
/** kube-system's uid in each cluster: an answer carrying the other one came from the wrong cluster. */
const uid: Record<string, string> = {};

/** Replica 2 alone hides ConfigMaps on alpha: its calls carry that policy to the replica holding alpha. */
const replica2Config = join(dir, "replica-2.yaml");
const startHub = (port: number) =>
  spawnRole(
    "hub",
    [
      ...["--http", `127.0.0.1:${port}`, "--mode", "non-destructive", "--nats-url", nats.url],
      ...(port === ports[1] ? ["--config", replica2Config] : []),
    ],
    { CLUSTER_TOKENS: JSON.stringify(TOKENS) },
  );
const startAgent = (name: "alpha" | "beta", urls: number[], args: string[] = []) =>
  spawnRole("agent", ["--health", "127.0.0.1:0", "--config", agentConfig, ...args], {
    KUBECONFIG: kubeconfig,
    K8S_CONTEXT: name,
    CENTRAL_SERVER_URL: urls.map((p) => `ws://127.0.0.1:${p}/agent`).join(","),
    CLUSTER_NAME: name,
    AGENT_TOKEN: TOKENS[name],
    PATH: `${bin}:${process.env.PATH ?? ""}`,
  });
const replicaId = (p: Proc) => /"replica":"([^"]+)"/.exec(p.log())?.[1] as string;

type Outcome = { ok: boolean; text: string; ms: number };
/** kubectl on `cluster` through `client`, raced against DEADLINE_MS so a hang shows as an outcome. */
async function uidOf(client: Session, cluster: string): Promise<Outcome> {
  const t0 = performance.now();
  const hang = sleep(DEADLINE_MS).then(() => ({
    isError: true,
    text: "HUNG: no answer within the deadline",
  }));
  const r = await Promise.race([
    call(client.client, "kubectl", {
      args: ["get", "ns", "kube-system", "-o", "jsonpath={.metadata.uid}"],
      cluster,
    }),
    hang,
  ]);
  return { ok: !r.isError, text: r.text, ms: Math.round(performance.now() - t0) };
}
/** Which cluster's uid an answer carries (undefined: none). */
const answeredBy = (text: string) => Object.keys(uid).find((c) => text.includes(uid[c] as string));

async function rows(client: Session): Promise<Map<string, string[]>> {
  const r = await call(client.client, "clusters_list");
  expect(r.isError, r.text).toBe(false);
  return new Map((r.structured as { rows: string[][] }).rows.map((row) => [row[0] as string, row]));
}
async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

beforeAll(async () => {
  writeFileSync(agentConfig, "agent: {maxBackoffMs: 1000}\n");
  writeFileSync(replica2Config, "clusters: {alpha: {kinds: {deny: [configmaps]}}}\n");
  for (const c of ["alpha", "beta"]) {
    const r = await run(join(bin, "kubectl"), [
      ...["--kubeconfig", kubeconfig, "--context", c],
      ...["get", "ns", "kube-system", "-o", "jsonpath={.metadata.uid}"],
    ]);
    uid[c] = r.stdout.trim();
  }
  expect(uid.alpha).not.toBe(uid.beta);
  const manifest = join(dir, "paused.yaml");
  writeFileSync(
    manifest,
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: demo, namespace: ${ns}}\nspec:\n  paused: true\n  replicas: 1\n  selector: {matchLabels: {app: demo}}\n  template:\n    metadata: {labels: {app: demo}}\n    spec: {containers: [{name: demo, image: "registry.example/demo:1"}]}\n`,
  );
  const applied = await run(join(bin, "kubectl"), [
    "--kubeconfig",
    kubeconfig,
    "--context",
    "alpha",
    "apply",
    "-f",
    manifest,
  ]);
  expect(applied.code, applied.stderr).toBe(0);
  nats = await startNats();
  ports.push(await freePort(), await freePort());
  hubs.push(...ports.map(startHub));
  await Promise.all(hubs.map((h) => h.waitFor(/"msg":"hub serving"/)));
  agents.push(
    startAgent("alpha", [ports[0] as number], ["--mode", "non-destructive"]),
    startAgent("beta", [ports[1], ports[0]] as number[]),
  );
  await Promise.all(agents.map((a) => a.waitFor(/registered with the hub/)));
  for (const p of ports) clients.push(await httpSession(`http://127.0.0.1:${p}/mcp`, { era: "modern" }));
  // Presence travels on NATS: wait until each replica sees the other's agent.
  await until("both replicas to see both agents", async () => {
    for (const c of clients) {
      const r = await rows(c);
      if (r.get("alpha")?.[2] !== "yes" || r.get("beta")?.[2] !== "yes") return false;
    }
    return true;
  });
  // A cold build of nats-server (a fresh machine without `npm run testbed:build`) takes a minute or two.
}, 300_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  await Promise.all([...agents, ...hubs].map((p) => p.stop()));
  await nats?.stop();
  await run(join(bin, "kubectl"), [
    ...["--kubeconfig", kubeconfig, "--context", "alpha"],
    ...["delete", "namespace", ns, "--wait=false"],
  ]);
});

describe("hub replicas sharing agents over NATS", () => {
  it("lists every cluster of every replica, with the replica that holds it", async () => {
    const [one, two] = [replicaId(hubs[0] as Proc), replicaId(hubs[1] as Proc)];
    expect(one).not.toBe(two);
    const r = await rows(clients[0] as Session);
    expect(r.get("alpha")?.slice(2, 3)).toEqual(["yes"]);
    expect(r.get("alpha")?.at(-1)).toBe(`${one} (here)`);
    expect(r.get("beta")?.slice(2, 3)).toEqual(["yes"]);
    expect(r.get("beta")?.[5]).toBe("v1.36.3");
    expect(r.get("beta")?.at(-1)).toBe(two);
    expect(r.get("gamma")?.slice(2, 4)).toEqual(["no", "never"]);
    const metrics = await (await fetch(`http://127.0.0.1:${ports[0]}/metrics`)).text();
    expect(metrics).toContain("\nkube_mcp_nats_connected 1\n");
    expect(metrics).toContain("\nkube_mcp_hub_replicas_seen 1\n");
  });

  it('fans out over "*" with rows from clusters held by both replicas, progress carried across', async () => {
    const progress: string[] = [];
    const star = await call(
      clients[0]?.client as Session["client"],
      "resources_list",
      { kind: "namespaces", cluster: "*" },
      (p) => progress.push(p.message ?? ""),
    );
    const got = (star.structured as { rows: string[][] }).rows;
    expect(new Set(got.map((row) => row[0]))).toEqual(new Set(["alpha", "beta"]));
    expect(star.text).toContain("Cluster gamma failed: Cluster gamma");
    expect(progress.sort()).toEqual(["alpha done", "beta done", "gamma failed"]);
  });

  it("answers requests alternating between replicas, each from the cluster it names", async () => {
    for (let i = 0; i < 12; i++) {
      const cluster = i % 3 === 0 ? "beta" : "alpha";
      const r = await uidOf(clients[i % 2] as Session, cluster);
      expect(r.ok, r.text).toBe(true);
      expect(answeredBy(r.text)).toBe(cluster);
    }
  });

  it("routes a call across replicas at a small cost over a local one (measured, not asserted)", async () => {
    const args = { kind: "namespace", name: "kube-system", cluster: "alpha" };
    const ms: [number[], number[]] = [[], []];
    for (let i = 0; i < 40; i++)
      for (const side of [0, 1] as const) {
        const t0 = performance.now();
        const r = await call((clients[side] as Session).client, "resources_get", args);
        ms[side].push(performance.now() - t0);
        expect(r.isError, r.text).toBe(false);
        expect(r.text).toContain(uid.alpha);
      }
    const median = (xs: number[]) => (xs.sort((a, b) => a - b)[xs.length >> 1] as number).toFixed(1);
    console.log(
      `resources_get on alpha: median ${median(ms[0])} ms local, ${median(ms[1])} ms via replica 2 and NATS`,
    );
  });

  it("carries the caller and the calling replica's namespace and kind policy across replicas", async () => {
    const args = { kind: "configmaps", namespace: ns, cluster: "alpha" };
    const here = await call((clients[0] as Session).client, "resources_list", args);
    expect(here.isError, here.text).toBe(false);
    const there = await call((clients[1] as Session).client, "resources_list", args);
    expect(there.isError).toBe(true);
    expect(there.text).toContain("configmaps is hidden on cluster alpha (kinds.deny configmaps)");
    // The agent names the caller the calling replica authenticated (here no one), not only the hub call.
    const line = (agents[0] as Proc)
      .log()
      .split("\n")
      .filter((l) => l.includes('"audit":true') && l.includes('"tool":"resources_list"'))
      .map((l) => JSON.parse(l))
      .pop();
    expect(line).toMatchObject({ role: "agent", caller: "anonymous", outcome: "error" });
    expect(line.via).toMatch(/^hub call \d+$/);
  });

  it("carries the agent's progress back across replicas", async () => {
    const seen: { progress: number; total?: number; message?: string }[] = [];
    const r = await call(
      clients[1]?.client as Session["client"],
      "rollout_status",
      {
        cluster: "alpha",
        namespace: ns,
        action: "status",
        kind: "deployment",
        name: "demo",
        timeoutSeconds: 2,
      },
      (p) => seen.push(p),
    );
    expect(r.text).toContain("deployments.apps/demo: the rollout is paused");
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen[0]).toMatchObject({ total: 2, message: "the rollout is paused" });
  });

  it("carries a client's cancellation to the agent behind the other replica", async () => {
    const ctl = new AbortController();
    const started = (clients[0] as Session).client
      .callTool({ name: "kubectl", arguments: { ...SLOW, cluster: "beta" } }, { signal: ctl.signal })
      .catch((e: Error) => e);
    await sleep(1500);
    ctl.abort();
    await started;
    const line = await (agents[1] as Proc).waitFor(
      /\{[^\n]*"audit":true[^\n]*"tool":"kubectl"[^\n]*"error":"The call was cancelled[^\n]*\}/,
      5000,
    );
    expect(JSON.parse(line).ms).toBeLessThan(10_000);
  });

  it("gives a cluster connected to both replicas one owner, the newest connection, on every replica", async () => {
    const two = replicaId(hubs[1] as Proc);
    const second = startAgent("alpha", [ports[1] as number]);
    try {
      await second.waitFor(/registered with the hub/);
      await until("both replicas to agree alpha's newest connection owns it", async () => {
        const [a, b] = await Promise.all(clients.map(rows));
        return a?.get("alpha")?.at(-1) === two && b?.get("alpha")?.at(-1) === `${two} (here)`;
      });
      for (const c of clients) expect(answeredBy((await uidOf(c, "alpha")).text)).toBe("alpha");
    } finally {
      await second.stop();
    }
    await until("alpha to fall back to its connection on replica 1", async () => {
      const r = await rows(clients[1] as Session);
      return r.get("alpha")?.at(-1) === replicaId(hubs[0] as Proc);
    });
  });

  it("fails calls to beta with its name while its replica is dead, then serves it from the survivor", async () => {
    const client = clients[0] as Session;
    const outcomes: (Outcome & { at: number })[] = [];
    let killedAt = 0;
    let stop = false;
    // Four callers keep calls to beta in flight while replica 2 is killed.
    const loop = async () => {
      while (!stop) {
        const r = await uidOf(client, "beta");
        outcomes.push({ ...r, at: Date.now() });
        if (!r.ok) await sleep(100);
      }
    };
    const loops = [loop(), loop(), loop(), loop()];
    await until("traffic to beta", async () => outcomes.filter((o) => o.ok).length >= 8);
    // And one call that is surely in flight on replica 2 when it dies.
    const slow = Promise.race([
      call(client.client, "kubectl", { ...SLOW, cluster: "beta" }),
      sleep(DEADLINE_MS).then(() => ({ isError: true, text: "HUNG: no answer within the deadline" })),
    ]).then((r) => ({ ...r, endedAt: Date.now() }));
    await sleep(1000);
    killedAt = Date.now();
    await (hubs[1] as Proc).stop("SIGKILL");
    const inFlight = await slow;
    await until(
      "beta to be served again after the kill",
      async () => outcomes.filter((o) => o.ok && o.at > killedAt + 200).length >= 8,
      30_000,
    );
    stop = true;
    await Promise.all(loops);

    const after = outcomes.filter((o) => o.at > killedAt);
    const failed = after.filter((o) => !o.ok);
    const firstOk = after.find((o) => o.ok && failed.some((f) => f.at < o.at));
    // Figures for the report; the assertions below are on outcomes only.
    console.log(
      `kill → ${failed.length} failed calls (max ${Math.max(0, ...failed.map((f) => f.ms))} ms each), ` +
        `beta served again ${(firstOk?.at ?? killedAt) - killedAt} ms after the kill; ` +
        `the call in flight ended ${inFlight.endedAt - killedAt} ms after it (${inFlight.text.split(";")[0]}); ` +
        `errors: ${[...new Set(failed.map((f) => f.text.split(";")[0]))].join(" | ")}`,
    );
    expect(inFlight.isError).toBe(true);
    expect(inFlight.text).toMatch(/^Cluster beta was held by hub replica \S+, which is gone/);
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) {
      expect(f.text).not.toContain("HUNG");
      expect(f.text).toMatch(/\bbeta\b/);
    }
    for (const o of outcomes.filter((x) => x.ok)) expect(answeredBy(o.text)).toBe("beta");
    // Beta's agent moved to replica 1, which now holds both.
    const r = await rows(client);
    expect(r.get("beta")?.at(-1)).toMatch(/\(here\)$/);
    expect(r.get("alpha")?.[2]).toBe("yes");
    expect(answeredBy((await uidOf(client, "alpha")).text)).toBe("alpha");
  });
});

describe("hub replicas and NATS trouble", () => {
  it("is alive but not ready while NATS is unreachable, retries, and joins once it is up", async () => {
    const [natsPort, port] = [await freePort(), await freePort()];
    const hub = spawnRole(
      "hub",
      ["--http", `127.0.0.1:${port}`, "--nats-url", `nats://127.0.0.1:${natsPort}`],
      {
        CLUSTER_TOKENS: JSON.stringify(TOKENS),
      },
    );
    let late: Nats | undefined;
    try {
      await hub.waitFor(/"msg":"hub serving"/);
      await hub.waitFor(/NATS unreachable; not ready, retrying/);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503);
      late = await startNats({ port: natsPort });
      await hub.waitFor(/sharing agents with other hub replicas over NATS/, 20_000);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    } finally {
      await hub.stop();
      await late?.stop();
    }
  });

  it("authenticates to NATS with the token from KUBE_MCP_NATS_TOKEN, and is not ready with a wrong one", async () => {
    const conf = join(dir, "token.conf");
    const token = "nats-token-0123456789abcdef";
    writeFileSync(conf, `authorization { token: "${token}" }\n`);
    const guarded = await startNats({ config: conf });
    const [good, bad] = [await freePort(), await freePort()];
    const hub = (port: number, t: string) =>
      spawnRole("hub", ["--http", `127.0.0.1:${port}`, "--nats-url", guarded.url], {
        CLUSTER_TOKENS: JSON.stringify(TOKENS),
        KUBE_MCP_NATS_TOKEN: t,
      });
    const [ok, wrong] = [hub(good, token), hub(bad, "not-the-token-0123456789")];
    try {
      await ok.waitFor(/sharing agents with other hub replicas over NATS/, 20_000);
      expect((await fetch(`http://127.0.0.1:${good}/readyz`)).status).toBe(200);
      await wrong.waitFor(/NATS unreachable; not ready, retrying/, 20_000);
      expect(wrong.log()).toMatch(/authoriz/i);
      expect(wrong.log()).not.toContain("not-the-token");
      expect((await fetch(`http://127.0.0.1:${bad}/readyz`)).status).toBe(503);
    } finally {
      await Promise.all([ok.stop(), wrong.stop()]);
      await guarded.stop();
    }
  });

  it("speaks TLS to a NATS that verifies clients, given the CA and a client certificate", async () => {
    const pki = await makePki(join(dir, "nats-pki"), "nats");
    const conf = join(dir, "tls.conf");
    writeFileSync(
      conf,
      `tls { cert_file: "${pki.serverCert}", key_file: "${pki.serverKey}", ca_file: "${pki.caCert}", verify: true }\n`,
    );
    const secure = await startNats({ config: conf });
    const url = secure.url.replace("nats://", "tls://");
    const [good, bare] = [await freePort(), await freePort()];
    const hub = (port: number, extra: string[]) =>
      spawnRole(
        "hub",
        ["--http", `127.0.0.1:${port}`, "--nats-url", url, "--nats-ca", pki.caCert, ...extra],
        {
          CLUSTER_TOKENS: JSON.stringify(TOKENS),
        },
      );
    const [ok, noCert] = [
      hub(good, ["--nats-cert", pki.adminCert, "--nats-key", pki.adminKey]),
      hub(bare, []),
    ];
    try {
      await ok.waitFor(/sharing agents with other hub replicas over NATS/, 20_000);
      expect((await fetch(`http://127.0.0.1:${good}/readyz`)).status).toBe(200);
      // Without a client certificate the server ends the handshake: not ready, retrying.
      await noCert.waitFor(/NATS unreachable; not ready, retrying/, 20_000);
      expect((await fetch(`http://127.0.0.1:${bare}/readyz`)).status).toBe(503);
    } finally {
      await Promise.all([ok.stop(), noCert.stop()]);
      await secure.stop();
    }
    // A certificate without its key stops start-up with the rule.
    const half = spawnRole(
      "hub",
      ["--http", "127.0.0.1:0", "--nats-url", url, "--nats-cert", pki.adminCert],
      {
        CLUSTER_TOKENS: JSON.stringify(TOKENS),
      },
    );
    await half.waitFor(/tls\.certFile and tls\.keyFile go together/);
  });

  it("refuses an answer larger than NATS carries with an error naming the cluster", async () => {
    const conf = join(dir, "small-payload.conf");
    writeFileSync(conf, "max_payload: 8192\n");
    const small = await startNats({ config: conf });
    const [pa, pb] = [await freePort(), await freePort()];
    const pair = [pa, pb].map((p) =>
      spawnRole("hub", ["--http", `127.0.0.1:${p}`, "--nats-url", small.url], {
        CLUSTER_TOKENS: JSON.stringify(TOKENS),
      }),
    );
    const gamma = spawnRole("agent", ["--health", "127.0.0.1:0", "--config", agentConfig], {
      KUBECONFIG: kubeconfig,
      K8S_CONTEXT: "beta",
      CENTRAL_SERVER_URL: `ws://127.0.0.1:${pb}/agent`,
      CLUSTER_NAME: "gamma",
      AGENT_TOKEN: TOKENS.gamma,
      PATH: `${bin}:${process.env.PATH ?? ""}`,
    });
    let s: Session | undefined;
    try {
      await gamma.waitFor(/registered with the hub/);
      s = await httpSession(`http://127.0.0.1:${pa}/mcp`, { era: "modern" });
      const client = s;
      await until("replica a to see gamma", async () => (await rows(client)).get("gamma")?.[2] === "yes");
      const ok = await call(s.client, "kubectl", {
        args: ["get", "ns", "kube-system", "-o", "name"],
        cluster: "gamma",
      });
      expect(ok.isError, ok.text).toBe(false);
      const big = await call(s.client, "kubectl", {
        args: ["get", "all", "-A", "-o", "json"],
        cluster: "gamma",
      });
      expect(big.isError).toBe(true);
      expect(big.text).toMatch(/The answer from cluster gamma \(\d+ bytes\) is larger than NATS carries/);
    } finally {
      await s?.close();
      await Promise.all([gamma, ...pair].map((p) => p.stop()));
      await small.stop();
    }
  });

  it("degrades to its own agents during a NATS outage, says so, and recovers", async () => {
    const client = clients[0] as Session;
    const natsPort = Number(new URL(nats.url).port);
    await nats.stop();
    await until("clusters_list to report the outage", async () =>
      (await call(client.client, "clusters_list")).text.includes("NATS is unreachable"),
    );
    // Both agents now sit on replica 1 (replica 2 was killed above): both still answer.
    for (const c of ["alpha", "beta"]) expect(answeredBy((await uidOf(client, c)).text)).toBe(c);
    nats = await startNats({ port: natsPort });
    await until("the replica to reconnect to NATS", async () => {
      const text = (await call(client.client, "clusters_list")).text;
      return !text.includes("NATS is unreachable");
    });
    const metrics = await (await fetch(`http://127.0.0.1:${ports[0]}/metrics`)).text();
    expect(metrics).toContain("\nkube_mcp_nats_connected 1\n");
  });
});

// One trace across hub replicas: a client of replica 2 calls cluster alpha, whose agent is held by
// replica 1. The W3C trace context rides the NATS request, so replica 1's side of the hop, its agent
// call, the agent's span and the agent's API request all join the trace the client started.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Nats, startNats } from "../testbed/lib/nats.js";
import { freePort, type Proc, spawnRole, TOKENS } from "./helpers/fleet.js";
import { call, httpSession, type Session } from "./helpers/mcp.js";
import { clientTraceparent, type ReceivedSpan, type Receiver, startReceiver } from "./helpers/otlp.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const SERVER = 2;
const CLIENT = 3;

let rx: Receiver;
let nats: Nats;
const procs: Proc[] = [];
let client: Session;
let ports: number[] = [];

beforeAll(async () => {
  rx = await startReceiver();
  nats = await startNats();
  const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" };
  ports = [await freePort(), await freePort()];
  const hubs = ports.map((p) =>
    spawnRole("hub", ["--http", `127.0.0.1:${p}`, "--nats-url", nats.url], {
      CLUSTER_TOKENS: JSON.stringify({ alpha: TOKENS.alpha }),
      ...otel,
    }),
  );
  procs.push(...hubs);
  await Promise.all(hubs.map((h) => h.waitFor(/"msg":"hub serving"/)));
  const config = join(mkdtempSync(join(tmpdir(), "kube-mcp-tracing-nats-")), "agent.yaml");
  writeFileSync(config, "agent: {maxBackoffMs: 1000}\n");
  const agent = spawnRole("agent", ["--health", "127.0.0.1:0", "--config", config], {
    KUBECONFIG: kubeconfig,
    K8S_CONTEXT: "alpha",
    CENTRAL_SERVER_URL: `ws://127.0.0.1:${ports[0]}/agent`,
    CLUSTER_NAME: "alpha",
    AGENT_TOKEN: TOKENS.alpha,
    PATH: `${bin}:${process.env.PATH ?? ""}`,
    ...otel,
  });
  procs.push(agent);
  await agent.waitFor(/registered with the hub/);
  client = await httpSession(`http://127.0.0.1:${ports[1]}/mcp`, { era: "modern" });
  // Presence travels on NATS: wait until replica 2 sees alpha's agent.
  const end = Date.now() + 20_000;
  for (;;) {
    const r = await call(client.client, "clusters_list");
    const row = (r.structured as { rows?: string[][] } | undefined)?.rows?.find((x) => x[0] === "alpha");
    if (row?.[2] === "yes") break;
    if (Date.now() > end) throw new Error(`replica 2 never saw alpha: ${r.text}`);
    await sleep(200);
  }
  await client.close();
}, 300_000);
afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await nats?.stop();
  await rx?.close();
});

describe("tracing across hub replicas over NATS", () => {
  it("one trace goes client → replica 2 → NATS → replica 1 → agent → API server", async () => {
    const t = clientTraceparent();
    const s = await httpSession(`http://127.0.0.1:${ports[1]}/mcp`, {
      headers: { traceparent: t.traceparent },
    });
    try {
      const r = await call(s.client, "resources_list", { kind: "namespaces", cluster: "alpha" });
      expect(r.isError, r.text).toBe(false);
    } finally {
      await s.close();
    }
    const mine = (all: ReceivedSpan[]) => all.filter((x) => x.traceId === t.traceId);
    // Each process exports on its own schedule: wait for every hop's span.
    const names = ["tools/call", "replica call", "replica serve", "agent call", "hub call"].map(
      (n) => `${n} resources_list`,
    );
    const spans = mine(
      await rx.until((all) =>
        [...names, "GET /api/v1/namespaces"].every((n) => mine(all).some((x) => x.name === n)),
      ),
    );
    const byParent = (parent: ReceivedSpan, name: string) =>
      spans.find((x) => x.parentSpanId === parent.spanId && x.name === name) as ReceivedSpan;
    const tool = spans.find((x) => x.name === "tools/call resources_list") as ReceivedSpan;
    expect(tool.parentSpanId).toBe(t.spanId);
    const cluster = byParent(tool, "cluster alpha");
    const out = byParent(cluster, "replica call resources_list");
    expect(out).toMatchObject({ service: "kube-mcp-hub", kind: CLIENT });
    const served = byParent(out, "replica serve resources_list");
    expect(served).toMatchObject({ service: "kube-mcp-hub", kind: SERVER });
    const hop = byParent(served, "agent call resources_list");
    expect(hop).toMatchObject({ service: "kube-mcp-hub", kind: CLIENT });
    const agent = byParent(hop, "hub call resources_list");
    expect(agent).toMatchObject({ service: "kube-mcp-agent", kind: SERVER });
    expect(byParent(agent, "GET /api/v1/namespaces")).toMatchObject({
      service: "kube-mcp-agent",
      kind: CLIENT,
    });
  });
});

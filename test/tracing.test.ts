// Traces through the protocol, exported over OTLP/HTTP to a receiver on loopback: serve's tool span is
// the child of the client's traceparent (HTTP header or _meta), with a child per cluster and the API
// requests under them; through a hub, the agents' spans join the hub's trace from the link frame. No
// argument value is ever exported, audit lines carry the trace id, and a collector that is down costs a
// call nothing (its spans are dropped and counted).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort, type Proc, spawnRole, startAgent, TOKENS } from "./helpers/fleet.js";
import { call, type HttpServer, httpSession, startHttpServer } from "./helpers/mcp.js";
import { clientTraceparent, type ReceivedSpan, type Receiver, startReceiver } from "./helpers/otlp.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const SERVER = 2;
const CLIENT = 3;
/** A value that must never leave kube-mcp in a span. */
const SECRET = "s3cr3t-label-value-7f1c";

let rx: Receiver;
beforeAll(async () => {
  rx = await startReceiver();
});
afterAll(() => rx?.close());

const otel = () => ({ OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" });
const inTrace = (traceId: string) => (spans: ReceivedSpan[]) => spans.filter((s) => s.traceId === traceId);
const childrenOf = (spans: ReceivedSpan[], parent: ReceivedSpan) =>
  spans.filter((s) => s.parentSpanId === parent.spanId);

describe("tracing in serve", () => {
  let srv: HttpServer;
  beforeAll(async () => {
    srv = await startHttpServer(["--audit"], {
      KUBECONFIG: kubeconfig,
      PATH: `${bin}:${process.env.PATH ?? ""}`,
      ...otel(),
    });
  }, 30_000);
  afterAll(() => srv?.stop());

  it("continues the client's traceparent header: tool span, a child per cluster, API requests under each", async () => {
    const t = clientTraceparent();
    const s = await httpSession(srv.url, { headers: { traceparent: t.traceparent } });
    try {
      const r = await call(s.client, "resources_list", {
        kind: "pods",
        namespace: "kube-system",
        cluster: "*",
        labelSelector: `app=${SECRET}`,
      });
      expect(r.isError, r.text).toBe(false);
    } finally {
      await s.close();
    }
    const spans = inTrace(t.traceId)(
      await rx.until((all) => inTrace(t.traceId)(all).some((x) => x.name === "tools/call resources_list")),
    );
    const tool = spans.find((x) => x.name === "tools/call resources_list") as ReceivedSpan;
    expect(tool).toMatchObject({ service: "kube-mcp", parentSpanId: t.spanId, kind: SERVER });
    expect(tool.attributes).toMatchObject({
      "gen_ai.tool.name": "resources_list",
      "mcp.method.name": "tools/call",
      "kube_mcp.cluster": ["*"],
      "kube_mcp.outcome": "ok",
    });
    // The API spans end before the tool's; wait until every cluster's request has arrived too.
    const all = inTrace(t.traceId)(
      await rx.until((x) => {
        const mine = inTrace(t.traceId)(x);
        const clusters = mine.filter((c) => c.parentSpanId === tool.spanId && c.name.startsWith("cluster "));
        return clusters.length >= 2 && clusters.every((c) => childrenOf(mine, c).length > 0);
      }),
    );
    const clusters = childrenOf(all, tool).filter((c) => c.name.startsWith("cluster "));
    expect(clusters.map((c) => c.name)).toEqual(expect.arrayContaining(["cluster alpha", "cluster beta"]));
    for (const c of clusters) {
      // Discovery (GET /api, /apis) may come first; the list is there, with its route and status.
      const api = childrenOf(all, c).find((x) => x.name === "GET /api/v1/namespaces/{namespace}/pods");
      expect(api?.kind).toBe(CLIENT);
      expect(api?.attributes).toMatchObject({
        "http.request.method": "GET",
        "http.response.status_code": 200,
        "k8s.namespace.name": "kube-system",
        "k8s.cluster.name": c.attributes["k8s.cluster.name"],
      });
    }
    // Arguments stay out of every span: the label selector went to the API server, not to the collector.
    expect(rx.raw.join("\n")).not.toContain(SECRET);
    // The audit line joins the trace.
    const audit = srv
      .stderr()
      .split("\n")
      .find((l) => l.includes('"audit":true') && l.includes(SECRET.slice(0, 6)));
    expect(audit).toContain(`"trace_id":"${t.traceId}"`);
  });

  it("continues a traceparent sent in the request's _meta", async () => {
    const t = clientTraceparent();
    const s = await httpSession(srv.url);
    try {
      const r = await s.client.callTool({
        name: "resources_list",
        arguments: { kind: "namespaces", cluster: "alpha" },
        _meta: { traceparent: t.traceparent },
      });
      expect(r.isError).toBeFalsy();
    } finally {
      await s.close();
    }
    const spans = inTrace(t.traceId)(
      await rx.until((all) => inTrace(t.traceId)(all).some((x) => x.name === "tools/call resources_list")),
    );
    expect(spans.find((x) => x.name === "tools/call resources_list")?.parentSpanId).toBe(t.spanId);
    expect(spans.map((x) => x.name)).toContain("GET /api/v1/namespaces");
  });
  it("names a CLI run by its binary and command path, never its arguments", async () => {
    const t = clientTraceparent();
    const s = await httpSession(srv.url, { headers: { traceparent: t.traceparent } });
    try {
      const r = await call(s.client, "kubectl", {
        args: ["get", "pods", "-n", "kube-system", "-l", `app=${SECRET}`],
        cluster: "alpha",
      });
      expect(r.isError, r.text).toBe(false);
    } finally {
      await s.close();
    }
    const spans = inTrace(t.traceId)(
      await rx.until((all) => inTrace(t.traceId)(all).some((x) => x.name === "tools/call kubectl")),
    );
    const run = spans.find((x) => x.name === "kubectl get");
    expect(run?.attributes).toMatchObject({
      "process.executable.name": "kubectl",
      "kube_mcp.cli.command": "get",
      "process.exit.code": 0,
      "k8s.cluster.name": "alpha",
    });
    expect(spans.find((x) => x.spanId === run?.parentSpanId)?.name).toBe("cluster alpha");
    expect(rx.raw.join("\n")).not.toContain(SECRET);
  });
});

describe("tracing across a hub and its agents", () => {
  let hub: Proc;
  let agents: Proc[] = [];
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    hub = spawnRole("hub", ["--http", `127.0.0.1:${port}`], {
      CLUSTER_TOKENS: JSON.stringify({ alpha: TOKENS.alpha, beta: TOKENS.beta }),
      ...otel(),
    });
    await hub.waitFor(/"msg":"hub serving"/);
    // The agents are configured by the config file's tracing block, not the environment.
    const dir = mkdtempSync(join(tmpdir(), "kube-mcp-tracing-"));
    const config = join(dir, "agent.yaml");
    writeFileSync(config, `tracing: {endpoint: "${rx.url}", protocol: http/json}\n`);
    const o = { hubPort: port, kubeconfig, bin, args: ["--config", config] };
    agents = await Promise.all([startAgent("alpha", "alpha", o), startAgent("beta", "beta", o)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([...agents.map((a) => a.stop()), hub?.stop()]);
  });

  it("one trace spans the hub's tool span, each agent call, the agents' spans and their API requests", async () => {
    const t = clientTraceparent();
    const s = await httpSession(`http://127.0.0.1:${port}/mcp`, { headers: { traceparent: t.traceparent } });
    try {
      const r = await call(s.client, "resources_list", { kind: "namespaces", cluster: ["alpha", "beta"] });
      expect(r.isError, r.text).toBe(false);
    } finally {
      await s.close();
    }
    const done = (all: ReceivedSpan[]) =>
      inTrace(t.traceId)(all).filter((x) => x.name === "hub call resources_list").length >= 2 &&
      inTrace(t.traceId)(all).some((x) => x.name === "tools/call resources_list");
    const spans = inTrace(t.traceId)(await rx.until(done));
    const tool = spans.find((x) => x.name === "tools/call resources_list") as ReceivedSpan;
    expect(tool).toMatchObject({ service: "kube-mcp-hub", parentSpanId: t.spanId });
    for (const name of ["alpha", "beta"]) {
      const cluster = spans.find((x) => x.name === `cluster ${name}`) as ReceivedSpan;
      expect(cluster.parentSpanId).toBe(tool.spanId);
      const hop = childrenOf(spans, cluster).find(
        (x) => x.name === "agent call resources_list",
      ) as ReceivedSpan;
      expect(hop).toMatchObject({ service: "kube-mcp-hub", kind: CLIENT });
      const agentSpan = childrenOf(spans, hop)[0] as ReceivedSpan;
      expect(agentSpan).toMatchObject({
        service: "kube-mcp-agent",
        name: "hub call resources_list",
        kind: SERVER,
      });
      expect(agentSpan.attributes["k8s.cluster.name"]).toBe(name);
      const api = childrenOf(spans, agentSpan).find((x) => x.name === "GET /api/v1/namespaces");
      expect(api).toMatchObject({ service: "kube-mcp-agent", kind: CLIENT });
    }
  });
});

describe("a collector that is down", () => {
  it("costs a call nothing; its spans are dropped and counted", async () => {
    const closed = await freePort();
    const srv = await startHttpServer([], {
      KUBECONFIG: kubeconfig,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${closed}`,
    });
    try {
      const s = await httpSession(srv.url);
      const t0 = Date.now();
      const r = await call(s.client, "resources_list", { kind: "namespaces", cluster: "alpha" });
      const ms = Date.now() - t0;
      await s.close();
      expect(r.isError, r.text).toBe(false);
      expect(ms).toBeLessThan(3000);
      const metrics = new URL("/metrics", srv.url);
      const end = Date.now() + 20_000;
      let dropped = 0;
      while (dropped === 0 && Date.now() < end) {
        await new Promise((res) => setTimeout(res, 500));
        const text = await (await fetch(metrics)).text();
        dropped = Number(/^kube_mcp_trace_spans_dropped_total (\d+)/m.exec(text)?.[1] ?? 0);
      }
      expect(dropped).toBeGreaterThan(0);
    } finally {
      await srv.stop();
    }
  }, 40_000);
});

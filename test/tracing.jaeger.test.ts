// The same traces through a real collector: serve, a hub and two agents export over OTLP/HTTP in
// protobuf (the protocol's default) to Jaeger built by the test bed, and Jaeger's query API returns the
// trace the client started: the tool span under the client's span, a span per cluster under it, and
// the API requests under those; through the hub, the agents' spans and their API requests in the same
// trace.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Jaeger, startJaeger } from "../testbed/lib/jaeger.js";
import { freePort, type Proc, spawnRole, startAgent, TOKENS } from "./helpers/fleet.js";
import { call, type HttpServer, httpSession, startHttpServer } from "./helpers/mcp.js";
import { clientTraceparent } from "./helpers/otlp.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");

interface JaegerSpan {
  spanID: string;
  operationName: string;
  references: { refType: string; spanID: string }[];
  processID: string;
  tags: { key: string; value: unknown }[];
}
interface JaegerTrace {
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

let jaeger: Jaeger;
let srv: HttpServer;
let hubPort: number;
const fleet: Proc[] = [];
beforeAll(async () => {
  jaeger = await startJaeger();
  const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlp };
  srv = await startHttpServer([], { KUBECONFIG: kubeconfig, ...otel });
  hubPort = await freePort();
  const hub = spawnRole("hub", ["--http", `127.0.0.1:${hubPort}`], {
    CLUSTER_TOKENS: JSON.stringify({ alpha: TOKENS.alpha, beta: TOKENS.beta }),
    ...otel,
  });
  fleet.push(hub);
  await hub.waitFor(/"msg":"hub serving"/);
  // The agents take the endpoint from their environment, which startAgent does not pass: a config file.
  const config = join(mkdtempSync(join(tmpdir(), "kube-mcp-jaeger-agent-")), "agent.yaml");
  writeFileSync(config, `tracing: {endpoint: "${jaeger.otlp}"}\n`);
  const o = { hubPort, kubeconfig, bin, args: ["--config", config] };
  fleet.push(...(await Promise.all([startAgent("alpha", "alpha", o), startAgent("beta", "beta", o)])));
}, 600_000);
afterAll(async () => {
  await Promise.all([srv?.stop(), ...fleet.map((p) => p.stop())]);
  await jaeger?.stop();
});

async function trace(id: string, done: (t: JaegerTrace) => boolean): Promise<JaegerTrace> {
  const end = Date.now() + 20_000;
  for (;;) {
    const res = await fetch(`${jaeger.query}/api/traces/${id}`);
    const t = res.ok ? ((await res.json()) as { data?: JaegerTrace[] }).data?.[0] : undefined;
    if (t && done(t)) return t;
    if (Date.now() > end)
      throw new Error(`trace ${id} incomplete in jaeger: ${JSON.stringify(t)}\n${jaeger.log()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("tracing into Jaeger", () => {
  it("stores serve's fan-out as one trace under the client's span", async () => {
    const t = clientTraceparent();
    const s = await httpSession(srv.url, { headers: { traceparent: t.traceparent } });
    try {
      const r = await call(s.client, "resources_list", { kind: "namespaces", cluster: "*" });
      expect(r.isError, r.text).toBe(false);
    } finally {
      await s.close();
    }
    const got = await trace(t.traceId, (x) =>
      x.spans.some((sp) => sp.operationName === "tools/call resources_list"),
    );
    const parentOf = (sp: JaegerSpan) => sp.references.find((r) => r.refType === "CHILD_OF")?.spanID;
    const tool = got.spans.find((sp) => sp.operationName === "tools/call resources_list") as JaegerSpan;
    expect(parentOf(tool)).toBe(t.spanId);
    expect(got.processes[tool.processID]?.serviceName).toBe("kube-mcp");
    const clusters = got.spans.filter(
      (sp) => parentOf(sp) === tool.spanID && sp.operationName.startsWith("cluster "),
    );
    expect(clusters.map((c) => c.operationName)).toEqual(
      expect.arrayContaining(["cluster alpha", "cluster beta"]),
    );
    for (const c of clusters) {
      const api = got.spans.find(
        (sp) => parentOf(sp) === c.spanID && sp.operationName === "GET /api/v1/namespaces",
      );
      expect(api?.tags).toEqual(
        expect.arrayContaining([{ key: "http.response.status_code", type: "int64", value: 200 }]),
      );
    }
  });
  it("stores a fan-out through the hub and two agents as one trace", async () => {
    const t = clientTraceparent();
    const s = await httpSession(`http://127.0.0.1:${hubPort}/mcp`, {
      headers: { traceparent: t.traceparent },
    });
    try {
      const r = await call(s.client, "resources_list", { kind: "namespaces", cluster: ["alpha", "beta"] });
      expect(r.isError, r.text).toBe(false);
    } finally {
      await s.close();
    }
    const named = (x: JaegerTrace, n: string) => x.spans.filter((sp) => sp.operationName === n);
    const got = await trace(
      t.traceId,
      (x) =>
        named(x, "tools/call resources_list").length === 1 &&
        named(x, "hub call resources_list").length === 2,
    );
    const parentOf = (sp: JaegerSpan) => sp.references.find((r) => r.refType === "CHILD_OF")?.spanID;
    const service = (sp: JaegerSpan) => got.processes[sp.processID]?.serviceName;
    const tool = named(got, "tools/call resources_list")[0] as JaegerSpan;
    expect([service(tool), parentOf(tool)]).toEqual(["kube-mcp-hub", t.spanId]);
    for (const cluster of ["alpha", "beta"]) {
      const c = got.spans.find((sp) => sp.operationName === `cluster ${cluster}`) as JaegerSpan;
      expect(parentOf(c)).toBe(tool.spanID);
      const hop = got.spans.find((sp) => parentOf(sp) === c.spanID) as JaegerSpan;
      expect(hop.operationName).toBe("agent call resources_list");
      const agent = got.spans.find((sp) => parentOf(sp) === hop.spanID) as JaegerSpan;
      expect([agent.operationName, service(agent)]).toEqual(["hub call resources_list", "kube-mcp-agent"]);
      const api = got.spans.find(
        (sp) => parentOf(sp) === agent.spanID && sp.operationName === "GET /api/v1/namespaces",
      );
      expect(api && service(api)).toBe("kube-mcp-agent");
    }
  });
});

// The same trace through a real collector: serve exports over OTLP/HTTP in protobuf (the protocol's
// default) to Jaeger built by the test bed, and Jaeger's query API returns the trace the client started
// with the tool span under the client's span, a span per cluster under it, and the API requests under
// those.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Jaeger, startJaeger } from "../testbed/lib/jaeger.js";
import { call, type HttpServer, httpSession, startHttpServer } from "./helpers/mcp.js";
import { clientTraceparent } from "./helpers/otlp.js";

const kubeconfig = inject("kubeconfig");

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
beforeAll(async () => {
  jaeger = await startJaeger();
  srv = await startHttpServer([], { KUBECONFIG: kubeconfig, OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlp });
}, 600_000);
afterAll(async () => {
  await srv?.stop();
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
});

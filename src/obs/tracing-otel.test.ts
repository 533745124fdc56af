import { context, propagation } from "@opentelemetry/api";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigSchema } from "../config/schema.js";
import { createLogger } from "./log.js";
import { Metrics } from "./metrics.js";
import { startTracing, tracer } from "./tracing.js";

// Nothing listens on port 9 (discard): every export fails at once.
const config = ConfigSchema.parse({ tracing: { endpoint: "http://127.0.0.1:9", maxQueueSize: 16 } });
const lines: string[] = [];
const log = createLogger("debug", {}, (l) => lines.push(l));
const metrics = new Metrics("serve", "0.0.0");
const dropped = () => Number(/^kube_mcp_trace_spans_dropped_total (\d+)$/m.exec(metrics.render())?.[1]);

describe("tracing with the OpenTelemetry SDK", async () => {
  await startTracing(config, "serve", log, metrics);
  // The unit project shares modules between test files (vitest.config.ts): leave no active context
  // or propagator behind, so later files' spans carry no ids.
  afterAll(async () => {
    await tracer().shutdown();
    context.disable();
    propagation.disable();
  });

  it("puts the active span's ids on log lines, and only inside a span", async () => {
    await tracer().span("outer", {}, async () => log.info("inside"));
    log.info("outside");
    const inside = JSON.parse(lines.find((l) => l.includes('"inside"')) as string);
    expect(inside.trace_id).toMatch(/^[\da-f]{32}$/);
    expect(inside.span_id).toMatch(/^[\da-f]{16}$/);
    expect(lines.find((l) => l.includes('"outside"'))).not.toContain("trace_id");
  });

  it("continues a carrier's trace and hands its own context on", async () => {
    const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const seen = await tracer().span("child", {}, async () => tracer().carrier(), {
      parent: { traceparent: parent },
    });
    expect(seen?.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[\da-f]{16}-01$/);
    expect(seen?.traceparent).not.toBe(parent);
  });

  it("bounds the spans waiting for export and counts what it drops", async () => {
    const before = dropped();
    await Promise.all(Array.from({ length: 100 }, (_, i) => tracer().span(`s${i}`, {}, async () => i)));
    // 16 wait at most; the rest are dropped at once, without waiting for the collector.
    expect(dropped() - before).toBeGreaterThanOrEqual(100 - 16);
  });
});

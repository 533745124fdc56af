// The OpenTelemetry side of ./tracing.ts, loaded only when tracing is configured: an SDK tracer provider,
// W3C trace-context propagation, AsyncLocalStorage for the active span, and one OTLP/HTTP exporter.
// Export never slows a call: spans queue in a bounded batch processor, and what does not fit or cannot be
// delivered is dropped and counted (kube_mcp_trace_spans_dropped_total).
import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { type ExportResult, ExportResultCode, W3CTraceContextPropagator } from "@opentelemetry/core";
import { detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  type ReadableSpan,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace-base";
import { version } from "../version.js";
import type { Logger } from "./log.js";
import type { Metrics } from "./metrics.js";
import type { Attrs, SpanHandle, Tracer, TracingSettings } from "./tracing.js";

const KINDS = { server: SpanKind.SERVER, client: SpanKind.CLIENT, internal: SpanKind.INTERNAL } as const;

function sampler(name: string, arg: number | undefined, log: Logger): Sampler {
  const ratio = new TraceIdRatioBasedSampler(arg ?? 1);
  const known: Record<string, () => Sampler> = {
    always_on: () => new AlwaysOnSampler(),
    always_off: () => new AlwaysOffSampler(),
    traceidratio: () => ratio,
    parentbased_always_on: () => new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    parentbased_always_off: () => new ParentBasedSampler({ root: new AlwaysOffSampler() }),
    parentbased_traceidratio: () => new ParentBasedSampler({ root: ratio }),
  };
  const make = known[name];
  if (make) return make();
  log.warn("unknown trace sampler; using parentbased_always_on", {
    sampler: name,
    known: Object.keys(known),
  });
  return new ParentBasedSampler({ root: new AlwaysOnSampler() });
}

/** Bounds the spans waiting for export and counts those dropped: over the bound, or not delivered. */
class Bounded {
  pending = 0;
  dropped = 0;
  constructor(private readonly max: number) {}

  exporter(inner: SpanExporter): SpanExporter {
    return {
      export: (spans: ReadableSpan[], done: (r: ExportResult) => void) =>
        inner.export(spans, (r) => {
          this.pending = Math.max(0, this.pending - spans.length);
          if (r.code !== ExportResultCode.SUCCESS) this.dropped += spans.length;
          done(r);
        }),
      shutdown: () => inner.shutdown(),
      ...(inner.forceFlush ? { forceFlush: () => inner.forceFlush?.() ?? Promise.resolve() } : {}),
    };
  }

  processor(inner: SpanProcessor): SpanProcessor {
    return {
      onStart: (span, ctx) => inner.onStart(span, ctx),
      onEnd: (span) => {
        // Unsampled spans never reach the exporter, so they take no room in the queue.
        if ((span.spanContext().traceFlags & 1) === 1) {
          if (this.pending >= this.max) {
            this.dropped++;
            return;
          }
          this.pending++;
        }
        inner.onEnd(span);
      },
      forceFlush: () => inner.forceFlush(),
      shutdown: () => inner.shutdown(),
    };
  }
}

async function exporter(s: TracingSettings): Promise<SpanExporter> {
  const opts = {
    ...(s.endpoint ? { url: `${s.endpoint.replace(/\/+$/, "")}/v1/traces` } : {}),
    timeoutMillis: 5000,
  };
  if (s.protocol === "http/json") {
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
    return new OTLPTraceExporter(opts);
  }
  const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-proto");
  return new OTLPTraceExporter(opts);
}

function clean(attrs: Attrs): Record<string, string | number | boolean | string[]> {
  const out: Record<string, string | number | boolean | string[]> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) out[k] = v;
  return out;
}

function handle(span: Span): SpanHandle {
  return {
    set: (a) => span.setAttributes(clean(a)),
    fail: (description) => span.setStatus({ code: SpanStatusCode.ERROR, message: description }),
  };
}

/** An error's type, never its message (messages can quote what a call was given). */
function errorType(err: unknown): string {
  if (err && typeof err === "object") {
    const e = err as { reason?: unknown; name?: unknown; constructor?: { name?: string } };
    if (typeof e.reason === "string" && e.reason) return e.reason;
    if (typeof e.name === "string" && e.name !== "Error") return e.name;
    return e.constructor?.name ?? "Error";
  }
  return typeof err;
}

/** The SDK's provider: this process as a resource, the sampler, and a bounded batch exporter whose drops are counted. */
async function startProvider(
  s: TracingSettings,
  role: string,
  log: Logger,
  metrics?: Metrics,
): Promise<BasicTracerProvider> {
  const bounded = new Bounded(s.maxQueueSize);
  const detected = detectResources({ detectors: [envDetector] });
  const resource = resourceFromAttributes({
    "service.name": s.serviceName,
    "service.version": version(),
    "kube_mcp.role": role,
  }).merge(detected);
  const batch = new BatchSpanProcessor(bounded.exporter(await exporter(s)), {
    maxQueueSize: s.maxQueueSize,
    maxExportBatchSize: Math.min(512, s.maxQueueSize),
    scheduledDelayMillis: 1000,
    exportTimeoutMillis: 5000,
  });
  const provider = new BasicTracerProvider({
    resource,
    sampler: sampler(s.sampler, s.samplerArg, log),
    spanProcessors: [bounded.processor(batch)],
  });
  metrics?.counter(
    "kube_mcp_trace_spans_dropped_total",
    "Spans not exported: the export queue was full, or the collector did not take them.",
    () => bounded.dropped,
  );
  return provider;
}

export async function createTracer(
  s: TracingSettings,
  role: string,
  log: Logger,
  metrics?: Metrics,
): Promise<Tracer> {
  const cm = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(cm);
  const propagator = new W3CTraceContextPropagator();
  propagation.setGlobalPropagator(propagator);
  const provider = await startProvider(s, role, log, metrics);
  const otel = provider.getTracer("kube-mcp", version());
  const parentOf = (carrier: { traceparent: string; tracestate?: string } | undefined): Context =>
    carrier
      ? propagator.extract(ROOT_CONTEXT, carrier, {
          get: (c, k) => c[k as keyof typeof c],
          keys: (c) => Object.keys(c),
        })
      : context.active();
  return {
    enabled: true,
    async span(name, attrs, fn, opts) {
      const parent = opts?.parent ? parentOf(opts.parent) : context.active();
      const span = otel.startSpan(
        name,
        { kind: KINDS[opts?.kind ?? "internal"], attributes: clean(attrs) },
        parent,
      );
      return context.with(trace.setSpan(parent, span), async () => {
        try {
          return await fn(handle(span));
        } catch (err) {
          span.setStatus({ code: SpanStatusCode.ERROR });
          span.setAttribute("error.type", errorType(err));
          throw err;
        } finally {
          span.end();
        }
      });
    },
    carrier() {
      const out: Record<string, string> = {};
      propagator.inject(context.active(), out, {
        set: (c, k, v) => {
          c[k] = v;
        },
      });
      return out.traceparent
        ? { traceparent: out.traceparent, ...(out.tracestate ? { tracestate: out.tracestate } : {}) }
        : undefined;
    },
    ids() {
      const sc = trace.getSpanContext(context.active());
      return sc && trace.isSpanContextValid(sc) ? { trace_id: sc.traceId, span_id: sc.spanId } : undefined;
    },
    async shutdown() {
      await Promise.race([provider.shutdown(), new Promise((r) => setTimeout(r, 3000).unref())]).catch(
        (err: unknown) => log.debug("tracing shutdown", { err }),
      );
    },
  };
}

// OpenTelemetry tracing, off unless configured. This file holds no OpenTelemetry code: the hooks in the
// MCP server, the REST client, the CLI runner, fan-out and the hub ⇄ agent link call `tracer()`, a no-op
// until startTracing() loads ./tracing-otel.js (and with it every OpenTelemetry package) by a dynamic
// import, so a server that does not trace never evaluates them.
//
// The tracer is the process's one piece of mutable module state, set once at start-up: threading it
// through every path that reaches the REST client would touch each tool, and OpenTelemetry's own API
// keeps its provider globally for the same reason. Span context itself travels in AsyncLocalStorage.
import type { Config } from "../config/schema.js";
import type { Logger } from "./log.js";
import type { Metrics } from "./metrics.js";

export type Attrs = Record<string, string | number | boolean | string[] | undefined>;

export interface SpanHandle {
  set(attrs: Attrs): void;
  /** Marks the span failed with a short, argument-free description (an outcome or error type). */
  fail(description: string): void;
}

/** W3C trace context as it travels in a link frame, a NATS request or `_meta`. */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

export type SpanKind = "server" | "client" | "internal";

export interface Tracer {
  readonly enabled: boolean;
  /** Runs `fn` in a new span: a child of the active span, or of `parent` when that is a valid context. */
  span<T>(
    name: string,
    attrs: Attrs,
    fn: (s: SpanHandle) => Promise<T>,
    opts?: { kind?: SpanKind; parent?: TraceCarrier },
  ): Promise<T>;
  /** The active span's context, to send on; undefined when there is none. */
  carrier(): TraceCarrier | undefined;
  /** The active span's ids, for log and audit lines. */
  ids(): { trace_id: string; span_id: string } | undefined;
  /** Exports what is queued, within a bounded time. */
  shutdown(): Promise<void>;
}

const NOOP_SPAN: SpanHandle = { set: () => {}, fail: () => {} };
export const NOOP: Tracer = {
  enabled: false,
  span: (_n, _a, fn) => fn(NOOP_SPAN),
  carrier: () => undefined,
  ids: () => undefined,
  shutdown: async () => {},
};

let current: Tracer = NOOP;

export const tracer = (): Tracer => current;

/** The W3C `traceparent` shape: version 00, a 32-hex trace id and 16-hex span id, flags. */
const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;

/** A carrier from untrusted input (an HTTP header, `_meta`, a frame), or undefined when malformed. */
export function carrierFrom(traceparent: unknown, tracestate?: unknown): TraceCarrier | undefined {
  if (typeof traceparent !== "string" || !TRACEPARENT.test(traceparent.trim())) return undefined;
  return {
    traceparent: traceparent.trim(),
    ...(typeof tracestate === "string" && tracestate.length <= 512 ? { tracestate } : {}),
  };
}

export interface TracingSettings {
  endpoint: string | undefined;
  protocol: "http/protobuf" | "http/json";
  sampler: string;
  samplerArg: number | undefined;
  serviceName: string;
  maxQueueSize: number;
}

/**
 * What to trace with, or undefined when tracing is off. The standard OTEL_* variables win over the
 * `tracing` config block (the project's layering: file < environment); tracing is on when either names
 * an endpoint, unless OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none says otherwise.
 */
export function tracingSettings(
  config: Readonly<Config>,
  role: string,
  env: NodeJS.ProcessEnv = process.env,
): TracingSettings | undefined {
  const t = config.tracing;
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return undefined;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === "none") return undefined;
  const fromEnv = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!fromEnv && !t?.endpoint) return undefined;
  const protocol =
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ||
    env.OTEL_EXPORTER_OTLP_PROTOCOL ||
    t?.protocol ||
    "http/protobuf";
  const arg = env.OTEL_TRACES_SAMPLER_ARG ? Number(env.OTEL_TRACES_SAMPLER_ARG) : t?.samplerArg;
  return {
    // The exporter reads an endpoint from the environment itself (with /v1/traces added as the spec says).
    endpoint: fromEnv ? undefined : t?.endpoint,
    protocol: protocol === "http/json" ? "http/json" : "http/protobuf",
    sampler: env.OTEL_TRACES_SAMPLER || t?.sampler || "parentbased_always_on",
    samplerArg: arg !== undefined && Number.isFinite(arg) ? arg : undefined,
    serviceName:
      env.OTEL_SERVICE_NAME || t?.serviceName || (role === "serve" ? "kube-mcp" : `kube-mcp-${role}`),
    maxQueueSize: t?.maxQueueSize ?? 2048,
  };
}

/** Starts tracing when configured; loads nothing otherwise. */
export async function startTracing(
  config: Readonly<Config>,
  role: string,
  log: Logger,
  metrics?: Metrics,
): Promise<Tracer> {
  const settings = tracingSettings(config, role);
  if (!settings) return current;
  if (
    settings.protocol === "http/protobuf" &&
    (process.env.OTEL_EXPORTER_OTLP_PROTOCOL ?? "").startsWith("grpc")
  )
    log.warn("OTLP over gRPC is not supported; exporting over HTTP (protobuf)");
  const { createTracer } = await import("./tracing-otel.js");
  current = await createTracer(settings, role, log, metrics);
  log.info("tracing on", {
    service: settings.serviceName,
    protocol: settings.protocol,
    sampler: settings.sampler,
  });
  return current;
}

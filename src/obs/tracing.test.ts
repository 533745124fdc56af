import { describe, expect, it } from "vitest";
import { ConfigSchema } from "../config/schema.js";
import { carrierFrom, tracingSettings } from "./tracing.js";

const config = (tracing?: object) => ConfigSchema.parse(tracing ? { tracing } : {});

describe("tracingSettings", () => {
  it("is off without an endpoint in the environment or the config", () => {
    expect(tracingSettings(config(), "serve", {})).toBeUndefined();
  });
  it("takes the standard OTEL_* variables over the config block", () => {
    const s = tracingSettings(
      config({
        endpoint: "http://file:4318",
        protocol: "http/json",
        serviceName: "from-file",
        samplerArg: 0.5,
      }),
      "hub",
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://env:4318",
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
        OTEL_SERVICE_NAME: "from-env",
        OTEL_TRACES_SAMPLER: "traceidratio",
        OTEL_TRACES_SAMPLER_ARG: "0.1",
      },
    );
    // The exporter reads the endpoint from the environment itself.
    expect(s).toMatchObject({
      endpoint: undefined,
      protocol: "http/protobuf",
      serviceName: "from-env",
      sampler: "traceidratio",
      samplerArg: 0.1,
    });
  });
  it("uses the config block alone, with a service name per role", () => {
    expect(tracingSettings(config({ endpoint: "http://c:4318" }), "agent", {})).toMatchObject({
      endpoint: "http://c:4318",
      protocol: "http/protobuf",
      serviceName: "kube-mcp-agent",
      sampler: "parentbased_always_on",
    });
  });
  it("stays off when the SDK is disabled or the traces exporter is none", () => {
    const c = config({ endpoint: "http://c:4318" });
    expect(tracingSettings(c, "serve", { OTEL_SDK_DISABLED: "true" })).toBeUndefined();
    expect(tracingSettings(c, "serve", { OTEL_TRACES_EXPORTER: "none" })).toBeUndefined();
  });
});

describe("carrierFrom", () => {
  it("accepts a W3C traceparent and refuses anything else", () => {
    const tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    expect(carrierFrom(tp, "k=v")).toEqual({ traceparent: tp, tracestate: "k=v" });
    expect(carrierFrom("00-xyz-1-01")).toBeUndefined();
    expect(carrierFrom(42)).toBeUndefined();
  });
});

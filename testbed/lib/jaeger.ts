// Jaeger (v2, built on the OpenTelemetry Collector) for the tracing tests: a real OTLP/HTTP receiver
// with in-memory storage and Jaeger's query API, built (or found cached) by build-jaeger.sh, started on
// free loopback ports with a config of its own, stopped by its pid. Each test file runs its own.
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { freePort } from "./ports.js";
import { waitFor } from "./proc.js";

const script = join(dirname(fileURLToPath(import.meta.url)), "..", "build-jaeger.sh");

/** Runs build-jaeger.sh (a no-op when cached) and returns the jaeger path it prints last. */
export async function ensureJaeger(): Promise<string> {
  const { stdout } = await promisify(execFile)(script, [], { maxBuffer: 16 * 1024 * 1024 }).catch((err) => {
    throw new Error(`jaeger could not be built:\n${(err as { stderr?: string }).stderr ?? err}`);
  });
  const bin = stdout.trim().split("\n").pop();
  if (!bin) throw new Error("build-jaeger.sh printed no path");
  return bin;
}

export interface Jaeger {
  /** The OTLP/HTTP base URL (OTEL_EXPORTER_OTLP_ENDPOINT). */
  otlp: string;
  /** The query API's base URL (GET /api/traces/<id>). */
  query: string;
  log: () => string;
  stop(): Promise<void>;
}

export async function startJaeger(): Promise<Jaeger> {
  const bin = await ensureJaeger();
  const [otlp, http, grpc] = [await freePort(), await freePort(), await freePort()];
  const config = join(mkdtempSync(join(tmpdir(), "kube-mcp-jaeger-")), "jaeger.yaml");
  writeFileSync(
    config,
    `service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces: { receivers: [otlp], processors: [], exporters: [jaeger_storage_exporter] }
  telemetry: { metrics: { level: none }, logs: { level: warn } }
extensions:
  jaeger_storage: { backends: { mem: { memory: { max_traces: 10000 } } } }
  jaeger_query:
    storage: { traces: mem }
    http: { endpoint: "127.0.0.1:${http}" }
    grpc: { endpoint: "127.0.0.1:${grpc}" }
receivers:
  otlp: { protocols: { http: { endpoint: "127.0.0.1:${otlp}" } } }
exporters:
  jaeger_storage_exporter: { trace_storage: mem }
`,
  );
  const proc = spawn(bin, ["--config", config], { stdio: ["ignore", "ignore", "pipe"] });
  let out = "";
  proc.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const query = `http://127.0.0.1:${http}`;
  await waitFor(
    "jaeger's query API",
    async () => (await fetch(`${query}/api/services`).catch(() => undefined))?.ok === true,
    30_000,
    200,
    () => (proc.exitCode !== null ? new Error(`jaeger exited ${proc.exitCode}:\n${out}`) : undefined),
  );
  return {
    otlp: `http://127.0.0.1:${otlp}`,
    query,
    log: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once("exit", () => resolve());
        proc.kill("SIGTERM");
      }),
  };
}

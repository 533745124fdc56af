// Runs a command in a container through the API server's exec subresource over WebSocket (the
// channel.k8s.io protocols): no TTY, no stdin, a deadline and byte caps. Frames carry a channel byte:
// 1 stdout, 2 stderr, 3 the final Status (exit code).
import type WebSocket from "ws";
import { ToolError } from "../errors.js";
import { sanitizeUntrusted } from "../format/fence.js";
import type { KubeApi } from "./api.js";
import type { Connection } from "./connection.js";
import { describeError } from "./errors.js";
import { getObject } from "./objects.js";
import { corePath } from "./resolve.js";
import { openSubresource, type Status, socketError, whenOpen } from "./ws.js";

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number | undefined;
  truncated: boolean;
  timedOut: boolean;
  failure?: string;
}

export async function execInPod(
  cluster: Connection,
  o: {
    namespace: string;
    pod: string;
    container?: string;
    command: string[];
    timeoutMs: number;
    maxBytes: number;
    signal: AbortSignal;
  },
): Promise<ExecResult> {
  const query: [string, string][] = o.command.map((c) => ["command", c]);
  if (o.container) query.push(["container", o.container]);
  query.push(["stdout", "true"], ["stderr", "true"]);
  const ws = await openSubresource(cluster, {
    path: corePath("pods", o.namespace, o.pod, "exec"),
    query,
    protocols: ["v5.channel.k8s.io", "v4.channel.k8s.io"],
    handshakeTimeoutMs: Math.min(o.timeoutMs, 15_000),
    signal: o.signal,
  });
  return collect(ws, cluster, o);
}

/** Reads the exec stream until it closes: capped output, the exit code, stopped by deadline or cancel. */
function collect(
  ws: WebSocket,
  cluster: Connection,
  o: { timeoutMs: number; maxBytes: number; signal: AbortSignal },
): Promise<ExecResult> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let bytes = 0;
  let truncated = false;
  let status: Status | undefined;
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ws.terminate();
    }, o.timeoutMs);
    const onAbort = () => ws.terminate();
    o.signal.addEventListener("abort", onAbort, { once: true });
    ws.on("message", (data: Buffer) => {
      const channel = data[0];
      const body = data.subarray(1);
      if (channel === 3) {
        status = parseStatus(body);
        return;
      }
      if (channel !== 1 && channel !== 2) return;
      if (bytes + body.length > o.maxBytes) truncated = true;
      const keep = body.subarray(0, Math.max(0, o.maxBytes - bytes));
      bytes += keep.length;
      (channel === 1 ? out : err).push(keep);
    });
    // A refused upgrade (forbidden, no such container…) rejects with the API server's message.
    whenOpen(ws, cluster, "exec").catch((e: unknown) => {
      clearTimeout(timer);
      if (!timedOut && !o.signal.aborted) reject(e);
    });
    ws.on("error", (e) => {
      clearTimeout(timer);
      o.signal.removeEventListener("abort", onAbort);
      if (!timedOut && !o.signal.aborted) reject(socketError(cluster, "exec", e));
    });
    ws.on("close", () => {
      clearTimeout(timer);
      o.signal.removeEventListener("abort", onAbort);
      const exitCode = exitCodeOf(status);
      resolve({
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        exitCode,
        truncated,
        timedOut,
        ...(status?.status === "Failure" && exitCode === undefined
          ? { failure: status.message ?? "the command failed" }
          : {}),
      });
    });
  });
}

function parseStatus(body: Buffer): Status {
  try {
    return JSON.parse(body.toString("utf8")) as Status;
  } catch {
    return { status: "Failure", message: body.toString("utf8") };
  }
}

/** Kubelets report the exit code as an ExitCode cause; some runtimes (kwok) only in the message. */
export function exitCodeOf(status: Status | undefined): number | undefined {
  const code =
    status?.details?.causes?.find((c) => c.reason === "ExitCode")?.message ??
    /exit status (\d+)\s*$/.exec(status?.message ?? "")?.[1];
  return status?.status === "Success" ? 0 : code !== undefined ? Number(code) : undefined;
}

export interface RunOptions {
  pod: string;
  namespace: string;
  /** Default: the pod's first container (an ephemeral debug container only when named). */
  container?: string | undefined;
  command: string[];
  timeoutMs: number;
  maxBytes: number;
  signal: AbortSignal;
}

/**
 * Runs a command in a pod and answers as pods_exec does: the output (stderr after stdout, both the
 * container's), notes for a non-zero exit code or a cut, and a sentence for what stopped it.
 */
export async function runInPod(
  api: KubeApi,
  conn: Connection,
  o: RunOptions,
): Promise<{ text: string; notes: string[] }> {
  const container = await containerOf(api, o);
  let res: ExecResult;
  try {
    res = await execInPod(conn, { ...o, ...(container ? { container } : {}) });
  } catch (err) {
    const where = { name: o.pod, namespace: o.namespace };
    throw describeError(err, { cluster: conn.name, verb: "create", resource: "pods/exec", ...where });
  }
  if (res.timedOut)
    throw new ToolError(
      `The command was stopped after ${o.timeoutMs / 1000} s.`,
      "Pass a larger timeoutSeconds, or run something shorter.",
    );
  if (res.failure) throw new ToolError(`The command could not run in ${o.pod}: ${res.failure}`);
  const notes = [
    ...(res.exitCode ? [`Exit code ${res.exitCode}.`] : []),
    ...(res.truncated ? ["Output was cut at the size cap."] : []),
  ];
  const stderr = sanitizeUntrusted(res.stderr).trim().slice(0, 2000);
  const stdout = sanitizeUntrusted(res.stdout) || (stderr ? "" : "(no output)");
  const sep = stdout && !stdout.endsWith("\n") ? "\n" : "";
  return { text: stderr ? `${stdout}${sep}stderr: ${stderr}` : stdout, notes };
}

/** The container to run in: the one named (refused, naming them, when the pod has none such) or the first. */
async function containerOf(api: KubeApi, o: RunOptions): Promise<string | undefined> {
  const { obj } = await getObject(api, "pods", o.pod, o.namespace, o.signal);
  const spec = obj.spec as { containers?: { name: string }[]; ephemeralContainers?: { name: string }[] };
  // Ephemeral (pods_debug) containers can be exec'd into too, but are never the default.
  const containers = (spec?.containers ?? []).map((c) => c.name);
  const all = [...containers, ...(spec?.ephemeralContainers ?? []).map((c) => c.name)];
  if (o.container && !all.includes(o.container))
    throw new ToolError(`Pod ${o.pod} has no container "${o.container}".`, `Containers: ${all.join(", ")}.`);
  return o.container ?? containers[0];
}

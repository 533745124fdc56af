// Runs a command in a container through the API server's exec subresource over WebSocket (the
// channel.k8s.io protocols): no TTY, no stdin, a deadline and byte caps. Frames carry a channel byte:
// 1 stdout, 2 stderr, 3 the final Status (exit code).
import type { Connection } from "./connection.js";
import { corePath } from "./resolve.js";
import { openSubresource, type Status, whenOpen } from "./ws.js";

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
        try {
          status = JSON.parse(body.toString("utf8")) as Status;
        } catch {
          status = { status: "Failure", message: body.toString("utf8") };
        }
        return;
      }
      if (channel !== 1 && channel !== 2) return;
      if (bytes + body.length > o.maxBytes) truncated = true;
      const keep = body.subarray(0, Math.max(0, o.maxBytes - bytes));
      bytes += keep.length;
      (channel === 1 ? out : err).push(keep);
    });
    // A refused upgrade (forbidden, no such container…) rejects with the API server's message.
    whenOpen(ws, "exec").catch((e: unknown) => {
      clearTimeout(timer);
      if (!timedOut && !o.signal.aborted) reject(e);
    });
    ws.on("error", (e) => {
      clearTimeout(timer);
      o.signal.removeEventListener("abort", onAbort);
      if (!timedOut && !o.signal.aborted) reject(e);
    });
    ws.on("close", () => {
      clearTimeout(timer);
      o.signal.removeEventListener("abort", onAbort);
      // Kubelets report the exit code as an ExitCode cause; some runtimes (kwok) only in the message.
      const code =
        status?.details?.causes?.find((c) => c.reason === "ExitCode")?.message ??
        /exit status (\d+)\s*$/.exec(status?.message ?? "")?.[1];
      const exitCode = status?.status === "Success" ? 0 : code !== undefined ? Number(code) : undefined;
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

// On a cluster with a namespace or kind policy, the passthrough's CLIs talk to this loopback proxy
// instead of the API server: every request they make goes through the cluster's own API (scope,
// impersonation and credentials included), so `kubectl get -A`, `helm list -A` or a kind behind a short
// name meet the same policy as the typed tools, without kube-mcp reading each CLI's arguments for it.
// It lives for one run, answers only below the random path written into that run's kubeconfig as its
// server URL (client-go sends no bearer token over plain HTTP, and loopback needs no TLS), and never hands
// a credential to the CLI.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ToolError } from "../errors.js";
import type { KubeRequest } from "../kube/types.js";
import type { Cluster } from "../targets/clusters.js";

export interface ScopeProxy {
  /** The server URL for the CLI's kubeconfig: loopback, with this run's secret as its base path. */
  url: string;
  close(): void;
}

const MAX_BODY = 16 * 1024 * 1024;
/** Response headers a CLI may need; the body is sent decompressed, so no content-encoding. */
const PASS = ["content-type", "audit-id", "warning", "cache-control", "etag", "last-modified"];

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  const body = JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason, code, message });
  res.writeHead(code, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** The request headers that describe the request; identity and transport are the cluster API's own. */
function forwarded(h: IncomingMessage["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  // JSON only: a list must be readable to be filtered (client-go asks for protobuf first where it can).
  const accept = String(h.accept ?? "")
    .split(",")
    .filter((t) => t.trim() && !t.includes("protobuf"))
    .join(",");
  out.accept = accept || "application/json";
  if (h["content-type"]) out["content-type"] = String(h["content-type"]);
  return out;
}

async function bodyOf(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new ToolError("request body too large for kube-mcp's policy proxy");
    chunks.push(c as Buffer);
  }
  return chunks.length ? Buffer.concat(chunks) : undefined;
}

const streams = (url: string) =>
  /[?&](watch|follow)=(true|1)\b/.test(url) || /^\/apis?\/.*\/watch\//.test(url);

export async function scopeProxy(cluster: Cluster): Promise<ScopeProxy> {
  const base = `/${randomBytes(24).toString("base64url")}`;
  const expected = Buffer.from(base);
  /** The API path below this run's base, or undefined for any other path. */
  const apiPath = (url = "") => {
    const got = Buffer.from(url.slice(0, base.length));
    const ok = got.length === expected.length && timingSafeEqual(got, expected);
    const rest = url.slice(base.length);
    return ok && (rest === "" || rest.startsWith("/") || rest.startsWith("?")) ? rest || "/" : undefined;
  };
  const inflight = new Set<AbortController>();
  const server = createServer(async (req, res) => {
    const path = apiPath(req.url);
    if (path === undefined)
      return status(res, 404, "NotFound", "kube-mcp's policy proxy: not this run's path");
    const ctl = new AbortController();
    inflight.add(ctl);
    res.once("close", () => {
      ctl.abort();
      inflight.delete(ctl);
    });
    try {
      const body = await bodyOf(req);
      const kreq: KubeRequest = {
        method: (req.method ?? "GET") as NonNullable<KubeRequest["method"]>,
        path,
        headers: forwarded(req.headers),
        ...(body ? { body } : {}),
        signal: ctl.signal,
      };
      if (streams(kreq.path)) {
        const s = await cluster.api.stream(kreq);
        res.writeHead(s.status, pick(s.headers));
        s.body.pipe(res);
        res.once("close", () => s.abort());
        return;
      }
      const r = await cluster.api.forward(kreq);
      res.writeHead(r.status, { ...pick(r.headers), "content-length": r.body.length });
      res.end(r.body);
    } catch (err) {
      if (res.headersSent) return void res.destroy();
      if (err instanceof ToolError) return status(res, 403, "Forbidden", err.message);
      status(res, 502, "BadGateway", `kube-mcp's policy proxy: ${(err as Error).message}`);
    }
  });
  // exec, attach and port-forward would carry a raw stream past the policy's reading of it.
  server.on("upgrade", (_req, socket) => {
    const msg =
      "exec, attach and port-forward are not available through the passthrough on a cluster with a namespace or kind policy; use pods_exec or pods_port_forward";
    socket.end(
      `HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(msg)}\r\nconnection: close\r\n\r\n${msg}`,
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${base}`,
    close() {
      for (const c of inflight) c.abort();
      server.close();
      server.closeAllConnections();
    },
  };
}

function pick(h: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const k of PASS) {
    const v = h[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

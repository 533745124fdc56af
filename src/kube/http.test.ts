// KubeHttp against small local HTTP servers: request shape, compression, limits, deadlines, the 401
// retry and error mapping. The real-API-server tests live in http.testbed.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { KubeApiError } from "./api-error.js";
import { Credentials } from "./credentials.js";
import { KubeHttp } from "./http.js";
import type { AuthSpec, ClusterSpec } from "./types.js";

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A real HTTP server on loopback; returns its URL and the requests it saw. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const seen: { method?: string; url?: string; headers: IncomingMessage["headers"]; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(() => server.close());
  closers.push(() => server.closeAllConnections());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const spec = (server: string, auth: AuthSpec = {}, extra: Partial<ClusterSpec> = {}): ClusterSpec => ({
  name: "local",
  source: "env",
  origin: "test",
  server,
  namespace: "default",
  tls: { insecure: false },
  auth,
  ...extra,
});
const client = (s: ClusterSpec, opts = {}) => {
  const http = new KubeHttp(s, new Credentials(s), opts);
  closers.push(() => http.close());
  return http;
};
const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

describe("KubeHttp.request", () => {
  it("keeps the server's path prefix, encodes the query and sends auth and body headers", async () => {
    const srv = await serve((_req, res) => json(res, 201, { ok: true }));
    const http = client(spec(`${srv.url}/k8s/clusters/c-1/`, { token: "tok" }));
    const res = await http.request({
      method: "POST",
      path: "/api/v1/namespaces/default/configmaps",
      query: { fieldManager: "kube-mcp", dryRun: "All", skip: undefined, limit: 5 },
      body: '{"kind":"ConfigMap"}',
    });
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body.toString())).toEqual({ ok: true });
    const [req] = srv.seen;
    expect(req?.method).toBe("POST");
    expect(req?.url).toBe(
      "/k8s/clusters/c-1/api/v1/namespaces/default/configmaps?fieldManager=kube-mcp&dryRun=All&limit=5",
    );
    expect(req?.headers).toMatchObject({
      authorization: "Bearer tok",
      accept: "application/json",
      "content-type": "application/json",
      "content-length": "20",
      "user-agent": "kube-mcp",
    });
    expect(req?.body).toBe('{"kind":"ConfigMap"}');
  });

  it("lets the caller's headers win and resolves non-2xx responses for the caller to map", async () => {
    const srv = await serve((_req, res) =>
      json(res, 404, { kind: "Status", reason: "NotFound", message: "nope" }),
    );
    const res = await client(spec(srv.url)).request({
      path: "/api/v1/pods",
      headers: { Accept: "application/json;as=Table;v=v1;g=meta.k8s.io" },
    });
    expect(res.status).toBe(404);
    expect(srv.seen[0]?.headers.accept).toBe("application/json;as=Table;v=v1;g=meta.k8s.io");
  });

  it("asks for gzip and returns the body decompressed", async () => {
    const big = JSON.stringify({ items: Array.from({ length: 2000 }, (_, i) => ({ name: `pod-${i}` })) });
    const srv = await serve((req, res) => {
      expect(req.headers["accept-encoding"]).toBe("gzip");
      res.writeHead(200, { "content-encoding": "gzip" });
      res.end(gzipSync(big));
    });
    expect((await client(spec(srv.url)).request({ path: "/api/v1/pods" })).body.toString()).toBe(big);
  });

  it("stops reading a body over the size limit with advice on asking for less", async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200);
      res.write(Buffer.alloc(600_000));
      res.end(Buffer.alloc(600_000));
    });
    const err = await client(spec(srv.url), { maxBodyBytes: 1024 * 1024 })
      .request({ path: "/api/v1/pods" })
      .catch((e: KubeApiError) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err).toMatchObject({ status: 0, reason: "TooLarge" });
    expect((err as Error).message).toBe(
      "the response from cluster local to GET /api/v1/pods is larger than 1 MiB; ask for less (limit and continue, a label or field selector)",
    );
  });

  it("gives up after timeoutMs with a message naming the cluster and the wait", async () => {
    const srv = await serve(() => {});
    const started = Date.now();
    const err = await client(spec(srv.url))
      .request({ path: "/api/v1/pods", timeoutMs: 200 })
      .catch((e: KubeApiError) => e);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(err).toMatchObject({
      status: 0,
      reason: "Timeout",
      message: "request to cluster local timed out after 0.2 s (GET /api/v1/pods)",
    });
  });

  it("holds requests over the rate limit, within their deadline, without sending them", async () => {
    const srv = await serve((_req, res) => json(res, 200, {}));
    // One request at once, the next a thousand seconds later: the second waits, and times out waiting.
    const http = client(spec(srv.url), { qps: 0.001, burst: 1 });
    expect((await http.request({ path: "/api/v1/namespaces" })).status).toBe(200);
    await expect(http.request({ path: "/api/v1/pods", timeoutMs: 200 })).rejects.toThrow(
      /request to cluster local timed out after 0.2 s \(GET \/api\/v1\/pods\)/,
    );
    expect(srv.seen.map((r) => r.url)).toEqual(["/api/v1/namespaces"]);
  });

  it("stops when the caller's signal aborts, before or during the request", async () => {
    const srv = await serve(() => {});
    const http = client(spec(srv.url));
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 100);
    await expect(http.request({ path: "/x", signal: ctl.signal })).rejects.toMatchObject({
      reason: "Aborted",
      message: "request to cluster local was aborted (GET /x)",
    });
    await expect(http.request({ path: "/y", signal: AbortSignal.abort() })).rejects.toMatchObject({
      reason: "Aborted",
    });
  });

  it("re-reads a token file and retries once when the server answers 401", async () => {
    const srv = await serve((req, res) =>
      req.headers.authorization === "Bearer fresh" ? json(res, 200, {}) : json(res, 401, { kind: "Status" }),
    );
    const dir = mkdtempSync(join(tmpdir(), "kube-mcp-http-"));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "token");
    writeFileSync(file, "stale");
    const http = client(spec(srv.url, { tokenFile: file }));
    expect((await http.request({ path: "/a" })).status).toBe(401);
    expect(srv.seen).toHaveLength(2);
    writeFileSync(file, "fresh"); // rotated, but still inside the one-minute re-read window
    expect((await http.request({ path: "/b" })).status).toBe(200);
    expect(srv.seen.map((r) => r.headers.authorization)).toEqual([
      "Bearer stale",
      "Bearer stale",
      "Bearer stale",
      "Bearer fresh",
    ]);
  });

  it("does not retry a 401 for a static token", async () => {
    const srv = await serve((_req, res) => json(res, 401, {}));
    expect((await client(spec(srv.url, { token: "t" })).request({ path: "/" })).status).toBe(401);
    expect(srv.seen).toHaveLength(1);
  });

  it("names the unreachable server", async () => {
    const srv = await serve(() => {});
    for (const close of closers.splice(0)) close();
    await expect(client(spec(srv.url)).request({ path: "/" })).rejects.toMatchObject({
      reason: "Unreachable",
      code: "ECONNREFUSED",
      message: `cannot reach cluster local at ${srv.url} (ECONNREFUSED). Check that it is up and reachable.`,
    });
  });

  it("refuses socks proxies clearly, without echoing proxy credentials", async () => {
    const s = spec("https://127.0.0.1:1", {}, { proxyUrl: "socks5://user:pw@127.0.0.1:1080" });
    const err = await client(s)
      .request({ path: "/" })
      .catch((e: Error) => e);
    expect((err as Error).message).toBe(
      "proxy socks5://127.0.0.1:1080 for cluster local is not supported: kube-mcp speaks only to http:// and https:// proxies",
    );
  });
});

describe("KubeHttp.stream", () => {
  it("delivers chunks as they are written and closes the connection on abort()", async () => {
    let closed = false;
    const srv = await serve((req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("line 1\n");
      const timer = setInterval(() => res.write("tick\n"), 50);
      req.socket.on("close", () => {
        closed = true;
        clearInterval(timer);
      });
    });
    const s = await client(spec(srv.url)).stream({ path: "/log", timeoutMs: 1000 });
    expect(s.status).toBe(200);
    const seen: string[] = [];
    s.body.on("error", () => {});
    for await (const chunk of s.body) {
      seen.push(String(chunk));
      if (seen.join("").includes("tick")) break;
    }
    s.abort();
    expect(seen.join("")).toMatch(/^line 1\n/);
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(true);
  });

  it("does not apply timeoutMs once the headers have arrived", async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200);
      res.flushHeaders();
      setTimeout(() => res.end("late but fine"), 300);
    });
    const s = await client(spec(srv.url)).stream({ path: "/log", timeoutMs: 100 });
    const chunks: Buffer[] = [];
    for await (const c of s.body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe("late but fine");
  });
});

describe("KubeHttp.impersonating", () => {
  it("sends the user, each group as its own header and the kube-mcp extra; no request header replaces them", async () => {
    const srv = await serve((req, res) =>
      json(res, 200, { groups: req.headersDistinct["impersonate-group"] }),
    );
    const as = client(spec(srv.url, { token: "svc-token" })).impersonating({
      user: "alice@example.com",
      groups: ["team-a", "ops"],
      via: "api-key alice",
    });
    const res = await as.request({
      path: "/api/v1/pods",
      headers: { "impersonate-user": "admin", "Impersonate-Group": "system:masters" },
    });
    expect(JSON.parse(res.body.toString())).toEqual({ groups: ["team-a", "ops"] });
    const h = srv.seen[0]?.headers;
    expect(h?.["impersonate-user"]).toBe("alice@example.com");
    expect(h?.["impersonate-extra-kube-mcp"]).toBe("api-key alice");
    // kube-mcp's own credentials still authenticate the request: impersonation is authorized on them.
    expect(h?.authorization).toBe("Bearer svc-token");
  });
});

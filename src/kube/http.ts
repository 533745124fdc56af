// The one place that puts bytes on the wire to an API server: TLS, client identity, proxies, deadlines,
// body limits and the 401-refresh retry. It returns raw bodies; callers parse them.
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { isIP, connect as netConnect, type Socket } from "node:net";
import type { Duplex, Readable } from "node:stream";
import { pipeline } from "node:stream";
import { connect as tlsConnect } from "node:tls";
import { createGunzip } from "node:zlib";
import { tracer } from "../obs/tracing.js";
import { apiRoute } from "../obs/tracing-attrs.js";
import { type Impersonation, impersonationHeaders } from "../policy/identity.js";
import type { Transport } from "./api.js";
import { KubeApiError, transportError } from "./api-error.js";
import { type AuthMaterial, Credentials } from "./credentials.js";
import { RateLimiter } from "./ratelimit.js";
import type { ClusterSpec, KubeRequest, KubeResponse } from "./types.js";

export interface KubeHttpOptions {
  /** Largest response body request() will buffer; default 64 MiB. */
  maxBodyBytes?: number;
  userAgent?: string;
  /** Client-side rate limit for this cluster: requests per second and the burst allowed above it. */
  qps?: number;
  burst?: number;
}

export interface KubeStream {
  status: number;
  headers: KubeResponse["headers"];
  body: Readable;
  /** Stops the stream and closes its connection. */
  abort(): void;
}

interface Exchange {
  res: IncomingMessage;
  signal: AbortSignal;
  abort: (reason: Error) => void;
  /** Stops the deadline timer; the caller's signal stays attached until `release`. */
  stopTimer: () => void;
  release: () => void;
}

type Headers = Record<string, string | string[]>;

const MiB = 1024 * 1024;

export class KubeHttp {
  private readonly agents = new Map<string, http.Agent>();
  private readonly maxBodyBytes: number;
  private readonly userAgent: string;
  private readonly limiter: RateLimiter | undefined;

  constructor(
    readonly spec: ClusterSpec,
    private readonly credentials: Credentials = new Credentials(spec),
    opts: KubeHttpOptions = {},
  ) {
    this.maxBodyBytes = opts.maxBodyBytes ?? 64 * MiB;
    this.userAgent = opts.userAgent ?? "kube-mcp";
    this.limiter = opts.qps ? new RateLimiter(opts.qps, opts.burst ?? Math.max(1, opts.qps * 2)) : undefined;
  }

  /** Sends a request and buffers the whole (decompressed) body. Non-2xx statuses resolve, not reject. */
  request(req: KubeRequest): Promise<KubeResponse> {
    return this.send(req, {});
  }

  /**
   * The same connections (kube-mcp's TLS identity, pooled), with every request impersonating `who`. The
   * impersonation headers are set last, so no request header can replace or drop them.
   */
  impersonating(who: Impersonation): Transport {
    const extra = impersonationHeaders(who);
    return {
      request: (req) => this.send(req, extra),
      stream: (req) => this.streamWith(req, extra),
      impersonating: (other) => this.impersonating(other),
    };
  }

  private async send(req: KubeRequest, extra: Headers): Promise<KubeResponse> {
    return this.withRetry(req, false, extra, async (ex) => {
      try {
        const body = await this.readBody(ex, req);
        return { status: ex.res.statusCode ?? 0, headers: ex.res.headers, body };
      } finally {
        ex.release();
      }
    });
  }

  /**
   * Opens a response for reading as it arrives (logs --follow, watches). `timeoutMs` bounds only the
   * wait for the response headers; `signal` and abort() end the stream at any time.
   */
  stream(req: KubeRequest): Promise<KubeStream> {
    return this.streamWith(req, {});
  }

  private streamWith(req: KubeRequest, extra: Headers): Promise<KubeStream> {
    return this.withRetry(req, true, extra, async (ex) => {
      ex.stopTimer();
      ex.res.once("close", ex.release);
      const abort = () =>
        ex.abort(new KubeApiError(0, "Aborted", `stream from cluster ${this.spec.name} was closed`));
      return { status: ex.res.statusCode ?? 0, headers: ex.res.headers, body: ex.res, abort };
    });
  }

  /** Closes pooled connections; in-flight requests fail. */
  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  private withRetry<T>(
    req: KubeRequest,
    streaming: boolean,
    extra: Headers,
    use: (ex: Exchange) => Promise<T>,
  ): Promise<T> {
    const method = req.method ?? "GET";
    const route = apiRoute(req.path);
    // One client span per request (its retry included): the route, never the object's name or the query.
    return tracer().span(
      `${method} ${route.template}`,
      {
        "http.request.method": method,
        "url.template": route.template,
        "k8s.cluster.name": this.spec.name,
        "k8s.namespace.name": route.namespace,
        "kube_mcp.k8s.resource": route.resource,
      },
      async (span) => {
        let ex = await this.exchange(req, streaming, extra);
        // A rejected exec or token-file credential may just be stale: fetch a fresh one and try once more.
        if (ex.res.statusCode === 401 && this.credentials.refreshable) {
          ex.res.resume();
          ex.release();
          this.credentials.invalidate();
          span.set({ "http.request.resend_count": 1 });
          ex = await this.exchange(req, streaming, extra);
        }
        const status = ex.res.statusCode ?? 0;
        span.set({ "http.response.status_code": status });
        if (status >= 400) span.fail(String(status));
        return use(ex);
      },
      { kind: "client" },
    );
  }

  private async exchange(req: KubeRequest, streaming: boolean, extra: Headers): Promise<Exchange> {
    const method = req.method ?? "GET";
    const what = `${method} ${req.path}`;
    const ctl = new AbortController();
    const { signal } = ctl;
    const abort = (reason: Error) => {
      if (!signal.aborted) ctl.abort(reason);
    };
    const onCallerAbort = () =>
      abort(new KubeApiError(0, "Aborted", `request to cluster ${this.spec.name} was aborted (${what})`));
    const secs = Number(((req.timeoutMs ?? 0) / 1000).toFixed(3));
    const timeout = `request to cluster ${this.spec.name} timed out after ${secs} s (${what})`;
    const timer = req.timeoutMs
      ? setTimeout(() => abort(new KubeApiError(0, "Timeout", timeout)), req.timeoutMs)
      : undefined;
    const stopTimer = () => clearTimeout(timer);
    const release = () => {
      stopTimer();
      req.signal?.removeEventListener("abort", onCallerAbort);
    };
    if (req.signal?.aborted) onCallerAbort();
    else req.signal?.addEventListener("abort", onCallerAbort, { once: true });
    try {
      signal.throwIfAborted();
      // Waiting for the rate limit counts against the request's deadline and ends with the call.
      await this.limiter?.take(signal);
      const auth = await this.credentials.get(signal);
      const url = this.url(req);
      const body = req.body === undefined ? undefined : Buffer.from(req.body);
      const headers: Headers = {
        Accept: "application/json",
        "User-Agent": this.userAgent,
        // Big lists compress ~10x; streams stay uncompressed so each line arrives as it is written.
        ...(streaming ? {} : { "Accept-Encoding": "gzip" }),
        ...(body ? { "Content-Type": "application/json", "Content-Length": String(body.length) } : {}),
        ...auth.headers,
        // An API server that traces (APIServerTracing) continues the caller's trace.
        ...tracer().carrier(),
      };
      // Case-insensitive override, so a caller's content-type replaces the default Content-Type.
      for (const [k, v] of Object.entries({ ...req.headers, ...extra })) {
        for (const h of Object.keys(headers)) if (h.toLowerCase() === k.toLowerCase()) delete headers[h];
        headers[k] = v;
      }
      const agent = this.agentFor(auth);
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        const creq = (url.protocol === "http:" ? http : https).request(
          url,
          { method, headers, agent },
          (res) => {
            signal.addEventListener("abort", () => res.destroy(signal.reason as Error), { once: true });
            resolve(res);
          },
        );
        const onAbort = () => creq.destroy(signal.reason as Error);
        signal.addEventListener("abort", onAbort, { once: true });
        creq.once("close", () => signal.removeEventListener("abort", onAbort));
        // The deadline may have passed while credentials were fetched: a listener added now never fires.
        if (signal.aborted) onAbort();
        creq.on("error", (err) =>
          reject(signal.aborted ? signal.reason : transportError(err, this.spec, what)),
        );
        creq.end(body);
      });
      return { res, signal, abort, stopTimer, release };
    } catch (err) {
      release();
      throw err;
    }
  }

  private async readBody(ex: Exchange, req: KubeRequest): Promise<Buffer> {
    const { res } = ex;
    const tooBig = () =>
      new KubeApiError(
        0,
        "TooLarge",
        `the response from cluster ${this.spec.name} to ${req.method ?? "GET"} ${req.path} is larger than ` +
          `${Math.round(this.maxBodyBytes / MiB)} MiB; ask for less (limit and continue, a label or field selector)`,
      );
    if (Number(res.headers["content-length"] ?? 0) > this.maxBodyBytes && !res.headers["content-encoding"]) {
      res.destroy();
      throw tooBig();
    }
    const source: Readable =
      res.headers["content-encoding"] === "gzip" ? pipeline(res, createGunzip(), () => {}) : res;
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of source) {
        size += (chunk as Buffer).length;
        if (size > this.maxBodyBytes) throw tooBig();
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      res.destroy();
      if (ex.signal.aborted) throw ex.signal.reason;
      throw err instanceof KubeApiError
        ? err
        : transportError(err as Error, this.spec, `reading ${req.path}`);
    }
    return Buffer.concat(chunks);
  }

  private url(req: KubeRequest): URL {
    const url = new URL(this.spec.server);
    const [path = "", inlineQuery] = req.path.split("?", 2);
    // Keep any path prefix in the server URL (Rancher and other proxies serve clusters under one).
    url.pathname = url.pathname.replace(/\/+$/, "") + path;
    const query = new URLSearchParams(inlineQuery);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) query.append(k, String(v));
    url.search = query.toString();
    return url;
  }

  private agentFor(auth: AuthMaterial): http.Agent {
    const existing = this.agents.get(auth.cacheKey);
    if (existing) return existing;
    const { tls, server, proxyUrl } = this.spec;
    const isHttps = new URL(server).protocol === "https:";
    const opts: https.AgentOptions = {
      keepAlive: true,
      rejectUnauthorized: !tls.insecure,
      ...(tls.ca && !tls.insecure ? { ca: tls.ca } : {}),
      ...(auth.cert ? { cert: auth.cert, key: auth.key } : {}),
      ...(tls.serverName ? { servername: tls.serverName } : {}),
    };
    const agent = isHttps ? new https.Agent(opts) : new http.Agent(opts);
    if (proxyUrl) {
      const proxy = URL.canParse(proxyUrl) ? new URL(proxyUrl) : undefined;
      if (!proxy)
        throw new KubeApiError(0, "ProxyError", `cluster ${this.spec.name} has an invalid proxy-url`);
      agent.createConnection = (options, done) => {
        const port = Number(options.port) || (isHttps ? 443 : 80);
        openTunnel(proxy, options.host ?? "localhost", port, this.spec.name).then(
          (socket) => done?.(null, isHttps ? tlsConnect({ ...(options as object), socket }) : socket),
          (err: Error) => done?.(err, undefined as unknown as Duplex),
        );
        return undefined;
      };
    }
    this.agents.set(auth.cacheKey, agent);
    // A rotated client certificate gets a new agent; drop the oldest so idle sockets do not pile up.
    for (const [key, old] of this.agents) {
      if (this.agents.size <= 2) break;
      old.destroy();
      this.agents.delete(key);
    }
    return agent;
  }
}

/** Opens a CONNECT tunnel through an http(s) proxy; the API server's TLS then runs inside it. */
function openTunnel(proxy: URL, host: string, port: number, cluster: string): Promise<Socket> {
  const label = `${proxy.protocol}//${proxy.host}`; // never the proxy's credentials
  const fail = (why: string) =>
    new KubeApiError(0, "ProxyError", `proxy ${label} for cluster ${cluster} ${why}`);
  if (proxy.protocol !== "http:" && proxy.protocol !== "https:")
    return Promise.reject(fail("is not supported: kube-mcp speaks only to http:// and https:// proxies"));
  const secure = proxy.protocol === "https:";
  const proxyPort = Number(proxy.port) || (secure ? 443 : 80);
  const target = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  const user = decodeURIComponent(proxy.username);
  const auth = user
    ? `Proxy-Authorization: Basic ${Buffer.from(`${user}:${decodeURIComponent(proxy.password)}`).toString("base64")}\r\n`
    : "";
  return new Promise((resolve, reject) => {
    const sock: Socket = secure
      ? tlsConnect({
          host: proxy.hostname,
          port: proxyPort,
          servername: isIP(proxy.hostname) ? "" : proxy.hostname,
        })
      : netConnect(proxyPort, proxy.hostname);
    let head = Buffer.alloc(0);
    const done = (err?: KubeApiError) => {
      sock.off("data", onData);
      sock.off("error", onError);
      if (!err) return resolve(sock);
      sock.destroy();
      reject(err);
    };
    const onError = (err: Error) => done(fail(`could not be reached: ${err.message}`));
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return head.length > 16_384 ? done(fail("sent an oversized reply")) : undefined;
      const statusLine = head.subarray(0, head.indexOf("\r\n")).toString("latin1");
      if (!/^HTTP\/1\.[01] 200\b/.test(statusLine))
        return done(fail(`refused the tunnel to ${target}: ${statusLine}`));
      // Both HTTP and TLS speak first from the client, so nothing follows the reply yet.
      done();
    };
    sock.once(secure ? "secureConnect" : "connect", () =>
      sock.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth}\r\n`),
    );
    sock.on("data", onData);
    sock.on("error", onError);
  });
}

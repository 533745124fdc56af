// Streamable HTTP: both protocol eras through a real client, the API key, the DNS-rebinding guard,
// health endpoints, and the refusal to serve a non-loopback address without authentication.
import { type IncomingHttpHeaders, request } from "node:http";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CLI, call, type HttpServer, httpSession, startHttpServer } from "./helpers/mcp.js";
import { run } from "./helpers/run.js";

const kubeconfig = inject("kubeconfig");
const KEY = "test-key-0123456789abcdef";
let srv: HttpServer;

/** A raw initialize POST; node:http because fetch silently drops a custom Host header. */
function post(
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  const body = JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "0" } },
  });
  return new Promise((resolve, reject) => {
    const req = request(
      srv.url,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          ...headers,
        },
      },
      (res) => {
        let data = "";
        res.on("data", (d: Buffer) => {
          data += d.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

beforeAll(async () => {
  srv = await startHttpServer([], { KUBECONFIG: kubeconfig, MCP_API_KEY: KEY });
});
afterAll(async () => {
  expect(await srv?.stop()).toBe(0);
});

describe("kube-mcp serve --http", () => {
  it.each(["legacy", "modern"] as const)("serves a %s-era client with the API key", async (era) => {
    const s = await httpSession(srv.url, { era, headers: { "x-api-key": KEY } });
    try {
      const tools = await s.client.listTools();
      expect(tools.tools.map((t) => t.name)).toContain("resources_list");
      const r = await call(s.client, "resources_list", { kind: "deploy", cluster: "*", namespace: "shop" });
      expect(r.isError).toBe(false);
      expect((r.structured as { rows: string[][] }).rows).toHaveLength(4);
    } finally {
      await s.close();
    }
  });

  it("accepts the key as a bearer token", async () => {
    const s = await httpSession(srv.url, { headers: { authorization: `Bearer ${KEY}` } });
    expect((await call(s.client, "clusters_list")).isError).toBe(false);
    await s.close();
  });

  it("rejects a missing or wrong key with 401", async () => {
    expect((await post({})).status).toBe(401);
    const wrong = await post({ "x-api-key": `${KEY}x` });
    expect(wrong.status).toBe(401);
    // Not a Bearer challenge: that would send OAuth clients looking for an authorization server.
    expect(wrong.headers["www-authenticate"]).toBe('ApiKey realm="kube-mcp", header="X-Api-Key"');
    expect(wrong.body).toContain("X-Api-Key or Authorization: Bearer");
    // A client that probes for OAuth anyway learns why there is none.
    const base = srv.url.replace(/\/mcp$/, "");
    for (const p of [
      "/.well-known/oauth-protected-resource/mcp",
      "/.well-known/oauth-authorization-server",
    ]) {
      const r = await fetch(`${base}${p}`);
      expect(r.status).toBe(404);
      expect(await r.text()).toContain("does not use OAuth: send its API key as X-Api-Key");
    }
    // And an SDK client without the key is told it is missing.
    await expect(httpSession(srv.url)).rejects.toThrow(/API key/);
  });

  it("rejects a foreign Host or Origin with 403 (DNS rebinding)", async () => {
    const host = await post({ "x-api-key": KEY, host: "evil.example:80" });
    expect(host.status).toBe(403);
    const origin = await post({ "x-api-key": KEY, origin: "https://evil.example" });
    expect(origin.status).toBe(403);
    expect((await post({ "x-api-key": KEY, origin: "http://localhost:5173" })).status).toBe(200);
  });

  it("answers /healthz and /readyz without a key", async () => {
    const base = srv.url.replace(/\/mcp$/, "");
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).text()).toBe("ready\n");
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it("a 2025-era client's cancel stops its call on the server within a second", async () => {
    const audited = await startHttpServer(["--audit"], { KUBECONFIG: kubeconfig, MCP_API_KEY: KEY });
    const s = await httpSession(audited.url, { headers: { "x-api-key": KEY }, era: "legacy" });
    try {
      const ac = new AbortController();
      const pending = s.client
        .callTool(
          {
            name: "kubectl",
            arguments: {
              args: ["wait", "--for=condition=Ready", "pod/stuck-pending", "-n", "ops", "--timeout=60s"],
              timeout: 50,
            },
          },
          { signal: ac.signal },
        )
        .catch((err: Error) => err);
      await new Promise((r) => setTimeout(r, 1500));
      const cancelledAt = Date.now();
      ac.abort("the user changed their mind");
      expect(await pending).toBeInstanceOf(Error);
      // The notification reached a new stateless server, which found the call and stopped it.
      const line = async () =>
        audited
          .stderr()
          .split("\n")
          .filter((l) => l.includes('"audit":true') && l.includes('"tool":"kubectl"'))
          .map((l) => JSON.parse(l))[0];
      while (!(await line()) && Date.now() - cancelledAt < 20_000)
        await new Promise((r) => setTimeout(r, 100));
      const audit = await line();
      expect(audit, audited.stderr().slice(-2000)).toBeDefined();
      expect(audit.outcome).toBe("error");
      // Stopped, not run to its 50 s deadline (a generous bound: this is not a timing test).
      expect(audit.ms).toBeLessThan(20_000);
    } finally {
      await s.close();
      await audited.stop();
    }
  });

  it("writes an audit line per call with --audit, and none without", async () => {
    const audited = await startHttpServer(["--audit"], { KUBECONFIG: kubeconfig, MCP_API_KEY: KEY });
    const s = await httpSession(audited.url, { headers: { "x-api-key": KEY } });
    await call(s.client, "resources_get", { kind: "secret", name: "db-credentials", namespace: "shop" });
    await s.close();
    await audited.stop();
    const lines = audited
      .stderr()
      .split("\n")
      .filter((l) => l.includes('"audit":true'))
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      expect.objectContaining({
        role: "serve",
        caller: "api-key",
        tool: "resources_get",
        cluster: "(default)",
        outcome: "ok",
        args: JSON.stringify({ kind: "secret", name: "db-credentials", namespace: "shop" }),
      }),
    ]);
    expect(srv.stderr()).not.toContain('"audit":true');
  });

  it("exposes Prometheus metrics of the calls it served, without a key", async () => {
    const base = srv.url.replace(/\/mcp$/, "");
    const s = await httpSession(srv.url, { headers: { "x-api-key": KEY } });
    await call(s.client, "clusters_list");
    await call(s.client, "resources_list", { kind: "nope-no-such-kind" });
    await s.close();
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    expect(text).toMatch(/^kube_mcp_build_info\{role="serve",version="\d+\.\d+\.\d+"\} 1$/m);
    expect(text).toMatch(/^kube_mcp_tool_calls_total\{tool="clusters_list",outcome="ok"\} [1-9]\d*$/m);
    expect(text).toMatch(/^kube_mcp_tool_calls_total\{tool="resources_list",outcome="error"\} [1-9]\d*$/m);
    expect(text).toMatch(/^kube_mcp_tool_call_duration_seconds_count\{tool="clusters_list"\} [1-9]\d*$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
  });
});

describe("startup safety", () => {
  it("refuses a non-loopback bind without authentication", async () => {
    const r = await run(process.execPath, [CLI, "serve", "--http", "0.0.0.0:0"], {
      env: { ...process.env, KUBECONFIG: kubeconfig, MCP_API_KEY: "" },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("refusing to serve on 0.0.0.0:0 without authentication");
    expect(r.stdout).toBe("");
  });

  it("starts with --allow-unauthenticated and warns", async () => {
    const open = await startHttpServer(["--http", "0.0.0.0:0", "--allow-unauthenticated"], {
      KUBECONFIG: kubeconfig,
    });
    try {
      expect(open.stderr()).toContain("serving without authentication on a non-loopback address");
    } finally {
      await open.stop();
    }
  });

  it("rejects a bad option with a clear message and exit code 2", async () => {
    const r = await run(process.execPath, [CLI, "serve", "--mode", "yolo"], {
      env: { ...process.env, KUBECONFIG: kubeconfig },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid configuration: mode: .*"read-only"/);
  });
});

// The hub's agent endpoint refuses what it must, and logs it: wrong tokens, a token claiming another
// cluster, a protocol version mismatch, too many sockets from one address, silence past the
// registration deadline, oversized and malformed frames. A second connection for a cluster replaces
// the first. Client auth: no key off loopback refuses to start; ?api_key= only when enabled.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { freePort, type Proc, spawnRole, TOKENS } from "./helpers/fleet.js";

const dir = mkdtempSync(join(tmpdir(), "kube-mcp-link-"));
let port: number;
let hub: Proc;

interface Dialed {
  ws: WebSocket;
  /** "open", or the HTTP refusal. */
  opened: Promise<"open" | { status: number; body: string }>;
  closed: Promise<{ code: number; reason: string }>;
}

function dial(o: { token?: string; cluster?: string; protocol?: string } = {}, at = port): Dialed {
  const ws = new WebSocket(`ws://127.0.0.1:${at}/agent`, [o.protocol ?? "kube-mcp.link.v1"], {
    headers: {
      ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
      ...(o.cluster ? { "x-kube-mcp-cluster": o.cluster } : {}),
    },
  });
  ws.on("error", () => {});
  const opened = new Promise<"open" | { status: number; body: string }>((resolve) => {
    ws.once("open", () => resolve("open"));
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (d: Buffer) => {
        body += d.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: body.trim() }));
    });
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return { ws, opened, closed };
}

const hello = {
  type: "hello",
  agentVersion: "0.0.0-test",
  versions: { kubernetes: "v0", kubectl: "v0", helm: "v0" },
  policy: { mode: "read-only", namespace: "default", revealSecrets: false },
  tools: [],
};

beforeAll(async () => {
  port = await freePort();
  const cfg = join(dir, "hub.yaml");
  writeFileSync(
    cfg,
    "hub: {maxAgentConnectionsPerIp: 3, registrationTimeoutMs: 1500, maxFrameBytes: 4096, heartbeatMs: 1000}\n",
  );
  hub = spawnRole("hub", ["--http", `127.0.0.1:${port}`, "--config", cfg], {
    CLUSTER_TOKENS: JSON.stringify({ alpha: TOKENS.alpha, gamma: TOKENS.gamma }),
  });
  await hub.waitFor(/"msg":"hub serving"/);
});
afterAll(async () => {
  await hub?.stop();
});

describe("the hub's agent endpoint", () => {
  it("refuses a wrong token, and a valid token claiming another cluster", async () => {
    expect(await dial({ token: "not-a-token-at-all-0000", cluster: "alpha" }).opened).toEqual({
      status: 401,
      body: "invalid agent token",
    });
    expect(await dial({ token: TOKENS.alpha, cluster: "gamma" }).opened).toEqual({
      status: 401,
      body: 'this token is not valid for cluster "gamma"; a token admits only its own cluster',
    });
    expect(await dial({ cluster: "alpha" }).opened).toMatchObject({ status: 401 });
    await hub.waitFor(/"msg":"agent connection refused"[^\n]*"cluster":"gamma"[^\n]*"status":401/);
  });

  it("refuses a protocol version it does not speak", async () => {
    const r = await dial({ token: TOKENS.alpha, cluster: "alpha", protocol: "kube-mcp.link.v0" }).opened;
    expect(r).toEqual({
      status: 426,
      body: "protocol version mismatch: this hub speaks kube-mcp.link.v1; the agent offered kube-mcp.link.v0. Run agent and hub of the same release.",
    });
    await hub.waitFor(/"status":426/);
  });

  it("limits sockets per address and closes those that never register", async () => {
    const pending = [1, 2, 3].map(() => dial({ token: TOKENS.gamma, cluster: "gamma" }));
    for (const p of pending) expect(await p.opened).toBe("open");
    expect(await dial({ token: TOKENS.gamma, cluster: "gamma" }).opened).toEqual({
      status: 429,
      body: "too many agent connections from 127.0.0.1 (the limit is 3)",
    });
    for (const p of pending)
      expect(await p.closed).toEqual({ code: 4408, reason: "no hello before the registration deadline" });
    await hub.waitFor(/agent did not register in time/);
    // Closed sockets no longer count.
    const again = dial({ token: TOKENS.gamma, cluster: "gamma" });
    expect(await again.opened).toBe("open");
    again.ws.close();
  });

  it("closes on oversized and malformed frames, and logs why", async () => {
    const big = dial({ token: TOKENS.gamma, cluster: "gamma" });
    await big.opened;
    big.ws.send(JSON.stringify({ ...hello, agentVersion: "x".repeat(5000) }));
    expect((await big.closed).code).toBe(1009);
    await hub.waitFor(/"msg":"agent socket error"[^\n]*Max payload size exceeded/);

    const junk = dial({ token: TOKENS.gamma, cluster: "gamma" });
    await junk.opened;
    junk.ws.send("this is not json");
    expect(await junk.closed).toEqual({ code: 4400, reason: "frame is not JSON" });

    const early = dial({ token: TOKENS.gamma, cluster: "gamma" });
    await early.opened;
    early.ws.send(JSON.stringify({ type: "result", id: 1, ok: true }));
    expect(await early.closed).toEqual({ code: 4400, reason: "result before hello" });

    const shape = dial({ token: TOKENS.gamma, cluster: "gamma" });
    await shape.opened;
    shape.ws.send(JSON.stringify({ ...hello, policy: { mode: "godmode" } }));
    expect((await shape.closed).code).toBe(4400);
    await hub.waitFor(/"msg":"malformed frame from agent; closing"[^\n]*"reason":"frame is not JSON"/);
  });

  it("lets a newer connection for a cluster replace the older one", async () => {
    const first = dial({ token: TOKENS.alpha, cluster: "alpha" });
    await first.opened;
    first.ws.send(JSON.stringify(hello));
    await new Promise((r) => first.ws.once("message", r)); // welcome
    const second = dial({ token: TOKENS.alpha, cluster: "alpha" });
    await second.opened;
    second.ws.send(JSON.stringify(hello));
    expect(await first.closed).toEqual({
      code: 4409,
      reason: "replaced by a newer connection for this cluster",
    });
    expect(second.ws.readyState).toBe(WebSocket.OPEN);
    await hub.waitFor(/agent connection replaced by a newer one/);
    second.ws.close();
  });
});

describe("hub client authentication", () => {
  it("refuses to serve off loopback without an API key", async () => {
    const h = spawnRole("hub", ["--http", "0.0.0.0:0"], { CLUSTER_TOKENS: "{}" });
    await h.waitFor(/refusing to serve on 0\.0\.0\.0:0 without authentication/);
    await new Promise((r) => h.proc.once("exit", r));
    expect(h.proc.exitCode).toBe(1);
  });

  it("accepts ?api_key= only when enabled", async () => {
    const key = "k".repeat(32);
    const body = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "0" } },
    });
    const post = (p: number, q: string) =>
      fetch(`http://127.0.0.1:${p}/mcp${q}`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body,
      });
    for (const [flags, expected] of [
      [[], 401],
      [["--allow-query-api-key"], 200],
    ] as const) {
      const p = await freePort();
      const h = spawnRole("hub", ["--http", `127.0.0.1:${p}`, ...flags], {
        MCP_API_KEY: key,
        CLUSTER_TOKENS: "{}",
      });
      await h.waitFor(/"msg":"hub serving"/);
      expect((await post(p, `?api_key=${key}`)).status).toBe(expected);
      expect((await post(p, "?api_key=wrong-key-wrong-key")).status).toBe(401);
      await h.stop();
    }
  });
});

describe("hub cluster tokens from a directory (a mounted Secret)", () => {
  it("picks up a new cluster and drops an agent whose token changed, without a restart", async () => {
    const tokens = mkdtempSync(join(tmpdir(), "kube-mcp-tokens-"));
    writeFileSync(join(tokens, "alpha"), TOKENS.alpha);
    const p = await freePort();
    const h = spawnRole("hub", ["--http", `127.0.0.1:${p}`, "--cluster-tokens-path", tokens], {});
    await h.waitFor(/"msg":"hub serving"[^\n]*"clusters":\["alpha"\]/);
    const at = (o: Parameters<typeof dial>[0]) => dial(o, p);
    expect(await at({ token: TOKENS.gamma, cluster: "gamma" }).opened).toMatchObject({ status: 401 });
    const alpha = at({ token: TOKENS.alpha, cluster: "alpha" });
    await alpha.opened;
    alpha.ws.send(JSON.stringify(hello));
    await new Promise((r) => alpha.ws.once("message", r));

    writeFileSync(join(tokens, "gamma"), TOKENS.gamma);
    await h.waitFor(/"msg":"cluster tokens reloaded"[^\n]*"gamma"/, 10_000);
    const gamma = at({ token: TOKENS.gamma, cluster: "gamma" });
    expect(await gamma.opened).toBe("open");
    gamma.ws.close();

    writeFileSync(join(tokens, "alpha"), "a-brand-new-alpha-token-000");
    expect(await alpha.closed).toEqual({ code: 4409, reason: "the hub's token for this cluster changed" });
    expect(await at({ token: TOKENS.alpha, cluster: "alpha" }).opened).toMatchObject({ status: 401 });
    await h.stop();
  });
});

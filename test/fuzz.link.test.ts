// Seeded fuzzing of the hub's side of the agent link (src/link/protocol.ts) from a FAKE agent socket for
// cluster gamma: junk before hello (binary, not JSON, wrong shapes, oversized), then, while an MCP client
// calls gamma through the hub, answers that are duplicated, out of order, for unknown ids, of the wrong
// shape, oversized, late or never sent, a second hello, a replacing connection and abrupt drops. Every
// call to gamma ends before its deadline with its data or an error naming gamma; the hub never logs a
// crash, stays up, and keeps serving alpha through a real agent throughout.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import WebSocket from "ws";
import { freePort, type Proc, spawnRole, startAgent, TOKENS } from "./helpers/fleet.js";
import { type Json, prng } from "./helpers/fuzz-args.js";
import { call, httpSession, type Session } from "./helpers/mcp.js";

const SEED = Number(process.env.KUBE_MCP_FUZZ_SEED ?? 20261203);
const ROUNDS = Number(process.env.KUBE_MCP_FUZZ_CALLS ?? 12) * 2;
const MAX_FRAME = 64 * 1024;
/** The hub gives an agent 2 s per call (--cluster-timeout); the rest is slack for a loaded machine. */
const DEADLINE_MS = 25_000;
const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const dir = mkdtempSync(join(tmpdir(), "kube-mcp-fuzz-link-"));
let port: number;
let hub: Proc;
let alpha: Proc;
let client: Session;

const hello = {
  type: "hello",
  agentVersion: "0.0.0-fuzz",
  versions: { kubernetes: "v0", kubectl: "v0", helm: "v0" },
  policy: { mode: "read-only", namespace: "default", revealSecrets: false },
  tools: ["resources_list", "kubectl"],
  supports: ["caller", "scope"],
};

/** A socket for gamma that has said hello and been welcomed; `calls` yields the hub's call frames. */
class FakeAgent {
  ws!: WebSocket;
  private frames: Record<string, Json>[] = [];
  private wake: () => void = () => {};
  closed!: Promise<number>;

  static async connect(): Promise<FakeAgent> {
    const a = new FakeAgent();
    a.ws = dial();
    a.closed = new Promise((r) => a.ws.once("close", (code) => r(code)));
    a.ws.on("message", (d) => {
      a.frames.push(JSON.parse(String(d)));
      a.wake();
    });
    await new Promise((r) => a.ws.once("open", r));
    a.send(hello);
    const welcome = await a.next();
    expect(welcome.type).toBe("welcome");
    return a;
  }

  send(frame: unknown): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  async next(ms = DEADLINE_MS): Promise<Record<string, Json>> {
    const end = Date.now() + ms;
    while (!this.frames.length) {
      if (Date.now() > end || this.ws.readyState > WebSocket.OPEN) throw new Error("no frame from the hub");
      await Promise.race([new Promise<void>((r) => (this.wake = r)), sleep(200)]);
    }
    return this.frames.shift() as Record<string, Json>;
  }

  /** The next call frame, past the cancels the hub sent for calls that ended without an answer. */
  async nextCall(): Promise<Record<string, Json>> {
    for (;;) {
      const f = await this.next();
      if (f.type === "call") return f;
    }
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }
}

function dial(): WebSocket {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/agent`, ["kube-mcp.link.v1"], {
    headers: { authorization: `Bearer ${TOKENS.gamma}`, "x-kube-mcp-cluster": "gamma" },
  });
  ws.on("error", () => {});
  return ws;
}

/** A proper answer for the tool called: one row, or one text. */
const good = (frame: Record<string, Json>) => ({
  type: "result",
  id: frame.id,
  ok: true,
  data:
    frame.tool === "kubectl"
      ? { text: "fake kubectl output" }
      : { columns: ["NAME"], rows: [["fake-gamma-row"]], empty: "nothing" },
});

/** Frames that are never a valid first message from an agent. */
const JUNK: (() => string | Buffer)[] = [
  () => Buffer.from([0, 1, 2, 255]),
  () => "not json {",
  () => "",
  () => "null",
  () => "[]",
  () => JSON.stringify({ type: "result", id: 1, ok: true }),
  () => JSON.stringify({ type: "progress", id: -1, done: 1, total: 1, message: "x" }),
  () => JSON.stringify({ ...hello, policy: { mode: "godmode" } }),
  () => JSON.stringify({ ...hello, tools: "all" }),
  () => JSON.stringify({ ...hello, type: "HELLO" }),
  () => JSON.stringify({ ...hello, agentVersion: "x".repeat(MAX_FRAME) }),
  () => `${"[".repeat(100_000)}`,
  () => JSON.stringify({ __proto__: null, type: "hello" }),
];

/** What the fake agent does with one call: the MCP client must still get an answer naming gamma. */
type Behaviour = (a: FakeAgent, call: Record<string, Json>, rand: () => number) => Promise<void>;
const BEHAVIOURS: Record<string, Behaviour> = {
  correct: async (a, c) => a.send(good(c)),
  duplicate: async (a, c) => {
    a.send(good(c));
    a.send(good(c));
    a.send({ ...good(c), ok: false, error: "a late contradiction" });
  },
  "unknown id first": async (a, c) => {
    a.send({ ...good(c), id: Number(c.id) + 1000 });
    a.send({ type: "progress", id: 999_999, done: 1, total: 2, message: "for nobody" });
    a.send(good(c));
  },
  "progress after the result": async (a, c) => {
    a.send(good(c));
    a.send({ type: "progress", id: c.id, done: 2, total: 1, message: "late" });
  },
  "absurd progress": async (a, c) => {
    a.send({ type: "progress", id: c.id, done: -1e308, total: 0, message: "\u202e".repeat(2000) });
    a.send(good(c));
  },
  "error result": async (a, c) =>
    a.send({
      type: "result",
      id: c.id,
      ok: false,
      error: "fake failure on cluster gamma",
      hint: "\u0000hint",
    }),
  "garbage data": async (a, c, rand) => {
    const junk: Json[] = [42, "text", null, [], { rows: 5 }, { columns: [1], rows: [[{}]] }, { text: 7 }];
    a.send({ type: "result", id: c.id, ok: true, data: junk[Math.floor(rand() * junk.length)] as Json });
  },
  "ok without data": async (a, c) => a.send({ type: "result", id: c.id, ok: true }),
  silent: async () => {},
  "malformed mid-call": async (a) => a.ws.send("{{{"),
  "oversized mid-call": async (a, c) =>
    a.send({ type: "result", id: c.id, ok: false, error: "y".repeat(MAX_FRAME + 10) }),
  "second hello": async (a) => a.send(hello),
  "drop without close": async (a) => a.ws.terminate(),
  "close mid-call": async (a) => a.ws.close(1000, "bye"),
  "replaced mid-call": async () => {
    await FakeAgent.connect(); // the hub closes the old socket; the call on it fails
  },
};

beforeAll(async () => {
  port = await freePort();
  const cfg = join(dir, "hub.yaml");
  writeFileSync(
    cfg,
    `hub: {registrationTimeoutMs: 3000, maxFrameBytes: ${MAX_FRAME}, heartbeatMs: 1000, maxAgentConnectionsPerIp: 50}\n`,
  );
  hub = spawnRole(
    "hub",
    ["--http", `127.0.0.1:${port}`, "--config", cfg, "--mode", "read-only", "--cluster-timeout", "2000"],
    { CLUSTER_TOKENS: JSON.stringify({ alpha: TOKENS.alpha, gamma: TOKENS.gamma }) },
  );
  await hub.waitFor(/"msg":"hub serving"/);
  alpha = await startAgent("alpha", "alpha", {
    hubPort: port,
    kubeconfig,
    bin,
    args: ["--mode", "read-only"],
  });
  client = await httpSession(`http://127.0.0.1:${port}/mcp`, { era: "modern" });
});
afterAll(async () => {
  await client?.close().catch(() => {});
  await Promise.all([alpha, hub].map((p) => p?.stop()));
});

async function alphaStillServes(): Promise<void> {
  const r = await call(client.client, "resources_get", {
    kind: "namespace",
    name: "kube-system",
    cluster: "alpha",
  });
  expect(r.isError, r.text).toBe(false);
}

describe("fuzzing the hub's agent link", () => {
  it("closes every junk first frame and keeps serving", async () => {
    const rand = prng(SEED);
    for (let i = 0; i < ROUNDS; i++) {
      const ws = dial();
      const closed = new Promise<number>((r) => ws.once("close", (code) => r(code)));
      await new Promise((r) => ws.once("open", r));
      const frame = (JUNK[Math.floor(rand() * JUNK.length)] as () => string | Buffer)();
      ws.send(frame);
      const code = await Promise.race([closed, sleep(10_000).then(() => 0)]);
      // 4400 malformed, 1009 too big; 1006 when ws tears the socket down on a protocol error.
      expect([4400, 1009, 1006, 1002]).toContain(code);
    }
    await alphaStillServes();
    expect(hub.proc.exitCode).toBe(null);
  });

  it("answers every call to gamma with its data or an error naming gamma, whatever the agent sends", async () => {
    const rand = prng(SEED + 1);
    const names = Object.keys(BEHAVIOURS);
    const failures: string[] = [];
    const seen = new Map<string, number>();
    let agent = await FakeAgent.connect();
    for (let i = 0; i < ROUNDS; i++) {
      if (!agent.open) agent = await FakeAgent.connect();
      // Every behaviour once, then a seeded mix.
      const name = names[i < names.length ? i : Math.floor(rand() * names.length)] as string;
      const tool = rand() < 0.5 ? "resources_list" : "kubectl";
      const args =
        tool === "kubectl" ? { args: ["get", "ns"], cluster: "gamma" } : { kind: "pods", cluster: "gamma" };
      const t0 = Date.now();
      const answer = Promise.race([
        call(client.client, tool, args).catch((e: Error) => ({ isError: true, text: `THREW ${e.message}` })),
        sleep(DEADLINE_MS).then(() => ({ isError: true, text: "HUNG" })),
      ]);
      const frame = await agent.nextCall();
      expect(frame).toMatchObject({ type: "call", tool });
      await (BEHAVIOURS[name] as Behaviour)(agent, frame, rand);
      const r = await answer;
      const outcome = r.isError ? "error" : "ok";
      seen.set(`${name}: ${outcome}`, (seen.get(`${name}: ${outcome}`) ?? 0) + 1);
      if (/HUNG|THREW|Internal error/.test(r.text) || (r.isError && !/\bgamma\b/.test(r.text)))
        failures.push(`${name} (${tool}, ${Date.now() - t0} ms): ${r.text.slice(0, 300)}`);
      if (!r.isError && !r.text.includes("fake"))
        failures.push(`${name}: an answer not from gamma: ${r.text}`);
      if (i % 8 === 7) await alphaStillServes();
    }
    console.log("link fuzz outcomes", Object.fromEntries([...seen].sort()));
    expect(failures).toEqual([]);
    await alphaStillServes();
    expect(hub.log()).not.toMatch(/"msg":"tool crashed"/);
    expect(hub.proc.exitCode).toBe(null);
  });
});

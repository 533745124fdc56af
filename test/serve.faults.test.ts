// Faults a real API server cannot produce on demand, from a FAKE black-hole API server (accepts TCP,
// never answers) and a closed port: per-cluster deadlines, failures listed beside the rows that came
// back, cancellation closing the API connection, and a kubeconfig change picked up without a restart.
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parse, stringify } from "yaml";
import { freePort } from "../testbed/lib/ports.js";
import { call, type Session, stdioSession } from "./helpers/mcp.js";

type Named = { name: string } & Record<string, unknown>;
type Kubeconfig = {
  clusters: Named[];
  users: Named[];
  contexts: Named[];
} & Record<string, unknown>;
const base = parse(readFileSync(inject("kubeconfig"), "utf8")) as Kubeconfig;
const dir = mkdtempSync(join(tmpdir(), "kube-mcp-faults-"));
const sockets: Socket[] = [];
let blackHole: Server;

function withExtra(extra: { name: string; server: string }[]): Kubeconfig {
  return {
    ...base,
    clusters: [
      ...base.clusters,
      ...extra.map((e) => ({
        name: e.name,
        cluster: { server: e.server, "insecure-skip-tls-verify": true },
      })),
    ],
    users: [...base.users, { name: "nobody", user: { token: "not-a-real-token" } }],
    contexts: [
      ...base.contexts,
      ...extra.map((e) => ({ name: e.name, context: { cluster: e.name, user: "nobody" } })),
    ],
  };
}

beforeAll(async () => {
  blackHole = createServer((s) => {
    sockets.push(s);
    s.on("error", () => {});
    // Swallow what the client sends: a socket that is never read never reports the client's close.
    s.resume();
  });
  await new Promise<void>((r) => blackHole.listen(0, "127.0.0.1", r));
  const port = (blackHole.address() as { port: number }).port;
  const closed = await freePort();
  writeFileSync(
    join(dir, "faults.yaml"),
    stringify(
      withExtra([
        { name: "blackhole", server: `https://127.0.0.1:${port}` },
        { name: "refused", server: `https://127.0.0.1:${closed}` },
      ]),
    ),
  );
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => blackHole.close(r));
});

describe("fan-out with broken clusters", () => {
  let s: Session;
  beforeAll(async () => {
    s = await stdioSession({
      args: ["--cluster-timeout", "2000"],
      env: { KUBECONFIG: join(dir, "faults.yaml") },
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  it("returns the healthy clusters' rows and names each failure, within the per-cluster deadline", async () => {
    const r = await call(s.client, "resources_list", {
      kind: "deployments",
      namespace: "shop",
      cluster: "*",
    });
    expect(r.isError).toBe(false);
    const t = r.structured as {
      rows: string[][];
      clusters: { cluster: string; ok: boolean; error?: string }[];
    };
    expect(new Set(t.rows.map((row) => row[0]))).toEqual(new Set(["alpha", "beta"]));
    const byName = Object.fromEntries(t.clusters.map((c) => [c.cluster, c]));
    expect(byName.blackhole).toMatchObject({
      ok: false,
      error: expect.stringContaining("did not answer in time"),
    });
    expect(byName.refused).toMatchObject({
      ok: false,
      error: expect.stringContaining("unreachable (ECONNREFUSED)"),
    });
    expect(r.text).toContain("Cluster refused failed: Cluster refused is unreachable (ECONNREFUSED).");
  });

  it("reports reachability per cluster in clusters_list", async () => {
    const r = await call(s.client, "clusters_list");
    const rows = (r.structured as { rows: string[][] }).rows;
    expect(rows.find((row) => row[0] === "refused")?.[4]).toMatch(/^no: Cluster refused is unreachable/);
    expect(rows.find((row) => row[0] === "alpha (default)")?.[4]).toBe("yes");
  });

  it("fails a single-cluster call with a clear error", async () => {
    const r = await call(s.client, "resources_get", { kind: "pods", name: "x", cluster: "blackhole" });
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/^Cluster blackhole did not answer in time\./);
  });
});

describe("cancellation", () => {
  it("closes the API server connection when the client cancels", async () => {
    const s = await stdioSession({
      args: ["--cluster-timeout", "60000", "--request-timeout", "60000"],
      env: { KUBECONFIG: join(dir, "faults.yaml") },
    });
    try {
      const before = sockets.length;
      const ac = new AbortController();
      const pending = s.client.callTool(
        { name: "resources_list", arguments: { kind: "pods", cluster: "blackhole" } },
        { signal: ac.signal },
      );
      await expect.poll(() => sockets.length, { timeout: 10_000 }).toBeGreaterThan(before);
      const socket = sockets.at(-1) as Socket;
      const closed = new Promise<void>((r) => socket.once("close", () => r()));
      ac.abort();
      await expect(pending).rejects.toThrow();
      await closed;
      expect(socket.destroyed).toBe(true);
      expect((await call(s.client, "clusters_list")).isError).toBe(false);
    } finally {
      await s.close();
    }
  });
});

describe("kubeconfig reload", () => {
  it("picks up a changed kubeconfig without a restart", async () => {
    const file = join(dir, "live.yaml");
    const alphaOnly = { ...base, contexts: base.contexts.filter((c) => c.name === "alpha") };
    writeFileSync(file, stringify(alphaOnly));
    const s = await stdioSession({ env: { KUBECONFIG: file } });
    try {
      const names = async () =>
        ((await call(s.client, "clusters_list")).structured as { rows: string[][] }).rows.map((r) => r[0]);
      expect(await names()).toEqual(["alpha (default)"]);
      writeFileSync(`${file}.tmp`, stringify(base));
      renameSync(`${file}.tmp`, file);
      await expect.poll(names, { timeout: 15_000, interval: 300 }).toEqual(["alpha (default)", "beta"]);
    } finally {
      await s.close();
    }
  });
});

// pods_port_forward through MCP against the test bed: real TCP round trips through the API server to kwok's
// simulated pod ports (7 echoes, others answer one HTTP request), session limits, idle expiry, shutdown.
import { mkdtempSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { call, type Session, stdioSession } from "./helpers/mcp.js";

const kubeconfig = inject("kubeconfig");
const dir = mkdtempSync(join(tmpdir(), "kube-mcp-forward-"));
let s: Session;
let nd: Session;

interface Sess {
  id: string;
  local: string;
  pod: string;
  remotePort: number;
  totalConnections: number;
  bytesIn: number;
  bytesOut: number;
}
const sessions = (r: { structured: unknown }) => (r.structured as { sessions: Sess[] }).sessions;

/** Connects to host:port, writes `send`, and resolves with what came back before the peer closed or `ms` passed. */
function roundTrip(address: string, send: string, ms = 3000): Promise<string> {
  const [host, port] = address.split(":") as [string, string];
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port: Number(port) });
    let got = "";
    const timer = setTimeout(() => {
      sock.destroy();
      resolve(got);
    }, ms);
    sock.on("connect", () => sock.write(send));
    sock.on("data", (d) => {
      got += d.toString();
      if (send.startsWith("echo:") && got.length >= send.length) {
        clearTimeout(timer);
        sock.destroy();
        resolve(got);
      }
    });
    sock.on("end", () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(got);
    });
    sock.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

const start = (args: Record<string, unknown>, session = s) =>
  call(session.client, "pods_port_forward", {
    action: "start",
    cluster: "alpha",
    namespace: "shop",
    ...args,
  });

beforeAll(async () => {
  const cfg = join(dir, "limits.yaml");
  writeFileSync(cfg, "mode: full\nportForward: {maxSessions: 2, idleTimeoutSeconds: 10}\n");
  s = await stdioSession({ args: ["--config", cfg], env: { KUBECONFIG: kubeconfig } });
  nd = await stdioSession({ env: { KUBECONFIG: kubeconfig } });
});
afterAll(async () => {
  await s?.close();
  await nd?.close();
});

describe("pods_port_forward", () => {
  it("tunnels a TCP connection to a pod port and back (echo on port 7)", async () => {
    const r = await start({ name: "service/web", port: 80 });
    expect(r.isError, r.text).toBe(false);
    const [http] = sessions(r);
    expect(http?.local).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(http?.pod).toMatch(/^web-/);
    expect(http?.remotePort).toBe(8080);
    const answer = await roundTrip(http?.local as string, "GET / HTTP/1.0\r\n\r\n");
    expect(answer).toContain("HTTP/1.0 200 OK");
    expect(answer).toContain("hello from kube-mcp testbed");

    const e = await start({ name: http?.pod as string, port: 7 });
    expect(e.isError, e.text).toBe(false);
    const [echo] = sessions(e);
    const payload = `echo:${"x".repeat(70_000)}\n`;
    expect(await roundTrip(echo?.local as string, payload)).toBe(payload);
    expect(await roundTrip(echo?.local as string, "echo:again\n")).toBe("echo:again\n");

    const listed = sessions(await call(s.client, "pods_port_forward", { action: "list" }));
    const mine = listed.find((x) => x.id === echo?.id);
    expect(mine).toMatchObject({
      totalConnections: 2,
      bytesIn: payload.length + 11,
      bytesOut: payload.length + 11,
    });

    // The session limit (2 here) refuses a third, and says what to do.
    const third = await start({ name: http?.pod as string, port: 7 });
    expect(third.isError).toBe(true);
    expect(third.text).toContain("There are already 2 port-forward sessions (the limit is 2).");

    const stopped = await call(s.client, "pods_port_forward", { action: "stop", id: "all" });
    expect(stopped.text).toBe(`Stopped ${http?.id}, ${echo?.id}.`);
    await expect(roundTrip(echo?.local as string, "echo:x\n")).rejects.toThrow(/ECONNREFUSED/);
  });

  it("stops a session that stays idle", async () => {
    const r = await start({ name: "deployment/web", port: 7 });
    const [sess] = sessions(r);
    expect(await roundTrip(sess?.local as string, "echo:hi\n")).toBe("echo:hi\n");
    await new Promise((res) => setTimeout(res, 14_500));
    // By the name it had before the rename, which still works for a release (not listed).
    const listed = sessions(await call(s.client, "port_forward", { action: "list" }));
    expect(
      listed.map((x) => x.id),
      JSON.stringify(listed),
    ).not.toContain(sess?.id);
    await expect(roundTrip(sess?.local as string, "echo:x\n")).rejects.toThrow(/ECONNREFUSED/);
  }, 30_000);

  it("gives clear errors for what cannot be forwarded", async () => {
    const missing = await start({ name: "no-such-pod", port: 7 });
    expect(missing.isError).toBe(true);
    expect(missing.text).toContain("Pod no-such-pod not found in namespace shop on cluster alpha.");
    const badPort = await start({ name: "service/web", port: 81 });
    expect(badPort.text).toBe("Service web has no port 81.\nIts ports: 80.");
    const noName = await call(s.client, "pods_port_forward", { action: "start", port: 7 });
    expect(noName.text).toBe("start needs name and port.");
    const unknown = await call(s.client, "pods_port_forward", { action: "stop", id: "pf-999" });
    expect(unknown.text).toBe(`There is no port-forward session pf-999.\nAction "list" shows the sessions.`);
  });

  it("is neither advertised nor run in non-destructive mode", async () => {
    const listed = (await nd.client.listTools()).tools.map((t) => t.name);
    expect(listed).not.toContain("pods_port_forward");
    expect(listed).not.toContain("port_forward");
    const r = await start({ name: "service/web", port: 80 }, nd);
    expect(r.isError).toBe(true);
    expect(r.text).toContain("pods_port_forward is not available: this server runs in non-destructive mode");
    // Its old name reaches the same refusal, not an unknown tool.
    const old = await call(nd.client, "port_forward", { action: "list" });
    expect(old.text).toContain(
      "pods_port_forward is not available: this server runs in non-destructive mode",
    );
  });

  it("closes its listeners when the server shuts down", async () => {
    const own = await stdioSession({ args: ["--mode", "full"], env: { KUBECONFIG: kubeconfig } });
    const [sess] = sessions(await start({ name: "deployment/web", port: 7 }, own));
    expect(await roundTrip(sess?.local as string, "echo:up\n")).toBe("echo:up\n");
    await own.close();
    await new Promise((res) => setTimeout(res, 500));
    await expect(roundTrip(sess?.local as string, "echo:x\n")).rejects.toThrow(/ECONNREFUSED/);
  });
});

// The passthrough's policy proxy on its own: only this run's base path is served, identity and transport
// headers from the CLI are dropped (the cluster's API brings its own), protobuf is never asked for, a
// policy refusal is a Kubernetes Forbidden Status the CLI prints, and upgrades are refused.
import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { ToolError } from "../errors.js";
import type { KubeRequest } from "../kube/types.js";
import type { Cluster } from "../targets/clusters.js";
import { type ScopeProxy, scopeProxy } from "./scope-proxy.js";

const sent: KubeRequest[] = [];
const cluster = {
  api: {
    async forward(req: KubeRequest) {
      sent.push(req);
      if (req.path.includes("kube-system"))
        throw new ToolError("Hidden by policy: namespace kube-system is hidden.");
      return {
        status: 200,
        headers: { "content-type": "application/json", "set-cookie": "x" },
        body: Buffer.from("{}"),
      };
    },
  },
} as unknown as Cluster;

let proxy: ScopeProxy | undefined;
afterEach(() => {
  proxy?.close();
  sent.length = 0;
});

function get(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request(url, { headers }, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => {
          body += d.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on("error", reject);
      req.end();
    },
  );
}

describe("scopeProxy", () => {
  it("serves only below this run's secret base path", async () => {
    proxy = await scopeProxy(cluster);
    const { origin, pathname } = new URL(proxy.url);
    expect(pathname.length).toBeGreaterThan(30);
    expect((await get(`${origin}/api/v1/pods`)).status).toBe(404);
    expect((await get(`${origin}${pathname.slice(0, -1)}/api/v1/pods`)).status).toBe(404);
    expect((await get(`${origin}${pathname}x/api/v1/pods`)).status).toBe(404);
    expect(sent).toEqual([]);
  });

  it("forwards the API path with JSON only, dropping the CLI's identity headers", async () => {
    proxy = await scopeProxy(cluster);
    const r = await get(`${proxy.url}/api/v1/pods?limit=5`, {
      accept: "application/vnd.kubernetes.protobuf,application/json",
      authorization: "Bearer stolen",
      "impersonate-user": "system:admin",
    });
    expect(r.status).toBe(200);
    expect(r.headers["set-cookie"]).toBeUndefined();
    expect(sent[0]?.path).toBe("/api/v1/pods?limit=5");
    expect(sent[0]?.headers).toEqual({ accept: "application/json" });
  });

  it("answers a policy refusal as a Forbidden Status", async () => {
    proxy = await scopeProxy(cluster);
    const r = await get(`${proxy.url}/api/v1/namespaces/kube-system/pods`);
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toMatchObject({ kind: "Status", reason: "Forbidden", code: 403 });
    expect(r.body).toContain("Hidden by policy");
  });

  it("refuses upgrades (exec, attach, port-forward)", async () => {
    proxy = await scopeProxy(cluster);
    const r = await get(`${proxy.url}/api/v1/namespaces/shop/pods/web/exec`, {
      connection: "Upgrade",
      upgrade: "websocket",
    });
    expect(r.status).toBe(403);
    expect(r.body).toMatch(/not available through the passthrough/);
    expect(sent).toEqual([]);
  });
});

// One caller's view of the clusters, against a loopback HTTP server standing in for the API server: what
// each request carries, per identity mode and per caller.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigSchema } from "../config/schema.js";
import { ToolError } from "../errors.js";
import { Credentials } from "../kube/credentials.js";
import { KubeHttp } from "../kube/http.js";
import { ANONYMOUS_CALLER, type Caller, STDIO_CALLER } from "../policy/identity.js";
import { Scope, type ScopeRules } from "../policy/scope.js";
import { type Cluster, Clusters, type RemoteRunner } from "./clusters.js";

let url = "";
const seen: IncomingHttpHeaders[] = [];
const server = createServer((req, res) => {
  seen.push(req.headers);
  res.writeHead(200, { "content-type": "application/json" }).end("{}");
});
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

function registry(doc: unknown): Clusters {
  const clusters = new Clusters(ConfigSchema.parse(doc), (spec) => {
    const credentials = new Credentials(spec);
    return { transport: new KubeHttp(spec, credentials), credentials };
  });
  const spec = (name: string) => ({
    name,
    source: "env" as const,
    origin: "test",
    server: url,
    namespace: "default",
    tls: { insecure: false },
    auth: { token: "svc" },
  });
  clusters.replace([spec("alpha"), spec("beta")], "alpha");
  return clusters;
}

const alice: Caller = { kind: "api-key", key: "alice-key", user: "alice", groups: ["team-a", "ops"] };

async function headersOf(clusters: Clusters, name: string): Promise<IncomingHttpHeaders> {
  seen.length = 0;
  await (clusters.select(name)[0] as Cluster).api.json({ path: "/api/v1/namespaces" });
  return seen[0] as IncomingHttpHeaders;
}

describe("Clusters.as", () => {
  let clusters: Clusters;
  beforeAll(() => {
    clusters = registry({ clusters: { alpha: { identity: "impersonate" } } });
  });

  it("impersonates the caller on an impersonating cluster, with kube-mcp's own credentials", async () => {
    const h = await headersOf(clusters.as(alice), "alpha");
    expect(h["impersonate-user"]).toBe("alice");
    expect(h["impersonate-group"]).toBe("team-a, ops"); // two header lines, joined by Node for display
    expect(h["impersonate-extra-kube-mcp"]).toBe("api-key alice-key");
    expect(h.authorization).toBe("Bearer svc");
    expect(clusters.as(alice).select("alpha")[0]?.impersonate?.user).toBe("alice");
  });

  it("leaves a service cluster, and stdio callers, as kube-mcp", async () => {
    expect((await headersOf(clusters.as(alice), "beta"))["impersonate-user"]).toBeUndefined();
    expect((await headersOf(clusters.as(STDIO_CALLER), "alpha"))["impersonate-user"]).toBeUndefined();
  });

  it("keeps one API (and discovery cache) per person", () => {
    const a = clusters.as(alice).select("alpha")[0]?.api;
    expect(clusters.as({ ...alice }).select("alpha")[0]?.api).toBe(a);
    expect(clusters.as({ ...alice, user: "bob" }).select("alpha")[0]?.api).not.toBe(a);
  });

  it("refuses a caller without a user on every path, sending nothing", async () => {
    const c = clusters.as(ANONYMOUS_CALLER).select("alpha")[0];
    seen.length = 0;
    await expect(c?.api.json({ path: "/api/v1/pods" })).rejects.toThrow(ToolError);
    await expect(c?.credentials.get()).rejects.toThrow(/cluster alpha acts as each caller/);
    expect(seen).toEqual([]);
  });

  describe("passthrough", () => {
    const oauth = (token: string | undefined): Caller => ({
      kind: "oauth",
      subject: "carol",
      user: "carol@example.com",
      groups: ["g"],
      accessToken: () => token,
      tokenExpiresAt: Date.now() + 60_000,
    });
    let passing: Clusters;
    beforeAll(() => {
      passing = registry({ clusters: { alpha: { identity: "passthrough" } } });
    });

    it("sends the caller's own token instead of kube-mcp's, REST and CLI credentials alike", async () => {
      const h = await headersOf(passing.as(oauth("tok-1")), "alpha");
      expect(h.authorization).toBe("Bearer tok-1");
      expect(h["impersonate-user"]).toBeUndefined();
      const c = passing.as(oauth("tok-1")).select("alpha")[0] as Cluster;
      expect((await c.credentials.get()).headers.Authorization).toBe("Bearer tok-1");
      expect(c.api).toBe(passing.as(oauth("tok-1")).select("alpha")[0]?.api);
      expect((await headersOf(passing.as(oauth("tok-1")), "beta")).authorization).toBe("Bearer svc");
    });

    it("keeps one token's connections apart per cluster (each passthrough cluster its own server)", () => {
      const both = registry({ identity: "passthrough" }).as(oauth("tok-2"));
      const [a, b] = both.select(["alpha", "beta"]) as [Cluster, Cluster];
      expect(a.api.cluster).toBe("alpha");
      expect(b.api.cluster).toBe("beta");
      expect(b.spec.name).toBe("beta");
    });

    it("refuses an expired token and a caller without one, sending nothing", async () => {
      for (const caller of [oauth(undefined), alice]) {
        const c = passing.as(caller).select("alpha")[0];
        seen.length = 0;
        await expect(c?.api.json({ path: "/api/v1/pods" })).rejects.toThrow(
          /cluster alpha receives each caller's own token \(identity: passthrough\)/,
        );
        await expect(c?.credentials.get()).rejects.toThrow(ToolError);
        expect(seen).toEqual([]);
      }
    });
  });

  describe("an agent's cluster", () => {
    const ctx = { signal: new AbortController().signal, rowLimit: 1, progress: () => {} };
    /** A hub registry with agent cluster gamma, whose agent reports `identity`; calls echo their context. */
    function hub(doc: unknown, identity: "service" | "impersonate" | undefined, agentSupports?: string[]) {
      const h = registry(doc);
      const runner: RemoteRunner = { call: async (_t, _a, c) => c.caller };
      const base = h.all()[0] as Cluster;
      const scope = Scope.of("gamma", (doc as { clusters?: Record<string, ScopeRules> }).clusters?.gamma);
      h.setRemote([
        {
          ...base,
          name: "gamma",
          remote: runner,
          identity,
          scope,
          ...(agentSupports ? { agentSupports } : {}),
        },
      ]);
      return (caller: Caller) => h.as(caller).select("gamma")[0]?.remote?.call("resources_list", {}, ctx);
    }

    it("carries the caller on every call, whatever the hub's configuration says", async () => {
      await expect(hub({}, "impersonate")(alice)).resolves.toEqual(alice);
      await expect(hub({}, "service")(ANONYMOUS_CALLER)).resolves.toEqual(ANONYMOUS_CALLER);
    });

    it("leaves the refusal of a caller without a user to an impersonating agent", async () => {
      await expect(hub({}, "impersonate")(ANONYMOUS_CALLER)).resolves.toEqual(ANONYMOUS_CALLER);
    });

    it("refuses an agent too old to apply the hub's namespace and kind policy", async () => {
      const doc = { clusters: { gamma: { kinds: { deny: ["secrets"] } } } };
      await expect(hub(doc, "service", [])(alice)).rejects.toThrow(
        /its agent \(an older release\) cannot apply it/,
      );
      await expect(hub(doc, "service", ["caller", "scope"])(alice)).resolves.toEqual(alice);
      await expect(hub({}, "service", [])(alice)).resolves.toEqual(alice);
    });

    it("refuses where the hub insists on impersonation and the agent acts as itself", async () => {
      const call = hub({ clusters: { gamma: { identity: "impersonate" } } }, "service");
      await expect(call(alice)).rejects.toThrow(/its agent acts as its own ServiceAccount/);
      const both = hub({ identity: "impersonate" }, "impersonate");
      await expect(both(ANONYMOUS_CALLER)).rejects.toThrow(/has no Kubernetes user/);
      await expect(both(alice)).resolves.toEqual(alice);
    });
  });
});

describe("replace", () => {
  const spec = (revision: string) => ({
    name: "org-a/wc1",
    source: "capi" as const,
    origin: "Cluster org-a/wc1 on alpha",
    server: url,
    namespace: "default",
    tls: { insecure: false },
    auth: {},
    revision,
  });
  it("rebuilds a connection whose credentials rotated behind the same server, and keeps an unchanged one", () => {
    const clusters = registry({});
    clusters.replace([spec("r1")]);
    const first = clusters.select("org-a/wc1")[0];
    clusters.replace([spec("r1")]);
    expect(clusters.select("org-a/wc1")[0]).toBe(first);
    clusters.replace([spec("r2")]);
    expect(clusters.select("org-a/wc1")[0]).not.toBe(first);
  });
});

import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { KubeApi, type Transport } from "../kube/api.js";
import type { KubeRequest } from "../kube/types.js";
import { createLogger } from "../obs/log.js";
import { capiWatchTargets } from "./capi.js";
import { follow } from "./capi-watch.js";

const log = createLogger("error");
const line = (type: string, ns: string, name: string, rv: string) =>
  `${JSON.stringify({ type, object: { metadata: { namespace: ns, name, resourceVersion: rv } } })}\n`;

/** A transport answering lists with resourceVersion "10" and each watch with the next scripted body. */
function fake(watches: (string | number)[]) {
  const seen: KubeRequest[] = [];
  const t: Transport = {
    request: async (req) => {
      seen.push(req);
      const missing = req.path.includes("v1beta2");
      return {
        status: missing ? 404 : 200,
        headers: {},
        body: Buffer.from(
          JSON.stringify(missing ? { kind: "Status", code: 404 } : { metadata: { resourceVersion: "10" } }),
        ),
      };
    },
    stream: async (req) => {
      seen.push(req);
      const next = watches.shift();
      if (next === undefined)
        return new Promise((_, reject) =>
          req.signal?.addEventListener("abort", () => reject(new Error("aborted"))),
        );
      const status = typeof next === "number" ? next : 200;
      return {
        status,
        headers: {},
        body: Readable.from([typeof next === "string" ? next : ""]),
        abort: () => {},
      };
    },
  };
  return { api: new KubeApi("mgmt", t), seen };
}

const target = {
  paths: ["/apis/x/v1beta2/clusters", "/apis/x/v1beta1/clusters"],
  what: "Cluster objects",
  relevant: (ns: string) => ns.startsWith("org-"),
};

describe("follow (Cluster API change notices)", () => {
  it("reports relevant events only, resumes from the last resourceVersion, and lists again after 410", async () => {
    const { api, seen } = fake([
      line("ADDED", "org-a", "wc1", "11") +
        line("MODIFIED", "other", "x", "12") +
        line("BOOKMARK", "", "", "13"),
      line("DELETED", "org-b", "wc2", "14"),
      410,
    ]);
    const ac = new AbortController();
    let changes = 0;
    const done = follow(api, target, () => changes++, log, ac.signal, { baseBackoffMs: 1 });
    await new Promise((r) => setTimeout(r, 100));
    ac.abort();
    await done;
    const watches = seen.filter((r) => r.query?.watch);
    // v1beta2 is missing: the served version is found by listing, then watched.
    expect(watches.map((r) => [r.path, r.query?.resourceVersion])).toEqual([
      ["/apis/x/v1beta1/clusters", "10"],
      ["/apis/x/v1beta1/clusters", "13"],
      ["/apis/x/v1beta1/clusters", "14"],
      ["/apis/x/v1beta1/clusters", "10"],
    ]);
    // wc1 added, wc2 deleted, and the relist after 410 (events may have been missed).
    expect(changes).toBe(3);
    expect(watches.every((r) => r.headers?.accept?.includes("PartialObjectMetadata"))).toBe(true);
  });

  it("backs off and retries when the watch is refused, until stopped", async () => {
    const { api, seen } = fake([403, 403, 403, line("ADDED", "org-a", "wc1", "11")]);
    const ac = new AbortController();
    let changes = 0;
    const done = follow(api, target, () => changes++, log, ac.signal, { baseBackoffMs: 1 });
    await new Promise((r) => setTimeout(r, 200));
    ac.abort();
    await done;
    expect(seen.filter((r) => r.query?.watch).length).toBe(5);
    expect(changes).toBe(1);
  });
});

describe("capiWatchTargets", () => {
  it("watches named namespaces' Secrets one by one (a Role each suffices), and all Secrets for a glob", () => {
    const named = capiWatchTargets(["org-a", "org-b"]);
    expect(named.map((t) => t.paths[0])).toEqual([
      "/apis/cluster.x-k8s.io/v1beta2/clusters",
      "/api/v1/namespaces/org-a/secrets",
      "/api/v1/namespaces/org-b/secrets",
    ]);
    expect(capiWatchTargets(["org-*"]).map((t) => t.paths[0])).toEqual([
      "/apis/cluster.x-k8s.io/v1beta2/clusters",
      "/api/v1/secrets",
    ]);
    const secrets = named[1] as (typeof named)[number];
    expect(secrets.relevant("org-a", "wc1-kubeconfig")).toBe(true);
    expect(secrets.relevant("org-a", "wc1-ca")).toBe(true);
    expect(secrets.relevant("org-a", "db-password")).toBe(false);
    expect(secrets.relevant("org-c", "wc1-kubeconfig")).toBe(false);
  });
});

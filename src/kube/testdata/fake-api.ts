// A scripted API server for unit tests of src/kube/: aggregated discovery of a few built-in kinds, and
// answers from a route function (undefined: a 404 Status, as a real server says for a missing object).
import { KubeApi } from "../api.js";
import type { KubeRequest } from "../types.js";

const KINDS = [
  {
    group: "",
    version: "v1",
    resource: "pods",
    kind: "Pod",
    scope: "Namespaced",
    short: ["po"],
    subs: ["log", "exec", "eviction", "ephemeralcontainers"],
  },
  {
    group: "",
    version: "v1",
    resource: "namespaces",
    kind: "Namespace",
    scope: "Cluster",
    short: ["ns"],
    subs: [],
  },
  { group: "", version: "v1", resource: "nodes", kind: "Node", scope: "Cluster", short: ["no"], subs: [] },
  {
    group: "apps",
    version: "v1",
    resource: "deployments",
    kind: "Deployment",
    scope: "Namespaced",
    short: ["deploy"],
    subs: ["scale"],
  },
  {
    group: "apps",
    version: "v1",
    resource: "statefulsets",
    kind: "StatefulSet",
    scope: "Namespaced",
    short: ["sts"],
    subs: ["scale"],
  },
  {
    group: "apps",
    version: "v1",
    resource: "replicasets",
    kind: "ReplicaSet",
    scope: "Namespaced",
    short: ["rs"],
    subs: ["scale"],
  },
  {
    group: "batch",
    version: "v1",
    resource: "cronjobs",
    kind: "CronJob",
    scope: "Namespaced",
    short: ["cj"],
    subs: [],
  },
];

function discovery(core: boolean) {
  const groups = [...new Set(KINDS.map((k) => k.group))].filter((g) => (g === "") === core);
  return {
    kind: "APIGroupDiscoveryList",
    items: groups.map((g) => ({
      metadata: { name: g },
      versions: [
        {
          version: "v1",
          resources: KINDS.filter((k) => k.group === g).map((k) => ({
            resource: k.resource,
            responseKind: { kind: k.kind },
            scope: k.scope,
            shortNames: k.short,
            verbs: ["get", "list", "create", "update", "patch", "delete"],
            subresources: k.subs.map((subresource) => ({ subresource })),
          })),
        },
      ],
    })),
  };
}

/** The body to answer `req` with (status 200), an `answer(...)`, or undefined for a 404. */
export type Route = (req: KubeRequest) => unknown;

const STATUS = Symbol("status");
/** An answer with a status other than 200. */
export const answer = (status: number, body: unknown) => ({ [STATUS]: status, body });

export const notFound = (what = "the object") =>
  answer(404, {
    kind: "Status",
    status: "Failure",
    reason: "NotFound",
    message: `${what} not found`,
    code: 404,
  });

/** A KubeApi for cluster "test" answering from `route`; `seen` records every request. */
export function fakeApi(route: Route) {
  const seen: KubeRequest[] = [];
  const api = new KubeApi("test", {
    request: async (req) => {
      req.signal?.throwIfAborted();
      if (req.path !== "/api" && req.path !== "/apis") seen.push(req);
      const found =
        req.path === "/api" ? discovery(true) : req.path === "/apis" ? discovery(false) : route(req);
      const a = (found ?? notFound()) as Record<PropertyKey, unknown>;
      const status = typeof a[STATUS] === "number" ? (a[STATUS] as number) : 200;
      const body = typeof a[STATUS] === "number" ? a.body : a;
      return {
        status,
        headers: {},
        body: Buffer.from(typeof body === "string" ? body : JSON.stringify(body)),
      };
    },
  });
  return { api, seen };
}

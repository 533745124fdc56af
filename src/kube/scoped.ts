// The namespace and kind policy (policy/scope.ts) applied where every API request passes: a request for
// a hidden namespace or kind is refused before it is sent, and a list answered across namespaces loses
// the rows of hidden namespaces (and events about hidden kinds) before anything reads it.

import { ToolError } from "../errors.js";
import type { Scope } from "../policy/scope.js";
import type { KubeRequest, KubeResponse } from "./types.js";

export interface ApiPath {
  group: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  watch: boolean;
}

/** The resource a REST path addresses; undefined for discovery, /version, /openapi and the like. */
export function parseApiPath(path: string): ApiPath | undefined {
  const p = (path.split("?")[0] ?? "").split("/").filter(Boolean).map(decodeURIComponent);
  let group: string;
  let rest: string[];
  if (p[0] === "api" && p.length >= 2) [group, rest] = ["", p.slice(2)];
  else if (p[0] === "apis" && p.length >= 3) [group, rest] = [p[1] as string, p.slice(3)];
  else return undefined;
  const watch = rest[0] === "watch";
  if (watch) rest = rest.slice(1);
  const [first, second, third, ...more] = rest;
  if (first === undefined) return undefined;
  if (first === "namespaces" && third !== undefined)
    return {
      group,
      namespace: second,
      resource: third,
      ...(more[0] ? { name: more[0] } : {}),
      ...(more.length > 1 ? { subresource: more.slice(1).join("/") } : {}),
      watch,
    };
  // A Namespace object is its own namespace: reading kube-system's object is reading kube-system.
  if (first === "namespaces" && group === "")
    return { group, resource: first, ...(second ? { name: second, namespace: second } : {}), watch };
  return {
    group,
    resource: first,
    ...(second ? { name: second } : {}),
    ...(third ? { subresource: [third, ...more].join("/") } : {}),
    watch,
  };
}

export function hiddenError(why: string): ToolError {
  return new ToolError(
    `Hidden by policy: ${why}.`,
    "kube-mcp's configuration hides it from every tool and the passthrough; retrying will not help. Work in a namespace (and on kinds) the policy shows.",
  );
}

/**
 * A path the HTTP client would rewrite before sending (dot segments, backslashes, fragments, encoded
 * slashes): judged as written it could reach another namespace, so it is never judged at all.
 */
function unsafePath(path: string): boolean {
  const [p = ""] = path.split("?", 1);
  if (/[\\#]|%2f|%5c/i.test(p)) return true;
  return p.split("/").some((seg) => {
    let d: string;
    try {
      d = decodeURIComponent(seg);
    } catch {
      return true;
    }
    return d === "." || d === "..";
  });
}

/** Why `req` may not be sent under `scope`, or undefined. */
export function refusalOf(scope: Scope, req: KubeRequest): string | undefined {
  if (unsafePath(req.path))
    return `the path ${JSON.stringify(req.path.slice(0, 200))} is not a plain API path`;
  const at = parseApiPath(req.path);
  if (!at) return undefined;
  const kind = scope.kindHidden({ group: at.group, resource: at.resource });
  if (kind) return kind;
  if (at.namespace) return scope.namespaceHidden(at.namespace);
  if (at.resource === "namespaces" && at.group === "" && req.method === "POST") {
    const name = createdName(req.body);
    return name === undefined ? undefined : scope.namespaceHidden(name);
  }
  // "Can I … in kube-system?" and "my rules in kube-system" name the namespace and kind in the body.
  if (at.group === "authorization.k8s.io" && req.method === "POST") return reviewRefusal(scope, req.body);
  if (at.watch || /[?&]watch=(1|true)/.test(req.path) || req.query?.watch)
    if (scope.limitsNamespaces && at.resource !== "namespaces")
      return `watching ${at.resource} across namespaces is not available on cluster ${scope.cluster}, whose namespaces are limited; watch one namespace`;
  return undefined;
}

function reviewRefusal(scope: Scope, body: KubeRequest["body"]): string | undefined {
  let spec: {
    namespace?: unknown;
    resourceAttributes?: { namespace?: unknown; group?: unknown; resource?: unknown };
  };
  try {
    spec = (JSON.parse(String(body ?? "")) as { spec?: typeof spec }).spec ?? {};
  } catch {
    return undefined;
  }
  const ra = spec.resourceAttributes ?? {};
  if (typeof ra.resource === "string") {
    const kind = scope.kindHidden({
      group: typeof ra.group === "string" ? ra.group : "",
      resource: ra.resource,
    });
    if (kind) return kind;
  }
  const ns = typeof ra.namespace === "string" ? ra.namespace : spec.namespace;
  return typeof ns === "string" && ns ? scope.namespaceHidden(ns) : undefined;
}

function createdName(body: KubeRequest["body"]): string | undefined {
  try {
    const name = (JSON.parse(String(body ?? "")) as { metadata?: { name?: unknown } }).metadata?.name;
    return typeof name === "string" ? name : undefined;
  } catch {
    return undefined;
  }
}

interface Meta {
  metadata?: { name?: string; namespace?: string };
  apiVersion?: string;
  kind?: string;
  involvedObject?: { kind?: string; apiVersion?: string };
  regarding?: { kind?: string; apiVersion?: string };
}

/** Whether one listed object (or a Table row's object) is shown. */
function shown(scope: Scope, at: ApiPath, o: Meta | undefined): boolean {
  if (!o?.metadata) return !(scope.limitsNamespaces && at.namespace === undefined);
  const ns = at.resource === "namespaces" && at.group === "" ? o.metadata.name : o.metadata.namespace;
  if (ns && scope.namespaceHidden(ns)) return false;
  const about = o.involvedObject ?? o.regarding;
  if (about?.kind) {
    const group = about.apiVersion?.includes("/") ? (about.apiVersion.split("/")[0] as string) : "";
    if (scope.kindHidden({ group, kind: about.kind })) return false;
  }
  return true;
}

/**
 * `res` with hidden rows dropped, when it is a list (JSON items or a Table); otherwise `res` itself. A
 * list across namespaces that cannot be read (not JSON) is refused where namespaces are limited.
 */
export function filterResponse(scope: Scope, req: KubeRequest, res: KubeResponse): KubeResponse {
  const at = parseApiPath(req.path);
  if (!at || at.name || (req.method ?? "GET") !== "GET" || res.status !== 200) return res;
  const unreadable = () => {
    if (scope.limitsNamespaces && !at.namespace)
      throw hiddenError(`a list of ${at.resource} across namespaces came in a form kube-mcp cannot filter`);
    return res;
  };
  if (!String(res.headers["content-type"] ?? "").includes("json")) return unreadable();
  let body: { kind?: string; items?: Meta[]; rows?: { object?: Meta }[] };
  try {
    body = JSON.parse(res.body.toString("utf8"));
  } catch {
    return unreadable();
  }
  let dropped = 0;
  if (body.kind === "Table" && Array.isArray(body.rows)) {
    const rows = body.rows.filter((r) => shown(scope, at, r.object));
    dropped = body.rows.length - rows.length;
    body.rows = rows;
  } else if (Array.isArray(body.items)) {
    const items = body.items.filter((i) => shown(scope, at, i));
    dropped = body.items.length - items.length;
    body.items = items;
  }
  if (!dropped) return res;
  return { ...res, body: Buffer.from(JSON.stringify(body)) };
}

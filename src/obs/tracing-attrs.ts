// Span attributes that must not carry what a call was given: an API path becomes its route, with the
// namespace kept as an attribute of its own and every object name replaced by {name}.

export interface ApiRoute {
  /** e.g. /apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale */
  template: string;
  /** The resource, e.g. deployments (with its group when it has one: deployments.apps). */
  resource?: string;
  namespace?: string;
}

/** The route of a Kubernetes API path; paths outside /api and /apis keep their first two segments. */
export function apiRoute(path: string): ApiRoute {
  const parts = (path.split("?", 1)[0] ?? "").split("/").filter(Boolean);
  const head = parts[0] === "api" ? 2 : parts[0] === "apis" ? 3 : 0;
  if (!head || parts.length < head) return { template: `/${parts.slice(0, 2).join("/")}` };
  const group = parts[0] === "apis" ? parts[1] : undefined;
  const out = parts.slice(0, head);
  let rest = parts.slice(head);
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length >= 3) {
    namespace = rest[1];
    out.push("namespaces", "{namespace}");
    rest = rest.slice(2);
  }
  const [resource, name, ...sub] = rest;
  if (resource) out.push(resource);
  if (name) out.push("{name}");
  // A subresource is a fixed word (status, scale, log, exec…); a proxy's path beyond it is not.
  if (sub[0]) out.push(sub[0]);
  if (sub.length > 1) out.push("…");
  return {
    template: `/${out.join("/")}`,
    ...(resource ? { resource: group ? `${resource}.${group}` : resource } : {}),
    ...(namespace ? { namespace } : {}),
  };
}

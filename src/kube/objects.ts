// Reading one object by kind and name, with the sentences a model needs when it is not there: what does
// exist nearby, or that the namespace itself is missing.
import { ToolError } from "../errors.js";
import type { KubeApi } from "./api.js";
import type { ApiResource } from "./discovery.js";
import { describeError } from "./errors.js";
import { lookupKind } from "./lookup.js";
import { corePath, resourceLabel, resourcePath } from "./resolve.js";
import { listTable } from "./table.js";

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are open-ended JSON.
export type Obj = Record<string, any>;

/** Explains an empty namespaced list when the namespace itself does not exist. */
export async function missingNamespace(
  api: KubeApi,
  ns: string,
  signal: AbortSignal,
): Promise<string | undefined> {
  try {
    await api.json({ path: corePath("namespaces", undefined, ns), signal });
    return undefined;
  } catch {
    const list = await api
      .json<{ items: { metadata: { name: string } }[] }>({
        path: "/api/v1/namespaces",
        query: { limit: 50 },
        signal,
      })
      .catch(() => ({ items: [] }));
    return `Namespace "${ns}" does not exist on cluster ${api.cluster}. Namespaces: ${list.items.map((i) => i.metadata.name).join(", ")}.`;
  }
}

export interface Found {
  r: ApiResource;
  /** The object's namespace; undefined for a cluster-scoped kind. */
  ns: string | undefined;
  obj: Obj;
}

/**
 * Fetches one object (`namespace` is ignored for cluster-scoped kinds), turning a 404 into a sentence
 * that lists what does exist nearby.
 */
export async function getObject(
  api: KubeApi,
  kindName: string,
  name: string,
  namespace: string,
  signal: AbortSignal,
): Promise<Found> {
  const r = await lookupKind(api, kindName, signal, "get");
  const ns = r.namespaced ? namespace : undefined;
  try {
    return { r, ns, obj: await api.json<Obj>({ path: resourcePath(r, ns, name), signal }) };
  } catch (err) {
    const te = describeError(err, {
      cluster: api.cluster,
      verb: "get",
      resource: r.kind,
      name,
      ...(ns ? { namespace: ns } : {}),
    });
    if (!te.message.includes("not found")) throw te;
    throw new ToolError(te.message, await nearby(api, r, ns, signal));
  }
}

/** The hint for a missing object: its neighbours, or why there are none. */
async function nearby(
  api: KubeApi,
  r: ApiResource,
  ns: string | undefined,
  signal: AbortSignal,
): Promise<string | undefined> {
  const list = await listTable(api, r, { ...(ns ? { namespace: ns } : {}), limit: 30, signal }).catch(
    () => undefined,
  );
  const names = list?.names ?? [];
  if (names.length)
    return `${resourceLabel(r)} in ${ns ? `namespace ${ns}` : "the cluster"}: ${names.join(", ")}${list?.continue ? ", …" : ""}.`;
  if (!ns) return undefined;
  return (await missingNamespace(api, ns, signal)) ?? `There are no ${resourceLabel(r)} in namespace ${ns}.`;
}

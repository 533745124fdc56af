// Cluster objects as MCP resources, for clients that browse resources rather than call tools:
//   k8s://{cluster}                                          the cluster's namespaces
//   k8s://{cluster}/namespaces/{namespace}/{kind}/{name}     a namespaced object
//   k8s://{cluster}/{kind}/{name}                            a cluster-scoped object (or the default namespace's)
// A read is the matching tool call (resources_list, resources_get) with its whole output pipeline:
// redacted, fenced, budgeted, through the hub to an agent where the cluster is one. Offered only
// where those tools are, so an operator's allow-list or a mode covers resources too.
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/server";
import type { AnyTool, ToolEnv } from "../tools/define.js";
import { backstop } from "./backstop.js";

type Env = Omit<ToolEnv, "signal">;

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";

async function read(tool: AnyTool, args: Record<string, unknown>, uri: URL, env: Env, signal: AbortSignal) {
  let text: string;
  try {
    const answer = await tool.handle(tool.input.parse(args), { ...env, signal });
    text = backstop(answer).text;
    if (answer.isError) throw new Error(text);
  } catch (err) {
    // What the API server said is output too: redacted like any answer before it leaves.
    throw new Error(backstop({ text: (err as Error).message, data: null }).text);
  }
  return { contents: [{ uri: uri.href, mimeType: "text/plain", text }] };
}

/** Objects are resources where the tools that read them are offered (an allow-list or a mode covers both). */
export const offersResources = (tools: AnyTool[]) =>
  tools.some((t) => t.name === "resources_get") && tools.some((t) => t.name === "resources_list");

/** Registers the resources where resources_get and resources_list are offered; whether it did. */
export function registerResources(server: McpServer, tools: AnyTool[], env: Env): boolean {
  const get = tools.find((t) => t.name === "resources_get");
  const list = tools.find((t) => t.name === "resources_list");
  if (!get || !list || !offersResources(tools)) return false;
  // The set of clusters changes without a notification here: clients re-list when they browse.
  server.server.registerCapabilities({ resources: { listChanged: false } });
  server.registerResource(
    "cluster",
    new ResourceTemplate("k8s://{cluster}", {
      list: () => ({
        resources: env.clusters.all().map((c) => ({
          uri: `k8s://${c.name}`,
          name: c.name,
          title: `Cluster ${c.name}`,
          description: "The cluster's namespaces; objects are k8s://CLUSTER/namespaces/NS/KIND/NAME",
          mimeType: "text/plain",
        })),
      }),
    }),
    { title: "A cluster", description: "Its namespaces", mimeType: "text/plain" },
    (uri, v, ctx) => read(list, { kind: "namespaces", cluster: one(v.cluster) }, uri, env, ctx.mcpReq.signal),
  );
  server.registerResource(
    "namespaced-object",
    new ResourceTemplate("k8s://{cluster}/namespaces/{namespace}/{kind}/{name}", { list: undefined }),
    {
      title: "A namespaced object",
      description: "Trimmed YAML, Secret values redacted",
      mimeType: "text/plain",
    },
    (uri, v, ctx) =>
      read(
        get,
        { cluster: one(v.cluster), namespace: one(v.namespace), kind: one(v.kind), name: one(v.name) },
        uri,
        env,
        ctx.mcpReq.signal,
      ),
  );
  server.registerResource(
    "object",
    new ResourceTemplate("k8s://{cluster}/{kind}/{name}", { list: undefined }),
    {
      title: "A cluster-scoped object",
      description: "Trimmed YAML (a namespaced kind: in the cluster's default namespace)",
      mimeType: "text/plain",
    },
    (uri, v, ctx) =>
      read(
        get,
        { cluster: one(v.cluster), kind: one(v.kind), name: one(v.name) },
        uri,
        env,
        ctx.mcpReq.signal,
      ),
  );
  return true;
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const TO_ONE_OBJECT = new Set(["resources_get", "resources_describe"]);

/**
 * The resource an answer about one object is about, as a `resource_link` the client can read or
 * subscribe to later: for resources_get and resources_describe on one cluster, nothing else (a link
 * per row of a list would cost the context more than it saves). `cluster` is the default cluster.
 */
export function objectLink(tool: string, args: Record<string, unknown>, cluster: string | undefined) {
  if (!TO_ONE_OBJECT.has(tool)) return undefined;
  const named = Array.isArray(args.cluster) && args.cluster.length === 1 ? args.cluster[0] : args.cluster;
  const c = named === undefined ? cluster : named;
  const { kind, name, namespace } = args;
  const segments = [c, kind, name, ...(namespace === undefined ? [] : [namespace])];
  if (c === "*" || !segments.every((s) => typeof s === "string" && SEGMENT.test(s))) return undefined;
  const path = namespace === undefined ? `${kind}/${name}` : `namespaces/${namespace}/${kind}/${name}`;
  return {
    type: "resource_link" as const,
    uri: `k8s://${c}/${path}`,
    name: `${kind}/${name}`,
    mimeType: "text/plain",
  };
}

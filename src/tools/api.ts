// api_resources and resources_explain: what kinds a cluster serves, and what their fields mean.
import * as z from "zod";
import type { ApiResource } from "../kube/discovery.js";
import { lookupKind } from "../kube/lookup.js";
import { explainField } from "../kube/openapi.js";
import { apiVersionOf, resourceLabel } from "../kube/resolve.js";
import { tableTool, textTool } from "./cluster-tool.js";
import { kindParam } from "./params.js";

export const apiResources = tableTool({
  name: "api_resources",
  toolset: "inspect",
  title: "List API resources",
  description: "The kinds a cluster serves (built-in and CRDs), like kubectl api-resources.",
  safety: "read",
  input: z.object({
    group: z.string().max(253).optional().describe('"" for core'),
    contains: z.string().max(100).optional().describe("Name or kind contains"),
    namespaced: z.boolean().optional(),
  }),
  async run(args, cluster, ctx) {
    const all = (await cluster.api.discovery.resources(false, ctx.signal)).filter(
      (r) => r.preferred && !cluster.scope?.kindHidden({ group: r.group, resource: r.resource }),
    );
    const rows = matching(all, args).map((r) => [
      r.resource,
      r.shortNames.join(",") || "-",
      apiVersionOf(r),
      String(r.namespaced),
      r.kind,
      r.verbs.join(","),
    ]);
    return {
      columns: ["name", "shortnames", "apiversion", "namespaced", "kind", "verbs"],
      rows: rows.slice(0, ctx.rowLimit),
      total: rows.length,
      untrusted: "discovery",
      empty: "No API resources match.",
    };
  },
});

/** The resources the filters select, by group then name. */
function matching(
  all: ApiResource[],
  f: { group?: string | undefined; contains?: string | undefined; namespaced?: boolean | undefined },
): ApiResource[] {
  const needle = f.contains?.toLowerCase();
  return all
    .filter((r) => f.group === undefined || r.group === f.group)
    .filter((r) => f.namespaced === undefined || r.namespaced === f.namespaced)
    .filter((r) => !needle || r.resource.includes(needle) || r.kind.toLowerCase().includes(needle))
    .sort((a, b) => a.group.localeCompare(b.group) || a.resource.localeCompare(b.resource));
}

export const resourcesExplain = textTool({
  name: "resources_explain",
  toolset: "inspect",
  title: "Explain a resource's fields",
  description: "Field docs of a kind or field path from the cluster's OpenAPI schema, like kubectl explain.",
  safety: "read",
  input: z.object({
    kind: kindParam,
    field: z.string().max(500).optional().describe('e.g. "spec.replicas"'),
  }),
  async run(args, cluster, ctx) {
    const r = await lookupKind(cluster.api, args.kind, ctx.signal);
    // CRD schemas carry their authors' descriptions.
    const text = await explainField(cluster.api, r, args.field ?? "", ctx.signal);
    return { text, untrusted: `OpenAPI schema of ${resourceLabel(r)}` };
  },
});

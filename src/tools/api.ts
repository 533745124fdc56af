// api_resources and resources_explain: what kinds a cluster serves, and what their fields mean.
import * as z from "zod";
import { lookupKind } from "../kube/lookup.js";
import { explainField } from "../kube/openapi.js";
import { apiVersionOf, resourceLabel } from "../kube/resolve.js";
import { tableTool, textTool } from "./cluster-tool.js";
import { kindParam } from "./params.js";

export const apiResources = tableTool({
  name: "api_resources",
  title: "List API resources",
  description:
    "The kinds a cluster serves (built-in and CRDs), like `kubectl api-resources`: name, short names, API version, namespaced, kind, verbs. Filter by API group or a name fragment.",
  safety: "read",
  input: z.object({
    group: z.string().max(253).optional().describe('API group, "" for core, e.g. "apps"'),
    contains: z.string().max(100).optional().describe("Only resources whose name or kind contains this text"),
    namespaced: z.boolean().optional(),
  }),
  async run(args, cluster, ctx) {
    const all = (await cluster.api.discovery.resources(false, ctx.signal)).filter((r) => r.preferred);
    const needle = args.contains?.toLowerCase();
    const rows = all
      .filter((r) => args.group === undefined || r.group === args.group)
      .filter((r) => args.namespaced === undefined || r.namespaced === args.namespaced)
      .filter((r) => !needle || r.resource.includes(needle) || r.kind.toLowerCase().includes(needle))
      .sort((a, b) => a.group.localeCompare(b.group) || a.resource.localeCompare(b.resource))
      .map((r) => [
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

export const resourcesExplain = textTool({
  name: "resources_explain",
  title: "Explain a resource's fields",
  description:
    'Field documentation from the cluster\'s own OpenAPI schema, like `kubectl explain`: type, description and sub-fields of a kind or a field path such as "spec.template.spec.containers.resources".',
  safety: "read",
  input: z.object({
    kind: kindParam,
    field: z.string().max(500).optional().describe('Dotted field path, e.g. "spec.replicas"'),
  }),
  async run(args, cluster, ctx) {
    const r = await lookupKind(cluster.api, args.kind, ctx.signal);
    // CRD schemas carry their authors' descriptions.
    const text = await explainField(cluster.api, r, args.field ?? "", ctx.signal);
    return { text, untrusted: `OpenAPI schema of ${resourceLabel(r)}` };
  },
});

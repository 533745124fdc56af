// resources_list and resources_get: any kind, CRDs included, as compact tables and trimmed YAML.
import { stringify } from "yaml";
import * as z from "zod";
import { listResources } from "../kube/list.js";
import { getObject } from "../kube/objects.js";
import { apiVersionOf } from "../kube/resolve.js";
import { redactObject } from "../policy/redact.js";
import { tableTool, textTool } from "./cluster-tool.js";
import {
  fieldSelectorParam,
  kindParam,
  labelSelectorParam,
  listNamespaceParam,
  nameParam,
  namespaceParam,
} from "./params.js";

const kind = kindParam.describe('e.g. "pods", "deploy", "widgets.example.com"');

export const resourcesList = tableTool({
  name: "resources_list",
  toolset: "core",
  title: "List resources",
  description:
    "List objects of any kind as a table, like kubectl get. No namespace: all namespaces. Selectors, paging (limit, continue), countOnly for counts per namespace.",
  safety: "read",
  input: z.object({
    kind,
    namespace: listNamespaceParam,
    labelSelector: labelSelectorParam.optional(),
    fieldSelector: fieldSelectorParam.optional(),
    limit: z.number().int().min(1).max(500).optional().describe("Rows per cluster"),
    continue: z.string().max(4096).optional().describe("From the previous page"),
    countOnly: z.boolean().optional(),
    wide: z.boolean().optional().describe("Like -o wide"),
  }),
  async run(args, cluster, ctx) {
    const limit = Math.min(args.limit ?? ctx.rowLimit, ctx.rowLimit);
    return listResources(cluster.api, { ...args, limit, signal: ctx.signal });
  },
});

export const resourcesGet = textTool({
  name: "resources_get",
  toolset: "core",
  title: "Get one resource",
  description: "One object as trimmed YAML (or JSON), secret values redacted.",
  safety: "read",
  input: z.object({
    kind,
    name: nameParam,
    namespace: namespaceParam.optional(),
    output: z.enum(["yaml", "json"]).optional(),
  }),
  async run(args, cluster, ctx) {
    const namespace = args.namespace ?? cluster.namespace;
    const { r, ns, obj } = await getObject(cluster.api, args.kind, args.name, namespace, ctx.signal);
    const clean = redactObject(
      { apiVersion: apiVersionOf(r), kind: r.kind, ...obj },
      // Masked values are remembered: a copy elsewhere in the object (an annotation) is masked too.
      { revealSecretValues: cluster.revealSecrets, collect: ctx.secrets.add },
    );
    const text =
      args.output === "json" ? JSON.stringify(clean, null, 1) : stringify(clean, { lineWidth: 0 }).trimEnd();
    const where = ns ? `${ns}/${args.name}` : args.name;
    return {
      text,
      untrusted: `${r.kind} ${where}`,
      ...(r.kind === "Secret" && r.group === "" && cluster.revealSecrets ? { revealed: true } : {}),
    };
  },
});

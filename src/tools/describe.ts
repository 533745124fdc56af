// resources_describe: the object's key state, its pods or containers, and its recent events.
import * as z from "zod";
import { age, cell, renderTable } from "../format/table.js";
import { describeObject } from "../kube/describe.js";
import { fetchEvents } from "../kube/events.js";
import { getObject } from "../kube/objects.js";
import { apiVersionOf } from "../kube/resolve.js";
import { redactObject } from "../policy/redact.js";
import { textTool } from "./cluster-tool.js";
import { kindParam, nameParam, namespaceParam } from "./params.js";

export const resourcesDescribe = textTool({
  name: "resources_describe",
  toolset: "core",
  title: "Describe a resource",
  description:
    "Like kubectl describe, for any kind: state, conditions, pods of a workload, container states and restarts, recent events. First step when something is broken.",
  safety: "read",
  input: z.object({
    kind: kindParam,
    name: nameParam,
    namespace: namespaceParam.optional(),
  }),
  async run(args, cluster, ctx) {
    const namespace = args.namespace ?? cluster.namespace;
    const { r, obj } = await getObject(cluster.api, args.kind, args.name, namespace, ctx.signal);
    const clean = redactObject(obj, {
      revealSecretValues: cluster.revealSecrets,
      collect: ctx.secrets.add,
    }) as Record<string, { uid?: string; namespace?: string }>;
    const text = await describeObject(cluster.api, r.kind, apiVersionOf(r), clean, ctx.signal);
    const meta = clean.metadata ?? {};
    const { events } = await fetchEvents(cluster.api, {
      ...(meta.namespace ? { namespace: meta.namespace } : {}),
      ...(meta.uid ? { uid: meta.uid } : { name: args.name }),
      signal: ctx.signal,
    }).catch(() => ({ events: [] }));
    const rows = events
      .slice(0, 20)
      .map((e) => [age(e.last), e.type, e.reason, String(e.count), cell(e.message)]);
    const ev = rows.length
      ? `Events (newest first):\n${renderTable(["last seen", "type", "reason", "count", "message"], rows)}`
      : "Events: none recorded";
    // Labels, annotations, conditions and events are all cluster-authored: the whole text is one block.
    const where = meta.namespace ? `${meta.namespace}/${args.name}` : args.name;
    return { text: `${text}\n${ev}`, untrusted: `describe ${r.kind} ${where}` };
  },
});

// can_i: may the caller do this, on each cluster? Kubernetes answers as the caller (a
// SelfSubjectAccessReview through the caller's view: impersonated where the cluster impersonates), and
// kube-mcp adds what its own mode and namespace/kind policy would refuse first. Without a verb, the
// caller's rules in a namespace (SelfSubjectRulesReview).
import * as z from "zod";
import { ToolError } from "../errors.js";
import { accessReview, rulesReview, verbSafety } from "../kube/access.js";
import { lookupKind } from "../kube/lookup.js";
import { permits } from "../policy/modes.js";
import type { Cluster } from "../targets/clusters.js";
import { type TableData, tableTool } from "./cluster-tool.js";
import { kindParam, nameParam, namespaceParam } from "./params.js";

const Input = z.object({
  verb: z
    .string()
    .regex(/^[a-z*]{1,30}$/)
    .optional()
    .describe("get, list, create, patch, delete…; omit to list rules"),
  kind: kindParam.optional(),
  namespace: namespaceParam.optional(),
  name: nameParam.optional(),
  subresource: z
    .string()
    .regex(/^[a-z]{1,40}$/)
    .optional()
    .describe("e.g. log, exec, scale"),
});
type Args = z.infer<typeof Input>;

/** What kube-mcp itself would refuse before asking Kubernetes, or undefined. */
function kubeMcpRefusal(
  c: Cluster,
  verb: string,
  group: string,
  resource: string,
  a: Args,
): string | undefined {
  const hidden =
    c.scope?.kindHidden({ group, resource }) ??
    (a.namespace ? c.scope?.namespaceHidden(a.namespace) : undefined);
  if (hidden) return `kube-mcp's policy: ${hidden}`;
  const safety = verbSafety(verb, a.subresource);
  if (!permits(c.mode, safety)) return `kube-mcp runs cluster ${c.name} in ${c.mode} mode`;
  return undefined;
}

async function check(a: Args & { verb: string }, c: Cluster, signal: AbortSignal): Promise<TableData> {
  if (!a.kind) throw new ToolError("can_i needs a kind with a verb.", 'e.g. { verb: "list", kind: "pods" }.');
  const r = await lookupKind(c.api, a.kind, signal);
  const who = c.impersonate ? `user ${c.impersonate.user}` : "kube-mcp's identity";
  const ns = r.namespaced ? (a.namespace ?? c.namespace) : undefined;
  const refused = kubeMcpRefusal(c, a.verb, r.group, r.resource, { ...a, ...(ns ? { namespace: ns } : {}) });
  const d = refused
    ? undefined
    : await accessReview(
        c.api,
        {
          verb: a.verb,
          group: r.group,
          resource: r.resource,
          ...(a.subresource ? { subresource: a.subresource } : {}),
          ...(a.name ? { name: a.name } : {}),
          ...(ns ? { namespace: ns } : {}),
        },
        signal,
      );
  const why =
    refused ??
    `RBAC for ${who}${d?.reason ? `: ${d.reason}` : ""}${d?.evaluationError ? ` (${d.evaluationError})` : ""}`;
  const what = `${r.resource}${a.subresource ? `/${a.subresource}` : ""}${r.group ? `.${r.group}` : ""}`;
  return {
    columns: ["verb", "resource", "namespace", "allowed", "why"],
    rows: [[a.verb, what, ns ?? "(cluster)", !refused && d?.allowed ? "yes" : "no", why]],
    empty: "",
    untrusted: "access review",
  };
}

async function rules(a: Args, c: Cluster, signal: AbortSignal, rowLimit: number): Promise<TableData> {
  const ns = a.namespace ?? c.namespace;
  const hidden = c.scope?.namespaceHidden(ns);
  if (hidden) throw new ToolError(`Hidden by policy: ${hidden}.`);
  const r = await rulesReview(c.api, ns, signal);
  const rows = r.resourceRules.map((x) => [
    x.verbs.join(","),
    (x.resources ?? []).map((res) => (x.apiGroups?.[0] ? `${res}.${x.apiGroups.join("|")}` : res)).join(","),
    (x.resourceNames ?? []).join(",") || "-",
  ]);
  return {
    columns: ["verbs", "resources", "names"],
    rows: rows.slice(0, rowLimit),
    total: rows.length,
    notes: [
      `Rules for ${c.impersonate ? `user ${c.impersonate.user}` : "kube-mcp's identity"} in namespace ${ns}; kube-mcp's ${c.mode} mode and policy apply on top.`,
      ...(r.incomplete
        ? ["The API server could not list every rule (incomplete): ask with a verb and kind."]
        : []),
    ],
    empty: `No rules in namespace ${ns}.`,
    untrusted: "rules review",
  };
}

export const canI = tableTool({
  name: "can_i",
  toolset: "core",
  title: "Check permissions",
  description:
    "Whether the caller may do verb on kind (in namespace), per cluster: RBAC as the caller plus kube-mcp's mode and policy. No verb: the caller's rules.",
  safety: "read",
  input: Input,
  run: (a, c, ctx) =>
    a.verb ? check({ ...a, verb: a.verb }, c, ctx.signal) : rules(a, c, ctx.signal, ctx.rowLimit),
});

// `kubectl auth can-i … --as USER --as-group GROUP` answered by a SubjectAccessReview: a question about
// another subject, asked with the connection's own identity (which needs `create` on
// subjectaccessreviews), never by impersonating that subject, so the answer grants nothing.
import { ToolError } from "../errors.js";
import type { KubeApi } from "./api.js";
import { lookupKind } from "./lookup.js";

/** A parsed kubectl command line, as much of it as a review reads (the passthrough's Parsed is one). */
export interface KubectlCommand {
  /** Canonical command path, e.g. ["auth", "can-i"]. */
  path: string[];
  flags: { name: string; value: string }[];
  positionals: string[];
}

/** A flag's value as kubectl reads it: the last occurrence wins. */
const lastFlag = (c: KubectlCommand, name: string): string | undefined =>
  c.flags.filter((f) => f.name === name).at(-1)?.value;

/** Whether a parsed kubectl command is `auth can-i` about another subject. */
export const asksAboutOther = (v: KubectlCommand & { help?: boolean }) =>
  !v.help &&
  v.path[0] === "auth" &&
  v.path[1] === "can-i" &&
  v.flags.some((f) => f.name === "as" || f.name === "as-group");

/** A question the review cannot answer as asked; what to ask instead is in the message. */
export class ReviewError extends ToolError {}

/** kubectl's answer: "yes" or "no", with the authorizer's reason where it gave one. */
export async function subjectCanI(
  api: KubeApi,
  v: KubectlCommand,
  defaultNamespace: string,
  signal: AbortSignal,
): Promise<string> {
  const user = lastFlag(v, "as");
  const groups = v.flags.filter((f) => f.name === "as-group").map((f) => f.value);
  if (v.flags.some((f) => f.name === "list" && f.value !== "false"))
    throw new ReviewError(
      "--list with --as is not offered: the API lists rules only for the asking identity. Ask about one verb and resource.",
    );
  const [verb, target, extra] = v.positionals;
  if (!verb || !target)
    throw new ReviewError("give a verb and a resource, e.g. auth can-i list pods --as alice");
  let attributes: Record<string, unknown>;
  if (target.startsWith("/")) attributes = { nonResourceAttributes: { path: target, verb } };
  else {
    const [type, fromSlash] = target.split("/");
    const name = fromSlash ?? extra;
    const all = v.flags.some((f) => f.name === "all-namespaces" && f.value !== "false");
    const namespace = all ? "" : (lastFlag(v, "namespace") ?? defaultNamespace);
    const r =
      type === "*"
        ? { group: "*", resource: "*", namespaced: true }
        : await lookupKind(api, type as string, signal);
    const sub = lastFlag(v, "subresource");
    attributes = {
      resourceAttributes: {
        verb,
        group: r.group,
        resource: r.resource,
        ...(sub ? { subresource: sub } : {}),
        ...(name ? { name } : {}),
        ...(r.namespaced ? { namespace } : {}),
      },
    };
  }
  const review = await api.json<{ status?: { allowed?: boolean; denied?: boolean; reason?: string } }>({
    method: "POST",
    path: "/apis/authorization.k8s.io/v1/subjectaccessreviews",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec: { ...(user ? { user } : {}), ...(groups.length ? { groups } : {}), ...attributes },
    }),
    signal,
  });
  const s = review.status ?? {};
  const who = [user ? `user ${user}` : "", groups.length ? `groups ${groups.join(", ")}` : ""]
    .filter(Boolean)
    .join(", ");
  return [s.allowed ? "yes" : "no", `(${who}; a SubjectAccessReview${s.reason ? `: ${s.reason}` : ""})`].join(
    "\n",
  );
}

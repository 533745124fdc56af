// Kind resolution with the error sentences a model needs: close matches for an unknown kind, the choices
// for an ambiguous one, and a retry with fresh discovery before giving up (a CRD may have just appeared).
import { ToolError } from "../errors.js";
import type { KubeApi } from "./api.js";
import type { ApiResource } from "./discovery.js";
import { checkApiVersion, checkKind } from "./names.js";
import { resolveKind, resourceLabel } from "./resolve.js";

export async function lookupKind(
  api: KubeApi,
  kind: string,
  signal: AbortSignal,
  verb?: string,
  apiVersion?: string,
): Promise<ApiResource> {
  checkKind(kind);
  if (apiVersion !== undefined) checkApiVersion(apiVersion);
  let res = resolveKind(kind, await api.discovery.resources(false, signal), apiVersion);
  if (!res.ok && !res.ambiguous)
    res = resolveKind(kind, await api.discovery.resources(true, signal), apiVersion);
  if (!res.ok) {
    if (res.ambiguous) {
      throw new ToolError(
        `"${kind}" is ambiguous on cluster ${api.cluster}: ${res.suggestions.join(", ")}.`,
        `Use the group-qualified name, e.g. "${res.suggestions[0] ?? ""}".`,
      );
    }
    const hint = res.suggestions.length
      ? `Did you mean: ${res.suggestions.join(", ")}?`
      : "Use api_resources to see the kinds this cluster serves.";
    throw new ToolError(`Unknown kind "${kind}" on cluster ${api.cluster}.`, hint);
  }
  if (verb && !res.resource.verbs.includes(verb)) {
    throw new ToolError(
      `${resourceLabel(res.resource)} does not support "${verb}" on cluster ${api.cluster} (verbs: ${res.resource.verbs.join(", ") || "none"}).`,
    );
  }
  return res.resource;
}

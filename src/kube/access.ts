// Asking the API server what the identity of a connection may do: a SelfSubjectAccessReview answers one
// question (a verb on a resource), a SelfSubjectRulesReview lists the rules that apply in a namespace.
// Both are answered for whoever the connection acts as, impersonated callers included.
import { EXTRA_KEY } from "../policy/identity.js";
import type { KubeApi } from "./api.js";

const REVIEWS = "/apis/authorization.k8s.io/v1";

export interface Access {
  verb: string;
  /** API group; "" (the default) is the core group. */
  group?: string;
  resource: string;
  subresource?: string;
  name?: string;
  namespace?: string;
}

export interface Decision {
  allowed: boolean;
  /** An authorizer said no outright (rather than no one saying yes). */
  denied?: boolean;
  reason?: string;
  evaluationError?: string;
}

export async function accessReview(api: KubeApi, a: Access, signal?: AbortSignal): Promise<Decision> {
  const review = await api.json<{ status?: Decision }>({
    method: "POST",
    path: `${REVIEWS}/selfsubjectaccessreviews`,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      apiVersion: "authorization.k8s.io/v1",
      kind: "SelfSubjectAccessReview",
      spec: { resourceAttributes: { ...a, group: a.group ?? "" } },
    }),
    ...(signal ? { signal } : {}),
  });
  return review.status ?? { allowed: false };
}

export interface ResourceRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

export interface Rules {
  resourceRules: ResourceRule[];
  /** The authorizers could not list every rule (a webhook, say): absent rules prove nothing. */
  incomplete: boolean;
  evaluationError?: string;
}

export async function rulesReview(api: KubeApi, namespace: string, signal?: AbortSignal): Promise<Rules> {
  const review = await api.json<{ status?: Partial<Rules> }>({
    method: "POST",
    path: `${REVIEWS}/selfsubjectrulesreviews`,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      apiVersion: "authorization.k8s.io/v1",
      kind: "SelfSubjectRulesReview",
      spec: { namespace },
    }),
    ...(signal ? { signal } : {}),
  });
  const s = review.status ?? {};
  return {
    resourceRules: s.resourceRules ?? [],
    incomplete: s.incomplete ?? false,
    ...(s.evaluationError ? { evaluationError: s.evaluationError } : {}),
  };
}

/** Whether `rule` covers a verb on group/resource (RBAC's matching: "*", the name, or "*\/sub"), for some names at least. */
export function covers(rule: ResourceRule, verb: string, group: string, resource: string): boolean {
  const sub = resource.includes("/") ? resource.slice(resource.indexOf("/") + 1) : "";
  return (
    rule.verbs.some((v) => v === "*" || v === verb) &&
    (rule.apiGroups ?? []).some((g) => g === "*" || g === group) &&
    (rule.resources ?? []).some((r) => r === "*" || r === resource || (sub !== "" && r === `*/${sub}`))
  );
}

/**
 * What an impersonating kube-mcp needs the `impersonate` verb on (RBAC resources): every request names
 * a user and carries the user extra `extra`; callers with groups need groups too.
 */
export const impersonationNeeds = (extra: string) =>
  [
    { group: "", resource: "users", what: "users" },
    { group: "authentication.k8s.io", resource: `userextras/${extra}`, what: `userextras/${extra}` },
    { group: "", resource: "groups", what: "groups" },
  ] as const;

/** The needs no rule of `rules` covers (for any name at all), by their RBAC resource names. */
export function impersonationGaps(rules: Rules, extra: string): string[] {
  return impersonationNeeds(extra)
    .filter((n) => !rules.resourceRules.some((r) => covers(r, "impersonate", n.group, n.resource)))
    .map((n) => n.what);
}

/** The safety class a verb needs in kube-mcp's modes (the guard may still refuse a particular change). */
export function verbSafety(verb: string, subresource?: string): "read" | "write" | "destructive" {
  if (
    subresource &&
    ["exec", "attach", "portforward", "proxy", "eviction", "ephemeralcontainers"].includes(subresource)
  )
    return "destructive";
  if (["get", "list", "watch"].includes(verb)) return "read";
  if (["create", "update", "patch"].includes(verb)) return "write";
  return "destructive";
}

/**
 * Whether `account` (the identity of `api`) may impersonate what an impersonating kube-mcp sends, asked
 * once at start-up: `error` when its rules say it may not; warnings when they cannot tell, or when it may
 * impersonate no group at all.
 */
export async function impersonationCheck(
  api: KubeApi,
  namespace: string,
  account: string,
): Promise<{ error?: string; warnings: string[] }> {
  let rules: Rules;
  try {
    // kube-mcp's own question: its namespace may be one the policy hides from callers.
    rules = await rulesReview(api.unscoped(), namespace, AbortSignal.timeout(10_000));
  } catch (err) {
    return {
      warnings: [
        `could not ask whether ${account} may impersonate (${(err as Error).message}); calls will say`,
      ],
    };
  }
  const gaps = impersonationGaps(rules, EXTRA_KEY);
  const needed = gaps.filter((g) => g !== "groups");
  const warnings = gaps.includes("groups")
    ? [`${account} may impersonate no group: callers with groups will be refused by the API server`]
    : [];
  if (!needed.length) return { warnings };
  const what = `${account} may not impersonate ${needed.join(" or ")}, but identity is impersonate`;
  if (rules.incomplete)
    return {
      warnings: [...warnings, `${what}, as far as the API server can list its rules; calls will say`],
    };
  return {
    error: `${what}: grant it the impersonate verb on users, groups and userextras/${EXTRA_KEY}`,
    warnings,
  };
}

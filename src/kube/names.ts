// Kubernetes' own rules for what a model may put into an API path or query: namespaces, object names,
// kinds and API versions, label and field selectors. A name is part of a URL path, so ".", ".." or a
// "/" would walk to another resource (a namespaced get turned into a cluster-wide list); every path
// kube-mcp builds from model input passes through these checks, and a refusal names the rule.
import { ToolError } from "../errors.js";
import { fieldSelectorProblem, labelSelectorProblem } from "./selectors.js";

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// C0, DEL and C1: never part of a legitimate name, and invisible in an error message.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const CONTROL = /[\x00-\x1f\x7f-\x9f]/;

export const RULES = {
  namespace:
    "a namespace must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
  subdomain:
    "a name of this kind must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit, at most 253 characters",
  segment:
    "a name must be a valid path segment: not '.' or '..', no '/', '%' or control characters, 1 to 253 characters",
  kind: 'a kind is letters, digits and "-", in parts joined by "." or "/" (e.g. "pods", "deployments.apps", "Deployment.v1.apps"), at most 253 characters',
  apiVersion:
    'an apiVersion is "v1" or "group/version" (e.g. "apps/v1"), lowercase letters, digits, "-" and "."',
} as const;

const quote = (s: string) => JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);

/** The rule a namespace breaks, or undefined when it is valid. */
export function namespaceProblem(ns: string): string | undefined {
  return ns.length <= 63 && LABEL.test(ns) ? undefined : RULES.namespace;
}

/** The rule any object name breaks as a path segment, or undefined. */
export function segmentProblem(name: string): string | undefined {
  const ok =
    name.length >= 1 &&
    name.length <= 253 &&
    name !== "." &&
    name !== ".." &&
    !/[/%]/.test(name) &&
    !CONTROL.test(name);
  return ok ? undefined : RULES.segment;
}

// Built-in resources whose validation requires a DNS-1123 subdomain name. The rest (RBAC names such as
// "system:controller:foo", core events, aggregated APIs, custom resources) get the path-segment rule,
// the one that keeps the request on its path, so no name Kubernetes accepts is refused here.
const STRICT_CORE = new Set([
  "pods",
  "services",
  "configmaps",
  "secrets",
  "serviceaccounts",
  "persistentvolumeclaims",
  "persistentvolumes",
  "nodes",
  "endpoints",
  "replicationcontrollers",
  "resourcequotas",
  "limitranges",
  "podtemplates",
]);
const STRICT_GROUPS = new Set([
  "apps",
  "batch",
  "autoscaling",
  "policy",
  "networking.k8s.io",
  "storage.k8s.io",
  "coordination.k8s.io",
  "discovery.k8s.io",
  "apiextensions.k8s.io",
  "scheduling.k8s.io",
  "node.k8s.io",
]);

/** The rule a name of this resource breaks, or undefined when Kubernetes could accept it. */
export function nameProblem(name: string, r?: { group: string; resource: string }): string | undefined {
  const segment = segmentProblem(name);
  if (segment || !r) return segment;
  if (r.group === "" && r.resource === "namespaces") return namespaceProblem(name);
  const strict = r.group === "" ? STRICT_CORE.has(r.resource) : STRICT_GROUPS.has(r.group);
  return strict && !SUBDOMAIN.test(name) ? RULES.subdomain : undefined;
}

/** Throws a ToolError naming the rule when the namespace is invalid; returns it otherwise. */
export function checkNamespace(ns: string): string {
  const rule = namespaceProblem(ns);
  if (rule) throw new ToolError(`Refused namespace ${quote(ns)} because ${rule}. Nothing was requested.`);
  return ns;
}

/** Throws a ToolError naming the rule when the name is invalid (for this resource, when given). */
export function checkName(name: string, r?: { group: string; resource: string; kind?: string }): string {
  const rule = nameProblem(name, r);
  if (rule)
    throw new ToolError(
      `Refused name ${quote(name)}${r?.kind ? ` for ${r.kind}` : ""} because ${rule}. Nothing was requested.`,
    );
  return name;
}

const PART = "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?";
const KIND = new RegExp(`^${PART}(?:[./]${PART})*$`);
const API_VERSION = /^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[a-z0-9]+$/;

export function kindProblem(kind: string): string | undefined {
  const k = kind.trim();
  return k.length >= 1 && k.length <= 253 && KIND.test(k) ? undefined : RULES.kind;
}

export function checkKind(kind: string): string {
  const rule = kindProblem(kind);
  if (rule) throw new ToolError(`Refused kind ${quote(kind)} because ${rule}. Nothing was requested.`);
  return kind;
}

export function apiVersionProblem(v: string): string | undefined {
  return v.length <= 253 && API_VERSION.test(v) ? undefined : RULES.apiVersion;
}

export function checkApiVersion(v: string): string {
  const rule = apiVersionProblem(v);
  if (rule) throw new ToolError(`Refused apiVersion ${quote(v)} because ${rule}. Nothing was requested.`);
  return v;
}

/** Throws a ToolError naming the rule when a label selector does not parse. */
export function checkLabelSelector(sel: string): string {
  const p = labelSelectorProblem(sel);
  if (p) throw new ToolError(`Refused label selector ${quote(sel)}, at ${p}. Nothing was requested.`);
  return sel;
}

/** Throws a ToolError naming the rule when a field selector does not parse. */
export function checkFieldSelector(sel: string): string {
  const p = fieldSelectorProblem(sel);
  if (p) throw new ToolError(`Refused field selector ${quote(sel)}, at ${p}. Nothing was requested.`);
  return sel;
}

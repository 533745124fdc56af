// The guard's rules a cluster may opt into (`clusters.<name>.allow`). A leaf module: the config schema
// names them, the guard (guard.ts) enforces them, docs/security.md explains each.
export const GUARD_RULES = [
  "deletes",
  "rbac",
  "clusterConfig",
  "podSecurity",
  "secretRefs",
  "serviceAccounts",
  "secrets",
  "systemNamespaces",
  "exec",
] as const;
export type GuardRule = (typeof GUARD_RULES)[number];

/** Kubernetes' own API groups (core, and *.k8s.io); anything else is a custom resource or an extension. */
export const BUILT_IN = (group: string) => !group.includes(".") || group.endsWith(".k8s.io");

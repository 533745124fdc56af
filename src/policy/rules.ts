// The guard's rules a cluster may opt into (`clusters.<name>.allow`): named in config/policy-rules.ts so
// the config schema can list them, enforced by the guard (guard.ts), explained in docs/security.md.
export { GUARD_RULES, type GuardRule } from "../config/policy-rules.js";

/** Kubernetes' own API groups (core, and *.k8s.io); anything else is a custom resource or an extension. */
export const BUILT_IN = (group: string) => !group.includes(".") || group.endsWith(".k8s.io");

// The rules a policy is written in, as the configuration names them: the guard's rules a cluster may opt
// out of (`clusters.<name>.allow`; policy/guard.ts enforces them, docs/security.md explains each) and the
// namespace and kind scope (policy/scope.ts judges requests by it). They live here, below policy/, so the
// config schema can name them without importing upward.
import * as z from "zod";

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

export const ScopeRules = z
  .object({
    namespaces: z
      .object({
        allow: z
          .array(z.string().regex(/^[a-z0-9*?-]{1,63}$/, "a namespace glob"))
          .optional()
          .describe("only these namespaces (unset: all)"),
        deny: z
          .array(z.string().regex(/^[a-z0-9*?-]{1,63}$/, "a namespace glob"))
          .optional()
          .describe("never these namespaces"),
      })
      .strict()
      .optional()
      .describe("namespaces shown: allow and deny lists of globs (deny wins), e.g. deny [kube-*]"),
    kinds: z
      .object({
        deny: z
          .array(
            z.string().regex(/^[a-z0-9.*-]+(\/[a-z0-9*.-]+)?$/i, "a kind: secrets, GROUP/RESOURCE, GROUP/*"),
          )
          .optional()
          .describe("kinds never shown"),
      })
      .strict()
      .optional()
      .describe(
        "kinds hidden entirely: resource names (secrets), GROUP/RESOURCE or GROUP/* (rbac.authorization.k8s.io/*)",
      ),
  })
  .strict();
export type ScopeRules = z.infer<typeof ScopeRules>;

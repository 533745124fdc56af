// Input parameters shared by the tools, carrying Kubernetes' naming rules (src/kube/names.ts) into the
// schema, so a model sees them and a bad value is refused with its rule before the handler runs. The
// same rules are enforced again where paths are built, for every caller.
import * as z from "zod";
import { kindProblem, RULES, segmentProblem } from "../kube/names.js";
import { fieldSelectorProblem, labelSelectorProblem } from "../kube/selectors.js";

const rule = (problem: (s: string) => string | undefined) => (s: string, ctx: z.RefinementCtx) => {
  const p = problem(s);
  if (p) ctx.addIssue({ code: "custom", message: p });
};

export const namespaceParam = z
  .string()
  .min(1)
  .max(63, RULES.namespace)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, RULES.namespace);

export const nameParam = z.string().min(1).max(253, RULES.segment).superRefine(rule(segmentProblem));

export const kindParam = z.string().min(1).max(253, RULES.kind).superRefine(rule(kindProblem));

export const labelSelectorParam = z
  .string()
  .max(1000)
  .superRefine(rule(labelSelectorProblem))
  .describe('e.g. "app=web,tier!=cache" or "env in (prod,staging)"');

export const fieldSelectorParam = z
  .string()
  .max(1000)
  .superRefine(rule(fieldSelectorProblem))
  .describe('e.g. "status.phase=Running" or "spec.nodeName=node-1"');

/** Where a list looks; none: every namespace. */
export const listNamespaceParam = namespaceParam.optional().describe("Default: all");

/** One of a pod's containers, by name. */
export const containerParam = z.string().min(1).max(253);

/** A server-side dry run (nothing changes); unset: the server's dryRun setting. */
export const dryRunParam = z.boolean().optional();

export const gracePeriodParam = z.number().int().min(0).max(3600).optional();

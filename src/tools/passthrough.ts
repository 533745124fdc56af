// The CLI passthrough tools (kubectl, helm, istioctl, argocd), each built from its binary's spec
// (cli-specs.ts): one plan per call checks the argv against the binary's grammar for each mode it meets,
// and confirmation, the pre-check and every cluster's run (cli-run.ts) share it.
import * as z from "zod";
import type { Mode } from "../config/schema.js";
import { CallPlan, type CommandArgs } from "../passthrough/plan.js";
import { installedCheck, type Limiter } from "../passthrough/runner.js";
import type { Safety } from "../policy/modes.js";
import type { Cluster } from "../targets/clusters.js";
import { runCli } from "./cli-run.js";
import type { CliSpec } from "./cli-specs.js";
import { TextOutput, textTool } from "./cluster-tool.js";
import { type AnyTool, defineTool } from "./define.js";

const SAFETY: Record<Mode, Safety> = { "read-only": "read", "non-destructive": "write", full: "destructive" };

const PassthroughOutput = TextOutput.partial().extend({
  refused: z.boolean().optional(),
  reason: z.string().optional(),
});

/**
 * The call's plan. The MCP seam hands confirmation and the handler the same arguments object, and the
 * fan-out hands it on to each cluster's run, so the object keys the plan for the whole call.
 */
function plans(spec: CliSpec): (args: CommandArgs) => CallPlan {
  const made = new WeakMap<CommandArgs, CallPlan>();
  return (args) => {
    const plan = made.get(args) ?? new CallPlan(spec.grammar, args);
    made.set(args, plan);
    return plan;
  };
}

/**
 * The question a person is asked in full mode: for commands non-destructive mode would refuse (delete,
 * exec, uninstall…), and any the spec says may delete (a helm rollback); a dry run that kube-mcp answers
 * with a plan asks nothing. A refused command asks nothing: it is refused with a reason when it runs.
 */
function question(spec: CliSpec, mode: Mode, plan: CallPlan, cluster: unknown): string | false {
  if (plan.refused(mode) !== undefined) return false;
  const asks = spec.asks?.(plan.verdict(mode)) ?? plan.refused("non-destructive") !== undefined;
  if (!asks) return false;
  const where = cluster === undefined ? "the default cluster" : `cluster ${JSON.stringify(cluster)}`;
  return `Allow \`${spec.grammar.binary} ${plan.argv.join(" ")}\` on ${where}?`;
}

/**
 * Why every target refuses the call, or undefined when one would run it (the others then fail alone).
 * This server's rule file refuses here too, so a hub's rules hold for its agents' clusters.
 */
function refusedEverywhere(
  plan: CallPlan,
  targets: () => Cluster[],
  rules: Parameters<CallPlan["ruled"]>[1],
) {
  if (plan.unreadable) return plan.unreadable;
  const refusals = targets().map((t) => plan.refused(t.mode) ?? plan.ruled(t.mode, rules));
  const first = refusals.find(Boolean);
  return first && refusals.every(Boolean) ? first : undefined;
}

export function cliTool(spec: CliSpec, mode: Mode, limiter: Limiter): AnyTool {
  const planOf = plans(spec);
  const input = z.object({
    args: z.array(z.string()).max(64).optional().describe(`After "${spec.grammar.binary}"`),
    command: z.string().max(16384).optional().describe("Or one string (quotes respected, no shell)"),
    timeout: z.number().int().min(1).max(3600).optional().describe("Seconds"),
    filter: z.string().max(2000).optional().describe('e.g. "grep -i err | head -5"'),
  });
  const inner = textTool({
    name: spec.grammar.binary,
    title: spec.title,
    toolset: spec.toolset,
    description: "",
    // The per-cluster gate for a passthrough is its plan (per command, in run); the tool-level
    // class only shapes the advertised annotations below.
    safety: "read",
    input,
    run: (args, cluster, ctx) =>
      runCli(
        spec,
        limiter,
        {
          plan: planOf(args),
          ...(args.timeout === undefined ? {} : { timeout: args.timeout }),
          ...(args.filter === undefined ? {} : { filter: args.filter }),
        },
        cluster,
        ctx,
      ),
  });
  return defineTool({
    ...inner,
    description: `${spec.summary(mode)} Pipes go in filter.`,
    ...(spec.optional ? { installed: installedCheck(spec.grammar.binary) } : {}),
    safety: SAFETY[mode],
    idempotent: mode === "read-only",
    confirm: (args) => question(spec, mode, planOf(args), args.cluster),
    output: PassthroughOutput,
    async handle(args, env) {
      const targets = () => env.clusters.select(args.cluster as string | string[] | undefined);
      const reason = refusedEverywhere(planOf(args), targets, env.config.cli.ruleSet);
      if (reason) return { isError: true, text: `Refused: ${reason}`, data: { refused: true, reason } };
      return inner.handle(args, env);
    },
  });
}

// The CLI passthrough tools (kubectl, helm, istioctl, argocd): validate the argv against the binary's
// grammar for the mode, run the real binary pinned to one cluster, redact, then apply `filter` steps.
import * as z from "zod";
import { cliRuleRefusal } from "../config/cli-rules.js";
import type { Mode } from "../config/schema.js";
import type { Grammar, Parsed } from "../passthrough/grammar.js";
import { installedCheck, type Limiter } from "../passthrough/runner.js";
import { tokenize } from "../passthrough/tokenize.js";
import { Refusal, validate } from "../passthrough/validate.js";
import { runCli } from "./cli-run.js";
import { TextOutput, textTool } from "./cluster-tool.js";
import { type AnyTool, defineTool, type Safety } from "./define.js";
import type { Toolset } from "./toolsets.js";

const SAFETY: Record<Mode, Safety> = { "read-only": "read", "non-destructive": "write", full: "destructive" };

const PassthroughOutput = TextOutput.partial().extend({
  refused: z.boolean().optional(),
  reason: z.string().optional(),
});

export interface CliToolSpec {
  grammar: Grammar;
  title: string;
  /** One sentence on what the binary is for, and what this mode allows. */
  summary: (mode: Mode) => string;
  toolset: Toolset;
  /** Most machines lack it: listed only while it is on PATH. */
  optional?: boolean;
  /** Whether a command asks a person first in full mode; undefined: when non-destructive mode refuses it. */
  asks?: (v: Parsed) => boolean | undefined;
}

function argvOf(args: { args?: string[]; command?: string }): string[] {
  if (args.args && args.command !== undefined) throw new Refusal("give either args or command, not both.");
  if (args.args) return args.args;
  if (args.command !== undefined) return tokenize(args.command);
  throw new Refusal('give the arguments as args (e.g. ["get", "pods"]) or as one command string.');
}

export function cliTool(spec: CliToolSpec, mode: Mode, limiter: Limiter): AnyTool {
  const g = spec.grammar;
  const input = z.object({
    args: z.array(z.string()).max(64).optional().describe(`After "${g.binary}"`),
    command: z.string().max(16384).optional().describe("Or one string (quotes respected, no shell)"),
    timeout: z.number().int().min(1).max(3600).optional().describe("Seconds"),
    filter: z.string().max(2000).optional().describe('e.g. "grep -i err | head -5"'),
  });
  const inner = textTool({
    name: g.binary,
    title: spec.title,
    toolset: spec.toolset,
    description: "",
    // The per-cluster gate for a passthrough is the validator (per command, in run); the tool-level
    // class only shapes the advertised annotations below.
    safety: "read",
    input,
    run: (args, cluster, ctx) =>
      runCli(
        g,
        limiter,
        {
          argv: argvOf(args),
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
    ...(spec.optional ? { installed: installedCheck(g.binary) } : {}),
    safety: SAFETY[mode],
    idempotent: mode === "read-only",
    // Commands that non-destructive mode would refuse (delete, exec, uninstall…) ask a person first, and
    // any the spec says may delete (a helm rollback); a dry run that kube-mcp answers with a plan does not.
    confirm(args: Record<string, unknown>) {
      let argv: string[];
      let v: Parsed;
      try {
        argv = argvOf(args as { args?: string[]; command?: string });
        v = validate(argv, g, mode);
      } catch {
        return false; // refused with a reason when it runs
      }
      const allowedWithoutDeletes = () => {
        try {
          validate(argv, g, "non-destructive");
          return true;
        } catch {
          return false;
        }
      };
      if (!(spec.asks?.(v) ?? !allowedWithoutDeletes())) return false;
      const where =
        args.cluster === undefined ? "the default cluster" : `cluster ${JSON.stringify(args.cluster)}`;
      return `Allow \`${g.binary} ${argv.join(" ")}\` on ${where}?`;
    },
    output: PassthroughOutput,
    async handle(args, env) {
      try {
        const argv = argvOf(args);
        const targets = env.clusters.select(args.cluster as string | string[] | undefined);
        const refusals = targets.map((t) => {
          try {
            // This server's rule file refuses here too, so a hub's rules hold for its agents' clusters.
            const v = validate(argv, g, t.mode);
            return cliRuleRefusal(env.config.cli.ruleSet, g.binary, argv, v.path);
          } catch (err) {
            if (err instanceof Refusal) return err.message;
            throw err;
          }
        });
        const first = refusals.find(Boolean);
        if (first && refusals.every(Boolean)) {
          return { isError: true, text: `Refused: ${first}`, data: { refused: true, reason: first } };
        }
      } catch (err) {
        if (err instanceof Refusal) {
          return {
            isError: true,
            text: `Refused: ${err.message}`,
            data: { refused: true, reason: err.message },
          };
        }
        throw err;
      }
      return inner.handle(args, env);
    },
  });
}

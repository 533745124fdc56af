// The CLI passthrough tools (kubectl, helm, istioctl, argocd): validate the argv against the binary's
// grammar for the mode, run the real binary pinned to one cluster, redact, then apply `filter` steps.
import * as z from "zod";
import type { Mode } from "../config/schema.js";
import { applyFilters, FilterError } from "../exec/filter.js";
import { type Grammar, lastFlag, type Parsed } from "../exec/grammar.js";
import { renderStatus, statusAsJson } from "../exec/helm-status.js";
import { pinCluster } from "../exec/kubeconfig.js";
import { outputKind, redactFailedOutput, redactOutput, templateOf, Withheld } from "../exec/output.js";
import { parsePipeline } from "../exec/pipeline.js";
import {
  findBinary,
  installedCheck,
  type Limiter,
  NotInstalled,
  runProcess,
  scrubbedEnv,
} from "../exec/runner.js";
import { TokenizeError, tokenize } from "../exec/tokenize.js";
import { Refusal, validate } from "../exec/validate.js";
import { cutText } from "../format/budget.js";
import { sanitizeUntrusted } from "../format/fence.js";
import { redactText } from "../policy/redact-text.js";
import { TextOutput, textTool, writeCtx } from "./cluster-tool.js";
import { type AnyTool, defineTool, type Safety, ToolError } from "./define.js";
import { failureState, type Wait } from "./helm-release.js";
import { isPlannedHelmWrite, planHelm, reporting } from "./helm-writes.js";
import { guardedKubectl, isPlannedWrite, type Kubectl } from "./kubectl-writes.js";
import type { Toolset } from "./toolsets.js";

const SAFETY: Record<Mode, Safety> = { "read-only": "read", "non-destructive": "write", full: "destructive" };

/**
 * How each binary is pinned to the one cluster kube-mcp chose (users may not pass these flags). helm
 * reads its global flags from the whole argv before parsing it, and can take a shorthand cluster's
 * tail for a namespace, so its namespace is also pinned, last, to the one the call asked for.
 */
const PIN: Record<
  string,
  (k: string, c: string, namespace: string) => { before: string[]; after: string[] }
> = {
  kubectl: (k, c) => ({ before: [`--kubeconfig=${k}`, `--context=${c}`], after: [] }),
  helm: (k, c, ns) => ({
    before: [`--kubeconfig=${k}`, `--kube-context=${c}`],
    after: [`--namespace=${ns}`],
  }),
  istioctl: (k, c) => ({ before: [`--kubeconfig=${k}`, `--context=${c}`], after: [] }),
  argocd: (_k, c) => ({ before: ["--core", `--kube-context=${c}`], after: [] }),
};

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

function pinnedArgv(
  binary: string,
  argv: string[],
  verdict: Parsed,
  template: boolean,
  pinned: { kubeconfig: string; context: string },
  defaultNs: string,
): string[] {
  const ns = lastFlag(verdict, "namespace") ?? defaultNs;
  const pin = PIN[binary]?.(pinned.kubeconfig, pinned.context, ns) ?? { before: [], after: [] };
  // Templates are rendered by kube-mcp on redacted JSON: ask for JSON (the last --output wins).
  if (template) pin.after.push("--output=json");
  const dash = argv.indexOf("--");
  const head = dash < 0 ? argv : argv.slice(0, dash);
  const tail = dash < 0 ? [] : argv.slice(dash);
  return [...pin.before, ...head, ...pin.after, ...tail];
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
    async run(args, cluster, ctx) {
      const argv = argvOf(args);
      let verdict: ReturnType<typeof validate>;
      try {
        verdict = validate(argv, g, cluster.mode);
      } catch (err) {
        if (err instanceof Refusal)
          throw new ToolError(`Refused on cluster ${cluster.name} (${cluster.mode} mode): ${err.message}`);
        throw err;
      }
      const bin = findBinary(g.binary);
      const cli = ctx.config.cli;
      const timeoutS = Math.min(args.timeout ?? cli.timeoutSeconds, cli.maxTimeoutSeconds);
      // kubectl's -o jsonpath=/custom-columns= are rendered here, from redacted JSON.
      const template = g.binary === "kubectl" && !verdict.help ? templateOf(verdict)?.template : undefined;
      const kind = verdict.help ? "text" : outputKind(g.binary, verdict);
      // A table is redacted by its column names (a CRD's printer column can show a credential): it is
      // asked for with its header, which is dropped again after redaction.
      const headless =
        kind === "text" && verdict.flags.some((f) => f.name === "no-headers" && f.value !== "false");
      // helm's NOTES are rendered from the redacted release JSON (helm-status.ts).
      let asJson = g.binary === "helm" && !verdict.help ? statusAsJson(verdict) : undefined;
      let runArgv = asJson ?? (headless ? argv.filter((a) => !/^--no-headers(=.*)?$/.test(a)) : argv);
      let summary: string | undefined;
      let helmWrite: { release: string; wait: Wait } | undefined;
      const pinned = await pinCluster(cluster, ctx.signal);
      const runOpts = {
        env: scrubbedEnv(pinned.dir, pinned.kubeconfig),
        cwd: pinned.dir,
        timeoutMs: timeoutS * 1000,
        maxBytes: cli.maxOutputBytes,
        signal: ctx.signal,
      };
      try {
        // kubectl's writes go plan → guard → apply (kubectl-writes.ts); what it writes itself is the answer.
        const planRun: Kubectl = async (a) => {
          const r = await limiter.run(ctx.signal, () =>
            runProcess(bin, pinnedArgv(g.binary, a, verdict, false, pinned, cluster.namespace), runOpts),
          );
          if (r.timedOut) throw new ToolError(`${g.binary} was stopped after ${timeoutS} s (its deadline).`);
          return { code: r.code ?? 1, stdout: r.stdout, stderr: sanitizeUntrusted(r.stderr) };
        };
        if (g.binary === "kubectl" && isPlannedWrite(verdict)) {
          const text = await guardedKubectl(argv, verdict, planRun, cluster, writeCtx(cluster, ctx));
          if (text !== undefined) return { text, untrusted: "kubectl output" };
        }
        // helm's installs and upgrades are planned and guarded first (helm-writes.ts); helm then prints
        // the release as JSON, redacted and rendered as its status text.
        if (g.binary === "helm" && isPlannedHelmWrite(verdict)) {
          const w = writeCtx(cluster, ctx);
          const planned = await planHelm(argv, verdict, planRun, cluster, w, {
            repositories: ctx.config.helm.repositories,
            deadlineS: timeoutS,
          });
          if ("text" in planned) return { text: planned.text, untrusted: "helm plan" };
          runArgv = planned.argv;
          asJson = planned.json ? planned.argv : undefined;
          summary = planned.summary;
          helmWrite = planned;
        }
        const finalArgv = pinnedArgv(
          g.binary,
          runArgv,
          verdict,
          template !== undefined,
          pinned,
          cluster.namespace,
        );
        const res = await limiter.run(ctx.signal, () =>
          helmWrite === undefined
            ? runProcess(bin, finalArgv, runOpts)
            : // A helm write is asked to stop (it records the release as failed) before it is killed.
              reporting(
                runProcess(bin, finalArgv, { ...runOpts, graceMs: 10_000 }),
                `helm ${verdict.path[0]} ${helmWrite.release}`,
                timeoutS,
                ctx.progress,
              ),
        );
        ctx.signal.throwIfAborted();
        if (res.timedOut)
          throw new ToolError(
            `${g.binary} was stopped after ${timeoutS} s (its deadline).${
              helmWrite ? await failureState(planRun, helmWrite.release, "", helmWrite.wait) : ""
            }`,
            "Narrow the command, or pass a larger timeout.",
          );
        const stderr = sanitizeUntrusted(res.stderr).trim();
        const outputOpts = {
          reveal: cluster.revealSecrets,
          ...(template === undefined ? {} : { template }),
          collect: ctx.secrets.add,
          truncated: res.truncated,
        };
        if (res.code !== 0) {
          // Without an error message, what it printed is the message: redacted like any output.
          const said = stderr
            ? redactText(stderr)
            : redactFailedOutput(sanitizeUntrusted(res.stdout), kind, outputOpts);
          // A planned helm write that failed has changed something: helm's record says what it left.
          const left = helmWrite && (await failureState(planRun, helmWrite.release, stderr, helmWrite.wait));
          throw new ToolError(
            `${g.binary} exited with code ${res.code} on cluster ${cluster.name}: ${cutText(said, 2000).text}${left ?? ""}`,
          );
        }

        let text = redactOutput(sanitizeUntrusted(res.stdout), asJson ? "json" : kind, outputOpts);
        if (headless) text = text.replace(/^[^\n]*\n?/, "");
        if (asJson) text = renderStatus(verdict, JSON.parse(text));
        if (summary) text = `${text}\n${summary}`;
        if (args.filter) text = await applyFilters(text, parsePipeline(args.filter), { signal: ctx.signal });
        const notes = [
          ...(res.truncated
            ? [
                `${g.binary} printed more than ${cli.maxOutputBytes} bytes; the rest was dropped. Narrow the command or use filter.`,
              ]
            : []),
        ];
        // stderr is cluster text too (warnings, server messages): inside the fence, redacted.
        const out = text || `(${g.binary} printed nothing)`;
        const err = stderr ? `\nstderr: ${cutText(redactText(stderr), 2000).text}` : "";
        return { text: `${out}${err}`, notes, untrusted: `${g.binary} output` };
      } catch (err) {
        if (err instanceof Withheld || err instanceof FilterError || err instanceof NotInstalled)
          throw new ToolError(err.message);
        throw err;
      } finally {
        pinned.cleanup();
      }
    },
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
            validate(argv, g, t.mode);
            return undefined;
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
        if (err instanceof Refusal || err instanceof TokenizeError) {
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

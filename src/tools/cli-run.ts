// Runs one CLI command for a tool on one cluster: the call's plan gives the command as validated for the
// cluster's mode; the binary's spec (cli-specs.ts) says how to pin the real binary to that cluster, what
// runs first (kubectl's and helm's writes are planned and guarded there) and how its output is read;
// what it prints is redacted, then the `filter` steps run. The passthrough tools and the typed helm
// tools share it.
import { ToolError } from "../errors.js";
import { cutText } from "../format/budget.js";
import { sanitizeUntrusted } from "../format/fence.js";
import { tracer } from "../obs/tracing.js";
import { pinnedArgv, type Rendering } from "../passthrough/binaries.js";
import { applyFilters } from "../passthrough/filter.js";
import type { Parsed } from "../passthrough/grammar.js";
import { renderStatus } from "../passthrough/helm-status.js";
import { type Pinned, pinCluster } from "../passthrough/kubeconfig.js";
import { redactFailedOutput, redactOutput } from "../passthrough/output.js";
import { Refusal } from "../passthrough/parse.js";
import { parsePipeline } from "../passthrough/pipeline.js";
import type { CallPlan } from "../passthrough/plan.js";
import { findBinary, type Limiter, type RunResult, runProcess, scrubbedEnv } from "../passthrough/runner.js";
import type { Verdict } from "../passthrough/validate.js";
import { redactText } from "../policy/redact-text.js";
import type { Cluster } from "../targets/clusters.js";
import type { Cli } from "./cli-json.js";
import type { CliSpec } from "./cli-specs.js";
import type { RunCtx, TextData } from "./cluster-tool.js";
import { failureState, type Wait } from "./helm-release.js";
import { reporting } from "./helm-writes.js";

export interface CliRequest {
  /** The call's command, validated once per mode and shared by every cluster the call runs on. */
  plan: CallPlan;
  /** Seconds the command may run (capped by cli.maxTimeoutSeconds). */
  timeout?: number;
  filter?: string;
  /** kube-mcp's own arguments, added after validation: a values file it wrote into `dir`, the call's private directory. */
  trusted?: (dir: string) => string[];
}

/** One command on one cluster, as the steps below and a binary's `first` step share it. */
export interface CliCall {
  spec: CliSpec;
  verdict: Verdict;
  /** The model's arguments, then kube-mcp's trusted ones. */
  argv: string[];
  cluster: Cluster;
  ctx: RunCtx;
  timeoutS: number;
  /** The binary's environment: a private home in the call's own directory (helm's config is there). */
  env: NodeJS.ProcessEnv;
  /** Runs the binary pinned to the cluster, for plans and the reads around a write. */
  run: Cli;
}

/** What a binary's first step decided: the answer, or how the binary should run. */
export type First =
  | { answer: TextData }
  | {
      /** Run this instead of the model's argv (a planned write, pinned to what was planned). */
      argv?: string[];
      /** Added to the model's argv (the trusted repositories). */
      extra?: string[];
      /** Replaces the rendering's JSON argv: helm's status text, rendered from what the write printed. */
      asJson?: string[] | undefined;
      /** Appended to the answer (what a planned write changes). */
      summary?: string;
      /** A planned helm write: stopped gently, its progress reported, its release read when it fails. */
      write?: { release: string; wait: Wait };
      notes?: string[];
    };
type Run = Exclude<First, { answer: TextData }>;

export async function runCli(
  spec: CliSpec,
  limiter: Limiter,
  req: CliRequest,
  cluster: Cluster,
  ctx: RunCtx,
): Promise<TextData> {
  const verdict = verdictOn(req.plan, cluster, ctx);
  const bin = findBinary(spec.grammar.binary);
  const pinned = await pinCluster(cluster, ctx.signal);
  try {
    const call = callOf(spec, verdict, req, cluster, ctx, { bin, limiter, pinned });
    const first = (await spec.first?.(call)) ?? {};
    if ("answer" in first) return first.answer;
    return await runBinary(call, req, first);
  } finally {
    pinned.cleanup();
  }
}

/** The command as this cluster's mode allows it; the operator's rule file only adds refusals. */
function verdictOn(plan: CallPlan, cluster: Cluster, ctx: RunCtx): Verdict {
  const refused = plan.refused(cluster.mode);
  if (refused) throw new Refusal(`Refused on cluster ${cluster.name} (${cluster.mode} mode): ${refused}`);
  const ruled = plan.ruled(cluster.mode, ctx.config.cli.ruleSet);
  if (ruled) throw new Refusal(`Refused on cluster ${cluster.name}: ${ruled}`);
  return plan.verdict(cluster.mode);
}

/** A call on its way to the binary: how to pin an argv to the cluster, and to run one. */
interface Running extends CliCall {
  pin(argv: string[], template: boolean): string[];
  exec(argv: string[], write?: { release: string }): Promise<RunResult>;
}

function callOf(
  spec: CliSpec,
  verdict: Verdict,
  req: CliRequest,
  cluster: Cluster,
  ctx: RunCtx,
  o: { bin: string; limiter: Limiter; pinned: Pinned },
): Running {
  const cli = ctx.config.cli;
  const timeoutS = Math.min(req.timeout ?? cli.timeoutSeconds, cli.maxTimeoutSeconds);
  const env = scrubbedEnv(o.pinned.dir, o.pinned.kubeconfig);
  const at = { kubeconfig: o.pinned.kubeconfig, context: o.pinned.context, namespace: cluster.namespace };
  const pin = (argv: string[], template: boolean) => pinnedArgv(spec, argv, verdict, at, template);
  const runOpts = { env, cwd: o.pinned.dir, timeoutMs: timeoutS * 1000, maxBytes: cli.maxOutputBytes };
  const exec = (argv: string[], write?: { release: string }) =>
    o.limiter.run(ctx.signal, () =>
      traced(spec.grammar.binary, verdict, cluster.name, () =>
        write === undefined
          ? runProcess(o.bin, argv, { ...runOpts, signal: ctx.signal })
          : // A helm write is asked to stop (it records the release as failed) before it is killed.
            reporting(
              runProcess(o.bin, argv, { ...runOpts, signal: ctx.signal, graceMs: 10_000 }),
              `helm ${verdict.path[0]} ${write.release}`,
              timeoutS,
              ctx.progress,
            ),
      ),
    );
  const run: Cli = async (a) => {
    const r = await exec(pin(a, false));
    if (r.timedOut)
      throw new ToolError(`${spec.grammar.binary} was stopped after ${timeoutS} s (its deadline).`);
    return { code: r.code ?? 1, stdout: r.stdout, stderr: sanitizeUntrusted(r.stderr) };
  };
  const argv = [...req.plan.argv, ...(req.trusted?.(o.pinned.dir) ?? [])];
  return { spec, verdict, argv, cluster, ctx, timeoutS, env, run, pin, exec };
}

/** One run of the binary as a span: the binary and its grammar's command path only, never arguments. */
function traced<R extends { code: number | null; timedOut: boolean }>(
  binary: string,
  verdict: Parsed,
  cluster: string,
  run: () => Promise<R>,
): Promise<R> {
  const command = verdict.path.join(" ");
  return tracer().span(
    `${binary}${command ? ` ${command}` : ""}`,
    {
      "process.executable.name": binary,
      "kube_mcp.cli.command": command || undefined,
      "k8s.cluster.name": cluster,
    },
    async (s) => {
      const r = await run();
      s.set({ "process.exit.code": r.code ?? -1 });
      if (r.code !== 0) s.fail(r.timedOut ? "timeout" : "non-zero exit");
      return r;
    },
  );
}

const NO_HEADERS = /^--no-headers(=.*)?$/;

async function runBinary(call: Running, req: CliRequest, first: Run): Promise<TextData> {
  const { spec, verdict, ctx } = call;
  const rendering: Rendering = verdict.help ? { kind: "text" } : spec.render(verdict);
  // A table is redacted by its column names (a CRD's printer column can show a credential): it is
  // asked for with its header, which is dropped again after redaction.
  const headless =
    rendering.kind === "text" && verdict.flags.some((f) => f.name === "no-headers" && f.value !== "false");
  const asJson = "argv" in first ? first.asJson : rendering.asJson;
  const argv = first.argv ?? [
    ...(rendering.asJson ?? (headless ? call.argv.filter((a) => !NO_HEADERS.test(a)) : call.argv)),
    ...(first.extra ?? []),
  ];
  const res = await call.exec(call.pin(argv, rendering.template !== undefined), first.write);
  ctx.signal.throwIfAborted();
  if (res.timedOut || res.code !== 0) throw await failure(call, res, rendering, first.write);
  const outputOpts = outputOptions(call, rendering, res);
  let text = redactOutput(sanitizeUntrusted(res.stdout), asJson ? "json" : rendering.kind, outputOpts);
  if (headless) text = text.replace(/^[^\n]*\n?/, "");
  if (asJson) text = renderStatus(verdict, JSON.parse(text));
  if (first.summary) text = `${text}\n${first.summary}`;
  if (req.filter) text = await applyFilters(text, parsePipeline(req.filter), { signal: ctx.signal });
  const binary = spec.grammar.binary;
  const notes = [
    ...(first.notes ?? []),
    ...(res.truncated
      ? [
          `${binary} printed more than ${ctx.config.cli.maxOutputBytes} bytes; the rest was dropped. Narrow the command or use filter.`,
        ]
      : []),
  ];
  // stderr is cluster text too (warnings, server messages): inside the fence, redacted.
  const stderr = sanitizeUntrusted(res.stderr).trim();
  const out = text || `(${binary} printed nothing)`;
  const err = stderr ? `\nstderr: ${cutText(redactText(stderr), 2000).text}` : "";
  return { text: `${out}${err}`, notes, untrusted: `${binary} output` };
}

function outputOptions(call: CliCall, rendering: Rendering, res: RunResult) {
  return {
    reveal: call.cluster.revealSecrets,
    ...(rendering.template === undefined ? {} : { template: rendering.template }),
    collect: call.ctx.secrets.add,
    truncated: res.truncated,
  };
}

/** The error for a run that timed out or failed; a planned helm write says what it left behind. */
async function failure(
  call: CliCall,
  res: RunResult,
  rendering: Rendering,
  write: { release: string; wait: Wait } | undefined,
): Promise<ToolError> {
  const binary = call.spec.grammar.binary;
  const stderr = sanitizeUntrusted(res.stderr).trim();
  if (res.timedOut)
    return new ToolError(
      `${binary} was stopped after ${call.timeoutS} s (its deadline).${
        write ? await failureState(call.run, write.release, "", write.wait) : ""
      }`,
      "Narrow the command, or pass a larger timeout.",
    );
  // Without an error message, what it printed is the message: redacted like any output.
  const said = stderr
    ? redactText(stderr)
    : redactFailedOutput(sanitizeUntrusted(res.stdout), rendering.kind, outputOptions(call, rendering, res));
  // A planned helm write that failed has changed something: helm's record says what it left.
  const left = write && (await failureState(call.run, write.release, stderr, write.wait));
  return new ToolError(
    `${binary} exited with code ${res.code} on cluster ${call.cluster.name}: ${cutText(said, 2000).text}${left ?? ""}`,
  );
}

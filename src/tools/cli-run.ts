// Runs one CLI command for a tool on one cluster: validate the model's argv against the binary's grammar
// for the cluster's mode, pin the real binary to that cluster, plan and guard what writes (kubectl and
// helm), redact what it prints, then apply `filter` steps. The passthrough tools and the typed helm
// tools share it.

import { cliRuleRefusal } from "../config/cli-rules.js";
import { ToolError } from "../errors.js";
import { cutText } from "../format/budget.js";
import { sanitizeUntrusted } from "../format/fence.js";
import { asksAboutOther, ReviewError, subjectCanI } from "../kube/subject-review.js";
import { tracer } from "../obs/tracing.js";
import { applyFilters } from "../passthrough/filter.js";
import { type Grammar, lastFlag, type Parsed } from "../passthrough/grammar.js";
import { renderStatus, statusAsJson } from "../passthrough/helm-status.js";
import { pinCluster } from "../passthrough/kubeconfig.js";
import { outputKind, redactFailedOutput, redactOutput, templateOf } from "../passthrough/output.js";
import { parsePipeline } from "../passthrough/pipeline.js";
import { findBinary, type Limiter, runProcess, scrubbedEnv } from "../passthrough/runner.js";
import { Refusal, validate } from "../passthrough/validate.js";
import { redactText } from "../policy/redact-text.js";
import type { Cluster } from "../targets/clusters.js";
import { type RunCtx, type TextData, writeCtx } from "./cluster-tool.js";
import { failureState, type Wait } from "./helm-release.js";
import { prepareRepositories, readsRepositories, trustedRepositories } from "./helm-repos.js";
import { isPlannedHelmWrite, planHelm, reporting } from "./helm-writes.js";
import { guardedKubectl, isPlannedWrite, type Kubectl } from "./kubectl-writes.js";

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

export interface CliRequest {
  /** The model's arguments, validated against the grammar for the cluster's mode. */
  argv: string[];
  /** Seconds the command may run (capped by cli.maxTimeoutSeconds). */
  timeout?: number;
  filter?: string;
  /** kube-mcp's own arguments, added after validation: a values file it wrote into `dir`, the call's private directory. */
  trusted?: (dir: string) => string[];
}

export async function runCli(
  g: Grammar,
  limiter: Limiter,
  req: CliRequest,
  cluster: Cluster,
  ctx: RunCtx,
): Promise<TextData> {
  let verdict: ReturnType<typeof validate>;
  try {
    verdict = validate(req.argv, g, cluster.mode);
  } catch (err) {
    if (err instanceof Refusal)
      throw new ToolError(`Refused on cluster ${cluster.name} (${cluster.mode} mode): ${err.message}`);
    throw err;
  }
  // The operator's rule file only adds refusals, after kube-mcp's own grammar has allowed the command.
  const ruled = cliRuleRefusal(ctx.config.cli.ruleSet, g.binary, req.argv, verdict.path);
  if (ruled) throw new ToolError(`Refused on cluster ${cluster.name}: ${ruled}`);
  const bin = findBinary(g.binary);
  const cli = ctx.config.cli;
  const timeoutS = Math.min(req.timeout ?? cli.timeoutSeconds, cli.maxTimeoutSeconds);
  // kubectl's -o jsonpath=/custom-columns= are rendered here, from redacted JSON.
  const template = g.binary === "kubectl" && !verdict.help ? templateOf(verdict)?.template : undefined;
  const kind = verdict.help ? "text" : outputKind(g.binary, verdict);
  // A table is redacted by its column names (a CRD's printer column can show a credential): it is
  // asked for with its header, which is dropped again after redaction.
  const headless =
    kind === "text" && verdict.flags.some((f) => f.name === "no-headers" && f.value !== "false");
  // helm's NOTES are rendered from the redacted release JSON (helm-status.ts).
  let asJson = g.binary === "helm" && !verdict.help ? statusAsJson(verdict) : undefined;
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
    const argv = [...req.argv, ...(req.trusted?.(pinned.dir) ?? [])];
    let runArgv = asJson ?? (headless ? argv.filter((a) => !/^--no-headers(=.*)?$/.test(a)) : argv);
    // kubectl's writes go plan → guard → apply (kubectl-writes.ts); what it writes itself is the answer.
    const planRun: Kubectl = async (a) => {
      const r = await limiter.run(ctx.signal, () =>
        traced(g.binary, verdict, cluster.name, () =>
          runProcess(bin, pinnedArgv(g.binary, a, verdict, false, pinned, cluster.namespace), runOpts),
        ),
      );
      if (r.timedOut) throw new ToolError(`${g.binary} was stopped after ${timeoutS} s (its deadline).`);
      return { code: r.code ?? 1, stdout: r.stdout, stderr: sanitizeUntrusted(r.stderr) };
    };
    // helm reads only the trusted repositories, written into its private home first (helm-repos.ts).
    const repos =
      g.binary === "helm" && readsRepositories(verdict)
        ? await prepareRepositories(
            verdict,
            planRun,
            runOpts.env.HELM_CONFIG_HOME as string,
            { repositories: trustedRepositories(ctx.config), registries: ctx.config.helm.registries },
            cluster,
          )
        : { notes: [], args: [] };
    runArgv = [...runArgv, ...repos.args];
    // A question about another subject is a SubjectAccessReview, never an impersonated kubectl.
    if (g.binary === "kubectl" && asksAboutOther(verdict)) {
      try {
        return {
          text: await subjectCanI(cluster.api, verdict, cluster.namespace, ctx.signal),
          untrusted: "kubectl auth can-i",
        };
      } catch (err) {
        if (err instanceof ReviewError) throw new ToolError(err.message);
        throw err;
      }
    }
    if (g.binary === "kubectl" && isPlannedWrite(verdict)) {
      const text = await guardedKubectl(argv, verdict, planRun, cluster, writeCtx(cluster, ctx));
      if (text !== undefined) return { text, untrusted: "kubectl output" };
    }
    // helm's installs and upgrades are planned and guarded first (helm-writes.ts); helm then prints
    // the release as JSON, redacted and rendered as its status text.
    if (g.binary === "helm" && isPlannedHelmWrite(verdict, ctx.config.dryRun)) {
      const w = writeCtx(cluster, ctx);
      const planned = await planHelm(argv, verdict, planRun, cluster, w, {
        repositories: trustedRepositories(ctx.config),
        registries: ctx.config.helm.registries,
        deadlineS: timeoutS,
        dryRun: ctx.config.dryRun,
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
      traced(g.binary, verdict, cluster.name, () =>
        helmWrite === undefined
          ? runProcess(bin, finalArgv, runOpts)
          : // A helm write is asked to stop (it records the release as failed) before it is killed.
            reporting(
              runProcess(bin, finalArgv, { ...runOpts, graceMs: 10_000 }),
              `helm ${verdict.path[0]} ${helmWrite.release}`,
              timeoutS,
              ctx.progress,
            ),
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
    if (req.filter) text = await applyFilters(text, parsePipeline(req.filter), { signal: ctx.signal });
    const notes = [
      ...repos.notes,
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
  } finally {
    pinned.cleanup();
  }
}

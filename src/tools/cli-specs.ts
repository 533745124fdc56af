// The passthrough tools as data: each binary's spec (src/passthrough/binaries.ts: grammar, summary,
// pin, rendering) with what makes it a tool here: its toolset, and the step that runs before the binary
// does. kubectl's and helm's writes go plan → guard → apply in that step; a question about another
// subject is a SubjectAccessReview, never an impersonated kubectl.
import { asksAboutOther, subjectCanI } from "../kube/subject-review.js";
import { BINARIES, type Binary } from "../passthrough/binaries.js";
import type { Toolset } from "../policy/toolset-catalogue.js";
import type { CliCall, First } from "./cli-run.js";
import { writeCtx } from "./cluster-tool.js";
import { prepareRepositories, readsRepositories, trustedRepositories } from "./helm-repos.js";
import { isPlannedHelmWrite, planHelm } from "./helm-writes.js";
import { guardedKubectl, isPlannedWrite } from "./kubectl-writes.js";

export interface CliSpec extends Binary {
  title: string;
  toolset: Toolset;
  /** What runs before the binary: it may answer the call itself, or change what the binary runs. */
  first?(call: CliCall): Promise<First>;
}

async function kubectlFirst(call: CliCall): Promise<First> {
  const { verdict, cluster, ctx } = call;
  if (asksAboutOther(verdict)) {
    const text = await subjectCanI(cluster.api, verdict, cluster.namespace, ctx.signal);
    return { answer: { text, untrusted: "kubectl auth can-i" } };
  }
  if (!isPlannedWrite(verdict)) return {};
  // What kube-mcp writes itself is the answer; a fixed effect, now guarded, runs as given.
  const text = await guardedKubectl(call.argv, verdict, call.run, cluster, writeCtx(cluster, ctx));
  return text === undefined ? {} : { answer: { text, untrusted: "kubectl output" } };
}

async function helmFirst(call: CliCall): Promise<First> {
  const { verdict, cluster, ctx } = call;
  const trusted = { repositories: trustedRepositories(ctx.config), registries: ctx.config.helm.registries };
  // helm reads only the trusted repositories, written into its private home first (helm-repos.ts).
  const repos = readsRepositories(verdict)
    ? await prepareRepositories(verdict, call.run, call.env.HELM_CONFIG_HOME as string, trusted, cluster)
    : { notes: [], args: [] };
  if (!isPlannedHelmWrite(verdict, ctx.config.dryRun)) return { extra: repos.args, notes: repos.notes };
  // Installs and upgrades are planned and guarded first (helm-writes.ts); helm then prints the release
  // as JSON, redacted and rendered as its status text.
  const planned = await planHelm(call.argv, verdict, call.run, cluster, writeCtx(cluster, ctx), {
    ...trusted,
    deadlineS: call.timeoutS,
    dryRun: ctx.config.dryRun,
  });
  if ("text" in planned) return { answer: { text: planned.text, untrusted: "helm plan" } };
  return {
    argv: planned.argv,
    asJson: planned.json ? planned.argv : undefined,
    summary: planned.summary,
    write: planned,
    notes: repos.notes,
  };
}

const TOOL: Record<string, Pick<CliSpec, "toolset" | "first">> = {
  kubectl: { toolset: "core", first: kubectlFirst },
  helm: { toolset: "helm", first: helmFirst },
  istioctl: { toolset: "istio" },
  argocd: { toolset: "argocd" },
};

export const CLI_SPECS: CliSpec[] = BINARIES.map((b) => ({
  ...b,
  title: b.grammar.binary,
  ...(TOOL[b.grammar.binary] as Pick<CliSpec, "toolset" | "first">),
}));

/** The spec of a binary kube-mcp runs. */
export const cliSpec = (binary: string): CliSpec => {
  const spec = CLI_SPECS.find((s) => s.grammar.binary === binary);
  if (!spec) throw new Error(`no CLI spec for ${binary}`);
  return spec;
};

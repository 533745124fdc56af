// The typed helm tools: install-or-upgrade with values as YAML or an object, rollback, uninstall. Each
// builds the helm command a person would type and runs it through the same path as the helm
// passthrough (cli-run.ts: validated for the cluster's mode, planned, guarded, redacted); what the typed
// shape adds is values written by kube-mcp to a private file, and a plan on dryRun.
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import * as z from "zod";
import type { Mode } from "../config/schema.js";
import { ToolError } from "../errors.js";
import { CallPlan } from "../passthrough/plan.js";
import type { Limiter } from "../passthrough/runner.js";
import type { Cluster } from "../targets/clusters.js";
import { type CliRequest, runCli } from "./cli-run.js";
import { cliSpec } from "./cli-specs.js";
import { type RunCtx, type TextData, textTool } from "./cluster-tool.js";
import type { AnyTool } from "./define.js";
import { namespaceParam } from "./params.js";

const release = z.string().min(1).max(53).describe("Release name");
const dryRun = z.boolean().optional().describe("Show the plan; change nothing");
const wait = z.boolean().optional().describe("Wait until ready");
const timeout = z.number().int().min(1).max(3600).optional().describe("Seconds; default 55");

const InstallInput = z.object({
  release,
  chart: z.string().min(3).max(300).describe("REPO/CHART or oci://HOST/PATH/CHART"),
  version: z.string().max(64).optional().describe("Default: latest"),
  namespace: namespaceParam.optional(),
  values: z
    .union([z.string().max(1_000_000), z.record(z.string(), z.unknown())])
    .optional()
    .describe("YAML text or object"),
  reuseValues: z.boolean().optional().describe("Keep the release's values; these go on top"),
  createNamespace: z.boolean().optional(),
  wait,
  timeout,
  dryRun,
});

type Trusted = NonNullable<CliRequest["trusted"]>;

const on = (flag: string, set: boolean | undefined) => (set ? [flag] : []);
const ns = (n: string | undefined) => (n ? ["--namespace", n] : []);

/** The helm command helm_install runs (values are added by kube-mcp, after validation). */
export function installArgv(a: z.infer<typeof InstallInput>): string[] {
  return [
    "upgrade",
    "--install",
    a.release,
    a.chart,
    ...ns(a.namespace),
    ...(a.version ? ["--version", a.version] : []),
    ...on("--reuse-values", a.reuseValues),
    ...on("--create-namespace", a.createNamespace),
    ...on("--wait", a.wait),
    ...on("--dry-run", a.dryRun),
  ];
}

/** Writes the values to a file only this call can read, and names it for helm. */
export function valuesFile(values: string | Record<string, unknown>): Trusted {
  let text = typeof values === "string" ? values : JSON.stringify(values);
  if (typeof values === "string") {
    let parsed: unknown;
    try {
      parsed = parseYaml(values);
    } catch (err) {
      throw new ToolError(
        `values is not valid YAML: ${(err as Error).message.split("\n")[0]}. Nothing was changed.`,
      );
    }
    if (parsed === null || parsed === undefined) text = "{}";
    else if (typeof parsed !== "object" || Array.isArray(parsed))
      throw new ToolError(
        "values must be a YAML mapping (key: value), not a list or a scalar. Nothing was changed.",
      );
  }
  return (dir) => {
    const path = join(dir, "values.yaml");
    writeFileSync(path, text, { mode: 0o600 });
    chmodSync(path, 0o600);
    return [`--values=${path}`];
  };
}

/** Runs a helm command built by a typed tool on the helm passthrough's path. */
type Run = (
  argv: string[],
  a: { timeout?: number | undefined },
  cluster: Cluster,
  ctx: RunCtx,
  trusted?: Trusted,
) => Promise<TextData>;

const installTool = (run: Run) =>
  textTool({
    name: "helm_install",
    title: "Install or upgrade a Helm release",
    toolset: "helm",
    description:
      "Install or upgrade a Helm release from the operator's chart repositories (REPO/CHART). Planned and guarded like every write; dryRun shows objects added, changed and removed.",
    safety: "write",
    input: InstallInput,
    run: (a, cluster, ctx) =>
      run(installArgv(a), a, cluster, ctx, a.values === undefined ? undefined : valuesFile(a.values)),
  });

const rollbackTool = (mode: Mode, run: Run) =>
  textTool({
    name: "helm_rollback",
    title: "Roll back a Helm release",
    toolset: "helm",
    description:
      "Roll a Helm release back to a revision (default: the previous one). Outside full mode only when it removes nothing; dryRun shows the plan.",
    // In full mode a rollback may delete, so it asks first there; below, the guard refuses removals.
    safety: mode === "full" ? "destructive" : "write",
    input: z.object({
      release,
      revision: z.number().int().min(1).optional(),
      namespace: namespaceParam.optional(),
      wait,
      timeout,
      dryRun,
    }),
    run: (a, cluster, ctx) =>
      run(
        [
          "rollback",
          a.release,
          ...(a.revision ? [String(a.revision)] : []),
          ...ns(a.namespace),
          ...on("--wait", a.wait),
          ...on("--dry-run", a.dryRun),
        ],
        a,
        cluster,
        ctx,
      ),
  });

const uninstallTool = (run: Run) =>
  textTool({
    name: "helm_uninstall",
    title: "Uninstall a Helm release",
    toolset: "helm",
    description: "Uninstall a Helm release, deleting its objects. dryRun lists what would be deleted.",
    safety: "destructive",
    input: z.object({
      release,
      namespace: namespaceParam.optional(),
      keepHistory: z.boolean().optional(),
      wait,
      timeout,
      dryRun,
    }),
    run: (a, cluster, ctx) =>
      run(
        [
          "uninstall",
          a.release,
          ...ns(a.namespace),
          ...on("--keep-history", a.keepHistory),
          ...on("--wait", a.wait),
          ...on("--dry-run", a.dryRun),
        ],
        a,
        cluster,
        ctx,
      ),
  });

/** The typed helm tools for a mode, sharing the passthrough's spec and process limiter. */
export function helmTools(mode: Mode, limiter: Limiter): AnyTool[] {
  const spec = cliSpec("helm");
  const run: Run = (argv, a, cluster, ctx, trusted) =>
    runCli(
      spec,
      limiter,
      {
        // Built from typed arguments, the command is still validated for the cluster's mode like the model's.
        plan: new CallPlan(spec.grammar, { args: argv }),
        ...(a.timeout ? { timeout: a.timeout } : {}),
        ...(trusted ? { trusted } : {}),
      },
      cluster,
      ctx,
    );
  return [installTool(run), rollbackTool(mode, run), uninstallTool(run)];
}

// The passthrough tools offered in a mode. Their safety class follows the mode: in read-only mode they
// only read, so their annotations say so; in full mode they may delete.
import type { Config, Mode } from "../config/schema.js";
import { ARGOCD } from "../exec/argocd.js";
import { HELM } from "../exec/helm.js";
import { ISTIOCTL } from "../exec/istioctl.js";
import { KUBECTL } from "../exec/kubectl.js";
import { Limiter } from "../exec/runner.js";
import type { AnyTool } from "./define.js";
import { type CliToolSpec, cliTool } from "./passthrough.js";

const WHAT: Record<Mode, string> = {
  "read-only": "read commands",
  "non-destructive": "read commands and non-destructive changes",
  full: "read commands and changes, including deletes",
};

export const CLI_SPECS: CliToolSpec[] = [
  {
    grammar: KUBECTL,
    title: "kubectl",
    summary: (m) =>
      `kubectl with the arguments you know (${WHAT[m]}: get, describe, logs, top, explain, events, auth can-i, rollout status…; --help on any command shows its help).`,
  },
  {
    grammar: HELM,
    title: "helm",
    summary: (m) =>
      `helm for releases in the cluster (${WHAT[m]}: list, status, history, get manifest|notes|values; install|upgrade REPO/CHART from the operator's repositories, planned and checked first; rollback, uninstall…).`,
  },
  {
    grammar: ISTIOCTL,
    title: "istioctl",
    summary: (m) =>
      `istioctl for the Istio service mesh (${WHAT[m]}: version, proxy-status, proxy-config, analyze, x describe…); reports when it is not installed.`,
  },
  {
    grammar: ARGOCD,
    title: "argocd",
    summary: (m) =>
      `argocd for GitOps applications, talking to the cluster's Argo CD (${WHAT[m]}: app list|get|history|resources, app sync…); reports when it is not installed.`,
  },
];

export function cliTools(mode: Mode, config: Readonly<Config>): AnyTool[] {
  // One limiter for every CLI tool: cli.concurrency bounds all CLI processes together.
  const limiter = new Limiter(config.cli.concurrency);
  return CLI_SPECS.map((s) => cliTool(s, mode, limiter));
}

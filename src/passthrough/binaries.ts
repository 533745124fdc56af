// The binaries the passthrough runs, each one as data: its grammar, what it is for in each mode, how it
// is pinned to the one cluster kube-mcp chose, and how its output is rendered. The passthrough tools and
// their runner (src/tools/cli-specs.ts, cli-run.ts) are built from these.
import type { Mode } from "../config/schema.js";
import { ARGOCD } from "./argocd.js";
import { type Grammar, lastFlag, type Parsed } from "./grammar.js";
import { HELM, helmAsks } from "./helm.js";
import { statusAsJson } from "./helm-status.js";
import { ISTIOCTL } from "./istioctl.js";
import { KUBECTL } from "./kubectl.js";
import { helmKind, type Kind, kubectlKind, plainKind, templateOf } from "./output.js";
import type { Verdict } from "./validate.js";

/** Where a run is pinned: a kubeconfig kube-mcp wrote, its one context, the call's namespace. */
export interface PinTo {
  kubeconfig: string;
  context: string;
  namespace: string;
}

/** How a command's output is asked for and read back. */
export interface Rendering {
  kind: Kind;
  /** kubectl's -o jsonpath=/custom-columns=, rendered by kube-mcp from redacted JSON. */
  template?: string;
  /** An argv that fetches the same thing as JSON, rendered back to the binary's text (helm's NOTES). */
  asJson?: string[];
}

export interface Binary {
  grammar: Grammar;
  /** One sentence on what the binary is for, and what this mode allows. */
  summary(mode: Mode): string;
  /** Most machines lack it: listed only while it is on PATH. */
  optional?: boolean;
  /** Whether a command asks a person first in full mode; undefined: when non-destructive mode refuses it. */
  asks?(v: Parsed): boolean | undefined;
  /** The flags that pin it to the cluster (users may not pass these): before the argv, and after it. */
  pin(at: PinTo): { before: string[]; after: string[] };
  /** How this command's output is rendered (help is always plain text). */
  render(v: Verdict): Rendering;
}

const WHAT: Record<Mode, string> = {
  "read-only": "reads",
  "non-destructive": "reads and changes, no deletes",
  full: "reads and changes",
};

const plain = (v: Verdict) => ({ kind: plainKind(v) });

export const BINARIES: Binary[] = [
  {
    grammar: KUBECTL,
    summary: (m) => `kubectl, as you know it (${WHAT[m]}; --help works).`,
    pin: (at) => ({ before: [`--kubeconfig=${at.kubeconfig}`, `--context=${at.context}`], after: [] }),
    render(v) {
      const template = templateOf(v)?.template;
      return { kind: kubectlKind(v), ...(template === undefined ? {} : { template }) };
    },
  },
  {
    grammar: HELM,
    summary: (m) =>
      `helm (${WHAT[m]}): releases, and install|upgrade REPO/CHART from the operator's repositories.`,
    asks: helmAsks,
    // helm reads its global flags from the whole argv before parsing it, and can take a shorthand
    // cluster's tail for a namespace, so its namespace is also pinned, last, to the one the call asked for.
    pin: (at) => ({
      before: [`--kubeconfig=${at.kubeconfig}`, `--kube-context=${at.context}`],
      after: [`--namespace=${at.namespace}`],
    }),
    render(v) {
      // helm's NOTES are rendered from the redacted release JSON (helm-status.ts).
      const asJson = statusAsJson(v);
      return { kind: helmKind(v), ...(asJson ? { asJson } : {}) };
    },
  },
  {
    grammar: ISTIOCTL,
    optional: true,
    summary: (m) => `istioctl for the Istio mesh (${WHAT[m]}).`,
    pin: (at) => ({ before: [`--kubeconfig=${at.kubeconfig}`, `--context=${at.context}`], after: [] }),
    render: plain,
  },
  {
    grammar: ARGOCD,
    optional: true,
    summary: (m) => `argocd for the cluster's Argo CD applications (${WHAT[m]}).`,
    // argocd --core reads the cluster through the kubeconfig in its environment (KUBECONFIG).
    pin: (at) => ({ before: ["--core", `--kube-context=${at.context}`], after: [] }),
    render: plain,
  },
];

/**
 * The argv a run passes to the binary: pinned to the cluster (before the model's arguments, and after
 * them but before any `--`; the namespace the command names wins over `at`'s), and asking for JSON when kube-mcp renders a template itself (the last
 * --output wins).
 */
export function pinnedArgv(b: Binary, argv: string[], v: Parsed, at: PinTo, template: boolean): string[] {
  const pin = b.pin({ ...at, namespace: lastFlag(v, "namespace") ?? at.namespace });
  if (template) pin.after.push("--output=json");
  const dash = argv.indexOf("--");
  const head = dash < 0 ? argv : argv.slice(0, dash);
  const tail = dash < 0 ? [] : argv.slice(dash);
  return [...pin.before, ...head, ...pin.after, ...tail];
}

// Toolsets: named groups of tools. The listing starts with the default ones (the context window pays for
// every tool listed); the model enables the others in one call (the `toolsets` tool), and the operator
// chooses with --toolsets. Here, below tools/, because selecting tools is policy: a leaf that imports nothing.

export const TOOLSETS = {
  core: "clusters, lists, objects, describe, logs, events, the kubectl passthrough",
  write: "apply, patch, scale and rollouts (planned and guarded)",
  inspect: "cluster health, top, API kinds and field docs, rollout status and history",
  workloads: "exec, debug containers, port-forward, node drain, delete",
  helm: "Helm releases and charts",
  istio: "istioctl (when installed)",
  argocd: "argocd (when installed)",
} as const;

export type Toolset = keyof typeof TOOLSETS;

export const TOOLSET_NAMES = Object.keys(TOOLSETS) as Toolset[];

/** What a server lists before the model or the operator asks for more. */
export const DEFAULT_TOOLSETS: readonly Toolset[] = ["core", "write"];

export const isToolset = (s: string): s is Toolset => Object.hasOwn(TOOLSETS, s);

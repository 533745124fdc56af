// kubectl's write commands whose effect is fixed, and whose dry run kubectl lacks or prints wrongly:
// the effect is applied here to each live object, and the guard judges the result (kubectl-writes.ts)
// before kubectl runs the command as given.
import { ToolError } from "../errors.js";
import type { KubeApi } from "../kube/api.js";
import { replicaSetsOf, revision, undoTemplate } from "../kube/rollout.js";
import { lastFlag } from "../passthrough/grammar.js";
import type { Verdict } from "../passthrough/validate.js";
import type { Obj } from "../policy/guard.js";

// kubectl scale's dry run printed the unscaled object before kubectl 1.33, so its plan is made here.
type Effect = (o: Obj, v: Verdict, api: KubeApi, signal: AbortSignal) => void | Promise<void>;

const specOf = (o: Obj): Obj => {
  o.spec ??= {};
  return o.spec;
};

// kubectl's own dry run of `rollout undo` prints the object unchanged, so the template it would restore
// is found here, from the Deployment's ReplicaSets, as kubectl does.
export const FIXED: Record<string, Effect> = {
  "rollout undo": async (o, v, api, signal) => {
    if (o.kind !== "Deployment")
      throw new ToolError(
        `kube-mcp plans rollout undo for Deployments only (${o.kind}/${o.metadata?.name} cannot be checked before it runs), so it is refused outside full mode.`,
      );
    const to = lastFlag(v, "to-revision");
    const sets = await replicaSetsOf(api, o, signal);
    const { template, revision: chosen } = undoTemplate(sets, to && to !== "0" ? Number(to) : undefined);
    // kubectl picks its own ReplicaSet for a revision; when two claim it (a revision annotation is
    // writable), the one judged here might not be the one kubectl restores.
    if (sets.filter((rs) => revision(rs) === chosen).length > 1)
      throw new ToolError(
        `Two ReplicaSets of ${o.metadata?.name} claim revision ${chosen}, so kube-mcp cannot tell which one kubectl would restore; nothing was changed. Use the rollout tool's undo, which restores the template it checked.`,
      );
    o.spec.template = template;
  },
  scale: (o, v) => {
    specOf(o).replicas = Number(lastFlag(v, "replicas"));
  },
  "rollout restart": (o) => {
    const t = specOf(o).template ?? {};
    o.spec.template = t;
    t.metadata = { ...(t.metadata ?? {}) };
    t.metadata.annotations = { ...(t.metadata.annotations ?? {}) };
    t.metadata.annotations["kubectl.kubernetes.io/restartedAt"] = new Date().toISOString();
  },
  "rollout pause": (o) => {
    specOf(o).paused = true;
  },
  "rollout resume": (o) => {
    specOf(o).paused = false;
  },
  cordon: (o) => {
    specOf(o).unschedulable = true;
  },
  uncordon: (o) => {
    if (o.spec) delete o.spec.unschedulable;
  },
};

// The write guard: the middle step of plan → guard → apply. It reads a planned change (the live object
// and the server's dry-run result) and names every rule the change touches: does it delete or stop
// something, gain privilege, reach Secrets, or move a redacted value somewhere visible? Pure: the same
// change always gets the same verdict, and docs/security.md documents each rule.
import type { Mode } from "../config/schema.js";
import { podSpecFindings } from "./pod-security.js";
import { redactObject } from "./redact.js";
import type { GuardRule } from "./rules.js";

export type { GuardRule };
/** Never opted into: a redacted value may only be shown where revealSecrets allows it. */
export type Rule = GuardRule | "secretEcho";

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are open-ended JSON.
export type Obj = Record<string, any>;

/** One object's planned change. `after` is absent for a deletion; `before` for a creation. */
export interface Change {
  before?: Obj;
  after?: Obj;
  /** The API group of the kind ("" for core). */
  group: string;
  kind: string;
  /** A subresource the write goes to (scale, status, ephemeralcontainers…). */
  subresource?: string;
}

export interface Finding {
  rule: Rule;
  /** What the change does, as a clause: "grants RBAC permissions (ClusterRoleBinding)". */
  what: string;
}

export interface GuardPolicy {
  cluster: string;
  mode: Mode;
  allow: ReadonlySet<GuardRule>;
  revealSecrets: boolean;
}

const SYSTEM_NAMESPACES = new Set(["kube-system", "kube-public", "kube-node-lease"]);

/** Groups whose objects change how the cluster itself behaves (admission, APIs, scheduling, storage). */
const CLUSTER_CONFIG_GROUPS = new Set([
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "apiregistration.k8s.io",
  "flowcontrol.apiserver.k8s.io",
  "scheduling.k8s.io",
  "node.k8s.io",
  "storage.k8s.io",
  "resource.k8s.io",
  "internal.apiserver.k8s.io",
  "certificates.k8s.io",
]);
const RBAC_GROUP = "rbac.authorization.k8s.io";
/** Cluster-scoped kinds judged by their own rules (PersistentVolume by clusterConfig below). */
const KNOWN_CLUSTER_SCOPED = new Set(["/Namespace", "/Node", "/PersistentVolume"]);
/** Groups of the built-in kinds; any other group is a custom resource, whose fields the guard does not know. */
const BUILT_IN = (group: string) => !group.includes(".") || group.endsWith(".k8s.io");
const TOKEN_TYPES = new Set(["kubernetes.io/service-account-token", "bootstrap.kubernetes.io/token"]);

const label = (c: Change) => {
  const o = c.after ?? c.before;
  const ns = o?.metadata?.namespace;
  return `${c.kind}${o?.metadata?.name ? `/${o.metadata.name}` : ""}${ns ? ` in ${ns}` : ""}`;
};

/** Every rule a planned change touches, with what it does. Empty: an ordinary change. */
export function classify(c: Change): Finding[] {
  const out: Finding[] = [];
  const add = (rule: Rule, what: string) => out.push({ rule, what });
  const { before, after } = c;
  const obj = after ?? before;
  const ns = obj?.metadata?.namespace ?? (c.kind === "Namespace" ? obj?.metadata?.name : undefined);
  if (ns && SYSTEM_NAMESPACES.has(ns)) add("systemNamespaces", `writes to the system namespace ${ns}`);

  if (!after) add("deletes", "deletes it");
  else deletions(c, add);

  if (c.group === RBAC_GROUP) add("rbac", `changes RBAC permissions (${c.kind})`);
  if (c.group === "authentication.k8s.io" || c.subresource === "token")
    add("rbac", "mints a token for a ServiceAccount");
  if (c.group === "" && c.kind === "Secret") {
    const type = after?.type ?? before?.type;
    if (TOKEN_TYPES.has(type)) add("rbac", `creates or changes a token Secret (${type})`);
    add("secrets", "writes a Secret");
  }
  if (CLUSTER_CONFIG_GROUPS.has(c.group)) add("clusterConfig", `changes cluster configuration (${c.kind})`);
  if (c.group === "" && c.kind === "PersistentVolume")
    add("clusterConfig", "changes a PersistentVolume (cluster-wide storage, possibly on the node's disk)");
  if (c.group === "" && c.kind === "Node" && nodeChanged(before, after))
    add("clusterConfig", "changes a Node beyond cordoning it");
  if (c.group === "" && c.kind === "Namespace") podSecurityLabels(before, after, add);
  if (after && !obj?.metadata?.namespace && !KNOWN_CLUSTER_SCOPED.has(`${c.group}/${c.kind}`))
    if (c.group !== RBAC_GROUP && !CLUSTER_CONFIG_GROUPS.has(c.group))
      add("clusterConfig", `changes a cluster-wide object (${c.kind}), which applies to every namespace`);
  for (const pv of boundByName(before, after))
    add("clusterConfig", `binds the PersistentVolume ${pv} by name (a volume may be a path on a node)`);
  if (c.group === "" && c.kind === "Service") {
    const had = new Set<string>(before?.spec?.externalIPs ?? []);
    if ((after?.spec?.externalIPs ?? []).some((ip: string) => !had.has(ip)))
      add(
        "clusterConfig",
        "claims external IPs, which captures the cluster's traffic to them (CVE-2020-8554)",
      );
  }
  // Controllers act on status (a pod marked Failed is replaced, a node marked NotReady is drained),
  // and what a status write says was never checked by anyone.
  if (c.subresource === "status") add("deletes", "writes its status, which its controllers act on");
  if (c.subresource === "ephemeralcontainers" || newEphemeralContainers(before, after))
    add("exec", "adds an ephemeral container to a running pod (it runs a command there, as pods_exec does)");

  // Pod specs anywhere in the object: count only what the change adds, so a restart or a label on an
  // existing workload is never refused for what it already was.
  if (after) {
    const had = new Set(before ? podSpecFindings(before).map((f) => `${f.rule}:${f.what}`) : []);
    for (const f of podSpecFindings(after)) if (!had.has(`${f.rule}:${f.what}`)) add(f.rule, f.what);
  }
  const echo = echoedValue(before, after);
  if (echo) add("secretEcho", echo);
  return dedupe(out);
}

function dedupe(fs: Finding[]): Finding[] {
  const seen = new Set<string>();
  return fs.filter((f) => {
    const key = `${f.rule}:${f.what}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

type Add = (rule: Rule, what: string) => void;

function deletions(c: Change, add: Add): void {
  const before = c.before;
  const after = c.after as Obj;
  if (after.metadata?.deletionTimestamp && !before?.metadata?.deletionTimestamp) add("deletes", "deletes it");
  // The garbage collector finds an owner by apiVersion, kind, name and uid: changing any of them on
  // an existing reference points it at an owner that does not exist.
  const ref = (o: Obj) => JSON.stringify([o?.apiVersion, o?.kind, o?.name, o?.uid]);
  const owners = new Set((before?.metadata?.ownerReferences ?? []).map(ref));
  if ((after.metadata?.ownerReferences ?? []).some((o: Obj) => !owners.has(ref(o))))
    add(
      "deletes",
      "adds an owner reference, which lets the garbage collector delete it (at once if the owner does not exist)",
    );
  const kept = new Set<string>([...(after.metadata?.finalizers ?? []), ...(after.spec?.finalizers ?? [])]);
  const dropped = [...(before?.metadata?.finalizers ?? []), ...(before?.spec?.finalizers ?? [])].filter(
    (f: string) => !kept.has(f),
  );
  if (dropped.length)
    add("deletes", `removes finalizers (${dropped.join(", ")}), which can complete a deletion`);
  // Existing claims that match the StatefulSet's names are adopted, so even a new one can delete data.
  const pvcPolicy = (o: Obj | undefined) => o?.spec?.persistentVolumeClaimRetentionPolicy ?? {};
  for (const when of ["whenScaled", "whenDeleted"])
    if (pvcPolicy(after)[when] === "Delete" && pvcPolicy(before)[when] !== "Delete")
      add(
        "deletes",
        `sets persistentVolumeClaimRetentionPolicy.${when}: Delete, which deletes its volumes' claims`,
      );
  // An autoscaler allowed to reach zero (HPAScaleToZero) stops its target when its metric says so.
  if (
    c.kind === "HorizontalPodAutoscaler" &&
    after.spec?.minReplicas === 0 &&
    before?.spec?.minReplicas !== 0
  )
    add("deletes", "lets the autoscaler scale its target to zero (minReplicas: 0)");
  if (!before) return; // creating something stops nothing
  const num = (v: unknown) => (typeof v === "number" ? v : undefined);
  const was = num(before.spec?.replicas) ?? 1;
  // A Scale (autoscaling/v1) omits replicas when it is zero.
  const now = num(after.spec?.replicas) ?? (after.kind === "Scale" ? 0 : undefined);
  if (now === 0 && was > 0) add("deletes", "scales it to zero replicas");
  if (num(after.spec?.parallelism) === 0 && (num(before.spec?.parallelism) ?? 1) > 0)
    add("deletes", "sets parallelism to zero, which stops its pods");
  if (after.spec?.suspend === true && before.spec?.suspend !== true)
    add("deletes", "suspends it, which stops its pods or its schedule");
  for (const field of ["activeDeadlineSeconds", "ttlSecondsAfterFinished"]) {
    const now = num(after.spec?.[field]);
    const then = num(before.spec?.[field]);
    if (now !== undefined && (then === undefined || now < then))
      add("deletes", `sets or lowers spec.${field}, after which its pods are stopped or it is deleted`);
  }
  // Controllers delete what falls outside a history limit (old Jobs, ReplicaSets, revisions).
  for (const [field, dflt] of [
    ["successfulJobsHistoryLimit", 3],
    ["failedJobsHistoryLimit", 1],
    ["revisionHistoryLimit", 10],
  ] as const) {
    const now = num(after.spec?.[field]);
    if (now !== undefined && now < (num(before.spec?.[field]) ?? dflt))
      add("deletes", `lowers spec.${field}, after which its controller deletes older history`);
  }
  // A custom resource's scale can sit anywhere in its spec (size, instances, workers…): a number
  // that drops to zero on a kind the guard does not know is taken as a stop.
  if (!BUILT_IN(c.group)) {
    const zeroed = zeroedNumber(before.spec, after.spec, "spec");
    if (zeroed) add("deletes", `sets ${zeroed} to zero, which can stop a custom resource's workload`);
  }
  const evicting = (o: Obj | undefined) =>
    new Set(
      (o?.spec?.taints ?? [])
        .filter((t: Obj) => t?.effect === "NoExecute")
        .map((t: Obj) => `${t.key}=${t.value ?? ""}`),
    );
  const had = evicting(before);
  if ([...evicting(after)].some((t) => !had.has(t)))
    add("deletes", "adds a NoExecute taint, which evicts the node's pods");
  // Controllers own pods by label: a relabelled pod can be adopted by a ReplicaSet, Job or
  // StatefulSet that then deletes a pod to keep its count.
  if (c.group === "" && c.kind === "Pod" && labels(before) !== labels(after))
    add("deletes", "changes a pod's labels, which can make a controller adopt it and delete a pod");
  // Pods are named by ordinal: moving the start replaces every pod, and each one's claim with it.
  if (c.kind === "StatefulSet" && (before.spec?.ordinals?.start ?? 0) !== (after.spec?.ordinals?.start ?? 0))
    add("deletes", "moves its ordinals, which deletes every pod for one with a new name and claim");
  if (tracking(before) !== tracking(after))
    add("deletes", "marks it as part of an Argo CD application, which prunes what its source lacks");
  if (c.kind === "DaemonSet" && nodeSelection(before) !== nodeSelection(after))
    add("deletes", "changes which nodes run it, which can remove its pods from nodes");
}

/** The first number in `after` that is zero where `before` held a positive number (bounded walk). */
function zeroedNumber(before: unknown, after: unknown, path: string, depth = 0): string | undefined {
  if (depth > 16 || typeof after !== "object" || after === null) return undefined;
  if (typeof before !== "object" || before === null) return undefined;
  for (const [k, v] of Object.entries(after)) {
    const was = (before as Obj)[k];
    if (v === 0 && typeof was === "number" && was > 0) return `${path}.${k}`;
    const deeper = zeroedNumber(was, v, `${path}.${k}`, depth + 1);
    if (deeper) return deeper;
  }
  return undefined;
}

/**
 * PersistentVolumes a change newly names: a claim's volumeName, wherever a claim or claim template sits
 * (StatefulSet volumeClaimTemplates, a pod's ephemeral volumes). Bounded walk.
 */
function boundByName(before: Obj | undefined, after: Obj | undefined): string[] {
  const names = (o: unknown) => {
    const out = new Set<string>();
    let budget = 20_000;
    const walk = (v: unknown, depth: number) => {
      if (--budget < 0 || depth > 32 || typeof v !== "object" || v === null) return;
      for (const [k, x] of Object.entries(v)) {
        if (k === "volumeName" && typeof x === "string" && x !== "") out.add(x);
        else walk(x, depth + 1);
      }
    };
    walk(o, 0);
    return out;
  };
  const had = names(before?.spec);
  return [...names(after?.spec)].filter((n) => !had.has(n));
}

const labels = (o: Obj) => JSON.stringify(Object.entries(o.metadata?.labels ?? {}).sort());

// Argo CD owns what carries its tracking annotation or label, and prunes it when its source lacks it.
const TRACKING = ["argocd.argoproj.io/tracking-id", "argocd.argoproj.io/instance"];
const tracking = (o: Obj) =>
  JSON.stringify(TRACKING.map((k) => [o.metadata?.annotations?.[k], o.metadata?.labels?.[k]]));

// A DaemonSet's pods leave every node they no longer select or tolerate.
const nodeSelection = (o: Obj | undefined) => {
  const spec = o?.spec?.template?.spec ?? {};
  return JSON.stringify([
    spec.nodeSelector ?? null,
    spec.affinity?.nodeAffinity ?? null,
    spec.tolerations ?? null,
    spec.nodeName ?? null,
  ]);
};

/** Cordoning (spec.unschedulable) is the only Node change non-destructive mode makes. */
function nodeChanged(before: Obj | undefined, after: Obj | undefined): boolean {
  if (!before || !after) return true;
  const strip = (o: Obj) => {
    const { unschedulable: _u, ...spec } = o.spec ?? {};
    const { resourceVersion: _rv, managedFields: _mf, generation: _g, ...meta } = o.metadata ?? {};
    return JSON.stringify({ spec, meta });
  };
  return strip(before) !== strip(after);
}

function podSecurityLabels(before: Obj | undefined, after: Obj | undefined, add: Add): void {
  const psa = (o: Obj | undefined) =>
    JSON.stringify(
      Object.entries(o?.metadata?.labels ?? {})
        .filter(([k]) => k.startsWith("pod-security.kubernetes.io/"))
        .sort(),
    );
  if (after && psa(before) !== psa(after))
    add("podSecurity", "changes the namespace's Pod Security admission labels");
}

function newEphemeralContainers(before: Obj | undefined, after: Obj | undefined): boolean {
  const names = (o: Obj | undefined) =>
    new Set((o?.spec?.ephemeralContainers ?? []).map((c: Obj) => c?.name as string));
  const had = names(before);
  return [...names(after)].some((n) => !had.has(n));
}

/**
 * A value that redaction removes from the live or planned object, found again where redaction leaves
 * it visible (a JSON patch copied a password into an annotation): what the planned object would show.
 */
function echoedValue(before: Obj | undefined, after: Obj | undefined): string | undefined {
  try {
    return echoed(before, after);
  } catch (err) {
    if (err instanceof TooLarge) return "changes more than kube-mcp can check for copied secret values";
    throw err;
  }
}

function echoed(before: Obj | undefined, after: Obj | undefined): string | undefined {
  if (!after) return undefined;
  const hidden = new Set<string>();
  const collect = (v: string) => {
    if (v.length >= 4) hidden.add(v);
  };
  const was = before ? leaves(redactObject(before, { collect })) : new Map<string, string>();
  // Only what the change makes visible can show a value: a leaf that was already shown there says
  // nothing new. This keeps the search small when the object is large.
  const shown = JSON.stringify(
    [...leaves(redactObject(after, { collect }))]
      .filter(([path, v]) => was.get(path) !== v)
      .map(([, v]) => v),
  );
  let work = 0;
  for (const v of hidden) {
    const forms = [v, Buffer.from(v).toString("base64")];
    const decoded = Buffer.from(v, "base64").toString("utf8");
    if (decoded.length >= 4 && Buffer.from(decoded).toString("base64") === v) forms.push(decoded);
    work += shown.length * forms.length;
    if (work > 500_000_000) return "changes more than kube-mcp can check for copied secret values";
    if (forms.some((f) => shown.includes(JSON.stringify(f).slice(1, -1))))
      return "puts a redacted (secret) value where it would be shown";
  }
  return undefined;
}

class TooLarge extends Error {}

/** Every string in an object by its path (keys too, as a leaf of their own). Bounded: TooLarge past it. */
function leaves(o: unknown): Map<string, string> {
  const out = new Map<string, string>();
  let budget = 200_000;
  const walk = (v: unknown, path: string, depth: number) => {
    if (--budget < 0 || depth > 64) throw new TooLarge();
    if (typeof v === "string") out.set(path, v);
    else if (typeof v === "object" && v !== null)
      for (const [k, x] of Object.entries(v)) {
        const p = `${path}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`;
        out.set(`${p}#key`, k);
        walk(x, p, depth + 1);
      }
  };
  walk(o, "", 0);
  return out;
}

/** Whether the policy lets this rule through. */
function permitted(rule: Rule, p: GuardPolicy): boolean {
  if (rule === "secretEcho") return p.revealSecrets;
  if (p.mode === "full") return true;
  if (p.mode === "read-only") return false;
  return p.allow.has(rule);
}

const HOW: Record<Rule, string> = {
  deletes: "full mode",
  rbac: "full mode",
  clusterConfig: "full mode",
  podSecurity: "full mode",
  secretRefs: "full mode",
  serviceAccounts: "full mode",
  secrets: "full mode",
  systemNamespaces: "full mode",
  exec: "full mode",
  secretEcho: "revealSecrets for this cluster (clusters.<name>.revealSecrets)",
};

/**
 * The refusal for a set of planned changes, or undefined when the policy allows all of them. One
 * refusal refuses the whole set: nothing of a multi-object write is applied.
 */
export function guard(changes: Change[], p: GuardPolicy): string | undefined {
  if (p.mode === "read-only")
    return `Refused on cluster ${p.cluster}: it runs in read-only mode, which changes nothing. Ask the operator for non-destructive or full mode.`;
  const refused = changes.flatMap((c) =>
    classify(c)
      .filter((f) => !permitted(f.rule, p))
      .map((f) => ({ c, f })),
  );
  if (!refused.length) return undefined;
  const lines = refused.map(({ c, f }) => `- ${label(c)}: ${f.what} (rule ${f.rule})`);
  const rules = [...new Set(refused.map(({ f }) => f.rule))];
  const opt = rules.filter((r): r is GuardRule => r !== "secretEcho");
  const allowWays = [
    ...(opt.length
      ? [`${HOW.deletes}, or on this cluster only clusters.${p.cluster}.allow: [${opt.join(", ")}]`]
      : []),
    ...(rules.includes("secretEcho") ? [HOW.secretEcho] : []),
  ];
  return [
    `Refused on cluster ${p.cluster} (${p.mode} mode); nothing was changed:`,
    ...lines,
    `What would allow it: ${allowWays.join("; ")} — set by the operator, not by a tool call.`,
  ].join("\n");
}

export { jsonPatchReadsSecret } from "./json-patch.js";

// The write guard: the middle step of plan → guard → apply. It reads a planned change (the live object
// and the server's dry-run result) and names every rule the change touches: does it delete or stop
// something, gain privilege, reach Secrets, or move a redacted value somewhere visible? Pure: the same
// change always gets the same verdict, and docs/security.md documents each rule.
import type { Mode } from "../config/schema.js";
import { podSpecFindings } from "./pod-security.js";
import { redactObject } from "./redact.js";
import type { GuardRule } from "./rules.js";
import { deletions } from "./stops.js";

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
  const bound = boundByName(before, after);
  for (const pv of bound.names)
    add("clusterConfig", `binds the PersistentVolume ${pv} by name (a volume may be a path on a node)`);
  if (bound.cut)
    add(
      "clusterConfig",
      "is too large or too deeply nested for kube-mcp to check which PersistentVolumes it binds",
    );
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

/**
 * PersistentVolumes a change newly names: a claim's volumeName, wherever a claim or claim template sits
 * (StatefulSet volumeClaimTemplates, a pod's ephemeral volumes). Bounded walk.
 */
function boundByName(before: Obj | undefined, after: Obj | undefined): { names: string[]; cut: boolean } {
  const names = (o: unknown) => {
    const out = new Set<string>();
    let budget = 20_000;
    let cut = false;
    const walk = (v: unknown, depth: number) => {
      if (typeof v !== "object" || v === null) return;
      if (--budget < 0 || depth > 32) {
        cut = true;
        return;
      }
      for (const [k, x] of Object.entries(v)) {
        if (k === "volumeName" && typeof x === "string" && x !== "") out.add(x);
        else walk(x, depth + 1);
      }
    };
    walk(o, 0);
    return { out, cut };
  };
  const had = names(before?.spec);
  const now = names(after?.spec);
  // A name past the walk's bounds is never seen: fail closed, unless the live object was as large.
  return { names: [...now.out].filter((n) => !had.out.has(n)), cut: now.cut && !had.cut };
}

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

// kubectl's write commands through plan → guard → apply, like the typed write tools. The plan comes
// from kubectl itself (`--dry-run=server -o json`: kubectl computes the change, the server validates
// it; for the imperative verbs that create objects — create, run, expose, autoscale — the objects it
// would create), or, for commands whose effect is fixed and whose dry run kubectl lacks or prints wrongly (scale,
// rollout restart, pause, resume and undo; cordon, uncordon), from the live objects with that effect
// applied (kubectl-effects.ts). The guard judges every
// planned object against its live self; a planned change is then written by kube-mcp exactly as
// planned (an update conditional on the planned resourceVersion), and a fixed effect by kubectl.
import { parse as parseYaml } from "yaml";
import { ToolError } from "../errors.js";
import { lineDiff } from "../format/diff.js";
import { planView } from "../kube/apply.js";
import { lookupKind } from "../kube/lookup.js";
import { enforce, refuseSecretReads, replanned, type WriteCtx } from "../kube/plan.js";
import { resourceLabel, resourcePath } from "../kube/resolve.js";
import { lastFlag } from "../passthrough/grammar.js";
import type { Verdict } from "../passthrough/validate.js";
import type { Obj } from "../policy/guard.js";
import { redactObject } from "../policy/redact.js";
import type { Cluster } from "../targets/clusters.js";
import { cliJson, jsonDocuments, type Cli as Kubectl } from "./cli-json.js";
import { FIXED } from "./kubectl-effects.js";

const PAST: Record<string, string> = {
  label: "labeled",
  annotate: "annotated",
  patch: "patched",
  "set image": "image updated",
  "set env": "environment updated",
  "set resources": "resources updated",
};

/** Commands that create objects: kubectl's dry run names them; kube-mcp creates what it planned. */
const CREATES = new Set(["create", "run", "expose", "autoscale"]);

/** The command's name as the tables above key it ("rollout restart", "scale"). */
const commandOf = (v: Verdict) =>
  (v.path[0] === "rollout" || v.path[0] === "set" ? v.path.slice(0, 2) : v.path.slice(0, 1)).join(" ");

/** Whether kube-mcp plans this kubectl command (a write it can guard) before it runs. */
export const isPlannedWrite = (v: Verdict) => {
  const c = commandOf(v);
  return !v.help && (c in PAST || c in FIXED || CREATES.has(c));
};

/** A `kubectl get` of the objects the command acts on, with the command's own selection flags. */
function getArgv(v: Verdict): string[] {
  const c = commandOf(v);
  // label and annotate take key=value and key- after the resources; cordon takes bare node names.
  const resources = v.positionals.filter((p) => !/=|-$/.test(p));
  const what = c === "cordon" || c === "uncordon" ? ["nodes", ...resources] : resources;
  // A patch of a subresource is judged against the same subresource (a Scale against the live Scale).
  const flags = v.flags
    .filter((f) =>
      ["namespace", "selector", "field-selector", "all-namespaces", "subresource"].includes(f.name),
    )
    .map((f) => `--${f.name}=${f.value}`);
  return ["get", ...what, ...flags, "-o", "json"];
}

const key = (o: Obj) => `${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;

const kubectlJson = (kubectl: Kubectl, argv: string[], what: string): Promise<Obj[]> =>
  cliJson(kubectl, argv, {
    what: `kubectl ${what}`,
    parse: jsonDocuments,
    failed(res) {
      throw new ToolError(`kubectl ${what} failed: ${res.stderr.trim() || res.stdout.trim()}`);
    },
  });

/**
 * Plans, guards and (unless the command asked for a dry run) applies a kubectl write. Returns the
 * answer text when kube-mcp wrote the plan itself, or undefined when the command, now guarded, should
 * run as given (a fixed effect).
 */
export async function guardedKubectl(
  argv: string[],
  v: Verdict,
  kubectl: Kubectl,
  cluster: Cluster,
  w: WriteCtx,
): Promise<string | undefined> {
  const command = commandOf(v);
  return replanned("The objects", () => planGuardWrite(argv, v, command, kubectl, cluster, w), w);
}

async function planGuardWrite(
  argv: string[],
  v: Verdict,
  command: string,
  kubectl: Kubectl,
  cluster: Cluster,
  w: WriteCtx,
): Promise<string | undefined> {
  if (CREATES.has(command)) return planGuardCreate(argv, v, command, kubectl, cluster, w);
  const live = await kubectlJson(kubectl, getArgv(v), "get (reading the objects to plan)");
  for (const o of live) redactObject(o, { collect: w.secrets.add });
  const byKey = new Map(live.map((o) => [key(o), o]));
  const effect = FIXED[command];
  if (effect) {
    const changes = await Promise.all(
      live.map(async (before) => {
        const after = structuredClone(before);
        await effect(after, v, cluster.api, w.signal);
        return change(before, after);
      }),
    );
    enforce(changes, w);
    return undefined;
  }
  // kubectl reads --type in any case and -p as YAML or JSON; the ops are judged as kubectl reads them.
  const type = (lastFlag(v, "type") ?? "strategic").toLowerCase();
  if (command === "patch" && type === "json") {
    const ops = parseOps(lastFlag(v, "patch"));
    for (const before of live) refuseSecretReads(ops, before, w);
  }
  const planned = await kubectlJson(kubectl, planArgv(argv), `${command} --dry-run=server (the plan)`);
  const sub = lastFlag(v, "subresource");
  // Every planned object must be judged against its live self: one kube-mcp did not read is refused,
  // never taken for a creation (a patch creates nothing).
  const changes = planned.map((p) => {
    const before = byKey.get(key(p));
    if (!before)
      throw new ToolError(
        `kubectl's plan names ${key(p)}, which kube-mcp did not read before it; nothing was changed.`,
      );
    return { ...change(before, p), ...(sub ? { subresource: sub } : {}) };
  });
  enforce(changes, w);
  const dry = lastFlag(v, "dry-run");
  if (dry === "server" || dry === "client") return describePlan(changes, w, "would change (dry run)");
  // A conflict (an object changed since its plan) is planned again by replanned().
  return write(changes, v, PAST[command] ?? "changed", cluster, w);
}

/**
 * The command as its server-side dry run, printing JSON. The flags go before a `--`: after it they
 * would be the container's arguments, and the command would run for real.
 */
function planArgv(argv: string[]): string[] {
  const end = argv.indexOf("--");
  const plan = ["--dry-run=server", "--output=json"];
  return end < 0 ? [...argv, ...plan] : [...argv.slice(0, end), ...plan, ...argv.slice(end)];
}

/**
 * What the server allocates when it creates an object, which a dry run fills in with a value that is
 * not reserved: left out of the object kube-mcp creates unless the command asked for it.
 */
function withoutAllocated(o: Obj, v: Verdict): Obj {
  if (o.kind !== "Service" || !o.spec) return o;
  const spec = { ...o.spec };
  const askedIp = lastFlag(v, "clusterip") ?? lastFlag(v, "cluster-ip");
  if (!askedIp && spec.clusterIP !== "None") {
    delete spec.clusterIP;
    delete spec.clusterIPs;
  }
  if (!lastFlag(v, "node-port") && Array.isArray(spec.ports))
    spec.ports = spec.ports.map(({ nodePort: _n, ...p }: Obj) => p);
  delete spec.healthCheckNodePort;
  return { ...o, spec };
}

/** create, run, expose, autoscale: every object kubectl would create is judged as a creation. */
async function planGuardCreate(
  argv: string[],
  v: Verdict,
  command: string,
  kubectl: Kubectl,
  cluster: Cluster,
  w: WriteCtx,
): Promise<string> {
  const planned = await kubectlJson(kubectl, planArgv(argv), `${command} --dry-run=server (the plan)`);
  if (!planned.length) throw new ToolError(`kubectl ${command} planned no object; nothing was changed.`);
  const changes = planned.map((p) => change(undefined, p));
  enforce(changes, w);
  const dry = lastFlag(v, "dry-run");
  if (dry === "server" || dry === "client") return describePlan(changes, w, "would be created (dry run)");
  const lines: string[] = [];
  for (const c of changes) {
    // What the server fills in is left out: the object is created as planned, by kube-mcp.
    const {
      uid: _u,
      resourceVersion: _r,
      creationTimestamp: _c,
      managedFields: _m,
      generation: _g,
      ...metadata
    } = c.after.metadata ?? {};
    const { status: _s, ...body } = withoutAllocated(c.after, v);
    const r = await lookupKind(cluster.api, c.kind, w.signal, "create", c.after.apiVersion);
    try {
      await cluster.api.json({
        method: "POST",
        path: resourcePath(r, metadata.namespace),
        headers: { "content-type": "application/json" },
        query: { fieldManager: "kube-mcp" },
        body: JSON.stringify({ ...body, metadata }),
        signal: w.signal,
      });
    } catch (err) {
      // Objects created before this one stay (as kubectl leaves them); the answer says which.
      if (lines.length)
        throw new ToolError(
          `${lines.join("\n")}\n${resourceLabel(r)}/${metadata.name} was not created: ${(err as Error).message}`,
        );
      throw err;
    }
    lines.push(`${resourceLabel(r)}/${metadata.name} created`);
  }
  return lines.join("\n");
}

function parseOps(patch: string | undefined): unknown {
  try {
    return parseYaml(patch ?? "[]");
  } catch {
    throw new ToolError("The JSON patch is neither JSON nor YAML; nothing was changed.");
  }
}

interface Planned {
  before?: Obj;
  after: Obj;
  group: string;
  kind: string;
  subresource?: string;
}

function change(before: Obj | undefined, after: Obj): Planned {
  const apiVersion = String(after.apiVersion ?? "");
  return {
    ...(before ? { before } : {}),
    after,
    group: apiVersion.includes("/") ? (apiVersion.split("/")[0] as string) : "",
    kind: String(after.kind ?? ""),
  };
}

function describePlan(changes: Planned[], w: WriteCtx, verb: string): string {
  return changes
    .map((c) => {
      const diff = lineDiff(planView(c.before, w.secrets.add), planView(c.after, w.secrets.add));
      return [
        `${c.kind}/${c.after.metadata?.name}: ${diff ? verb : "no change (dry run)"}`,
        ...(diff ? [diff] : []),
      ].join("\n");
    })
    .join("\n");
}

/** Writes each planned object as planned: an update conditional on its planned resourceVersion. */
async function write(
  changes: Planned[],
  v: Verdict,
  past: string,
  cluster: Cluster,
  w: WriteCtx,
): Promise<string> {
  const subresource = lastFlag(v, "subresource");
  // A Scale names no resource of its own: it is written to the scale of the resource the command named.
  const first = v.positionals[0] ?? "";
  const parent = subresource === "scale" ? first.split("/")[0] : undefined;
  const lines: string[] = [];
  for (const c of changes) {
    const { managedFields: _mf, ...metadata } = c.after.metadata ?? {};
    const r = parent
      ? await lookupKind(cluster.api, parent, w.signal, "update")
      : await lookupKind(cluster.api, c.kind, w.signal, "update", c.after.apiVersion);
    const path = resourcePath(r, metadata.namespace, metadata.name, subresource);
    const same = planView(c.before) === planView(c.after);
    if (!same)
      await cluster.api.json({
        method: "PUT",
        path,
        headers: { "content-type": "application/json" },
        query: { fieldManager: "kube-mcp" },
        body: JSON.stringify({ ...c.after, metadata }),
        signal: w.signal,
      });
    lines.push(`${resourceLabel(r)}/${metadata.name} ${same ? "unchanged" : past}`);
  }
  return lines.join("\n");
}

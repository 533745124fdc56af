// Output redaction (security notes §4, R1–R3 and R6). Structure first: base64 hides secrets from any
// regex, so Secrets, env values and ConfigMaps are masked on the parsed object. Text second: whatever
// reaches the model (rendered YAML, logs, events, stderr) also goes through redactText as a backstop.
// Everything here is pure. The name vocabulary is in vocabulary.ts, the text backstop in redact-text.ts,
// Helm's release shapes in redact-helm.ts.
//
// Shapes are found by one walk over the whole object, not at fixed paths: a container list or a Helm
// release record is redacted wherever it sits (workloads, PodTemplates, ControllerRevision history,
// custom resources, Lists, Table rows). The walk visits each node once and is bounded in depth and
// size; what lies beyond the bounds is withheld, never passed through.

import { isRelease, redactRelease, takeStoredRelease } from "./redact-helm.js";
import {
  base64Size,
  isObj,
  MASKED,
  MAX_DEPTH,
  maskByName,
  maskValue,
  type Obj,
  REDACTED,
  type RedactOptions,
  step,
  TOO_DEEP,
  utf8Size,
  type Walk,
} from "./redact-mask.js";
import { redactText } from "./redact-text.js";
import { isCredentialFlag, isCredentialName } from "./vocabulary.js";

export type { RedactOptions } from "./redact-mask.js";

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
/** Secret types that are never shown, even when a configuration allows reading Secret values. */
const ALWAYS_REDACTED = new Set([
  "kubernetes.io/service-account-token",
  "bootstrap.kubernetes.io/token",
  "kubernetes.io/dockerconfigjson",
  "kubernetes.io/dockercfg",
  "kubernetes.io/tls",
  "kubernetes.io/basic-auth",
  "kubernetes.io/ssh-auth",
  "helm.sh/release.v1",
]);
/** Fields of a pod spec whose items are containers, whatever else they hold. */
const CONTAINER_LISTS = new Set(["containers", "initContainers", "ephemeralContainers"]);

/**
 * A deep copy of a Kubernetes object, list or Table with credentials masked (R1, R2). The input is
 * never modified. Keys stay visible because they are what the model needs for debugging.
 */
export function redactObject(obj: unknown, opts: RedactOptions = {}): unknown {
  return visit(copy(obj, 0), undefined, { opts, nodes: 0 }, 0);
}

/** structuredClone without its unbounded recursion: a hostile depth is cut, not a stack overflow. */
function copy(v: unknown, depth: number): unknown {
  if (typeof v !== "object" || v === null) return v;
  if (depth > MAX_DEPTH) return TOO_DEEP;
  if (Array.isArray(v)) return v.map((x) => copy(x, depth + 1));
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) out[k] = copy(x, depth + 1);
  return out;
}

function visit(node: unknown, impliedKind: string | undefined, w: Walk, depth: number): unknown {
  if (typeof node !== "object" || node === null) return node;
  if (!step(w, depth)) return TOO_DEEP;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) node[i] = visit(node[i], impliedKind, w, depth + 1);
    return node;
  }
  const o = node as Obj;
  // Items of a typed list (SecretList, PodList…) come from the API server without their own kind.
  const kind = typeof o.kind === "string" ? o.kind : impliedKind;
  scrubMetadata(o.metadata);
  const inner = (doc: unknown, ww: Walk) => visit(doc, undefined, ww, depth + 1);
  const release = takeStoredRelease(o, w, inner);
  if (kind === "Secret" || (kind === undefined && looksLikeSecret(o, depth))) redactSecret(o, w.opts);
  if (kind === "ConfigMap") redactConfigMap(o, w.opts);
  if (release && isObj(o.data)) o.data.release = release;
  if (isRelease(o)) redactRelease(o, w, inner);
  if (isCustomResource(o)) {
    for (const k of Object.keys(o))
      if (!["apiVersion", "kind", "metadata"].includes(k)) o[k] = maskByName(o[k], w);
  }
  if (isContainer(o)) redactContainer(o, w.opts);
  else if (typeof o.name === "string" && typeof o.value === "string" && isCredentialName(o.name))
    o.value = maskValue(o.value, utf8Size, w.opts); // name/value pairs: CRD parameters, chart extraEnv
  const itemKind = kind?.endsWith("List") && kind !== "List" ? kind.slice(0, -4) : undefined;
  for (const [k, v] of Object.entries(o)) {
    if (CONTAINER_LISTS.has(k) && Array.isArray(v))
      for (const c of v) if (isObj(c)) redactContainer(c, w.opts);
    o[k] = visit(v, k === "items" ? itemKind : undefined, w, depth + 1);
  }
  return o;
}

function scrubMetadata(meta: unknown): void {
  if (!isObj(meta)) return;
  delete meta.managedFields;
  // last-applied repeats the whole object as it was applied, Secret stringData and env included.
  if (isObj(meta.annotations)) delete meta.annotations[LAST_APPLIED];
}

/** A kindless Secret: a list item, a Table row's object, or a bare object handed in. */
function looksLikeSecret(o: Obj, depth: number): boolean {
  return (
    typeof o.type === "string" && (isObj(o.data) || isObj(o.stringData)) && (depth === 0 || isObj(o.metadata))
  );
}

/** Objects of an API group outside Kubernetes' own: their fields are the CRD author's, so names decide. */
function isCustomResource(o: Obj): boolean {
  if (typeof o.apiVersion !== "string" || typeof o.kind !== "string" || !isObj(o.metadata)) return false;
  const group = o.apiVersion.includes("/") ? o.apiVersion.slice(0, o.apiVersion.indexOf("/")) : "";
  return group.includes(".") && !group.endsWith(".k8s.io");
}

function redactSecret(secret: Obj, opts: RedactOptions): void {
  const type = typeof secret.type === "string" ? secret.type : "Opaque";
  if (opts.revealSecretValues && !ALWAYS_REDACTED.has(type)) return;
  maskAll(secret.data, base64Size, opts);
  maskAll(secret.stringData, utf8Size, opts);
}

function maskAll(map: unknown, size: (value: string) => number, opts: RedactOptions): void {
  if (!isObj(map)) return;
  for (const [key, value] of Object.entries(map)) map[key] = maskValue(value, size, opts);
}

function redactConfigMap(cm: Obj, opts: RedactOptions): void {
  if (isObj(cm.data)) {
    for (const [key, value] of Object.entries(cm.data)) {
      if (isCredentialName(key)) cm.data[key] = maskValue(value, utf8Size, opts);
      else if (typeof value === "string") cm.data[key] = redactText(value);
    }
  }
  if (isObj(cm.binaryData)) {
    for (const [key, value] of Object.entries(cm.binaryData)) {
      if (isCredentialName(key)) cm.binaryData[key] = maskValue(value, base64Size, opts);
    }
  }
}

/**
 * A container by shape: an image, or a name with an env list. This finds Tekton steps, Argo
 * templates and any other CRD's containers as well as pod specs, wherever they are nested.
 */
function isContainer(o: Obj): boolean {
  return typeof o.image === "string" || (typeof o.name === "string" && Array.isArray(o.env));
}

function redactContainer(c: Obj, opts: RedactOptions): void {
  if (Array.isArray(c.env)) {
    for (const e of c.env) if (isObj(e)) redactEnvVar(e, opts);
  } else if (isObj(c.env)) {
    // Some CRDs give env as a map (`env: {DB_PASSWORD: …}`).
    for (const [k, v] of Object.entries(c.env))
      if (typeof v === "string")
        c.env[k] = isCredentialName(k) ? maskValue(v, utf8Size, opts) : redactText(v);
  }
  if (Array.isArray(c.args)) scrubArgs(c.args, opts);
  if (Array.isArray(c.command)) scrubArgs(c.command, opts);
  if (typeof c.script === "string") c.script = redactText(c.script); // Tekton steps
}

// valueFrom references (secretKeyRef names and keys) are left alone: they hold no values.
function redactEnvVar(e: Obj, opts: RedactOptions): void {
  if (typeof e.value !== "string") return;
  const name = typeof e.name === "string" ? e.name : "";
  e.value = isCredentialName(name) ? maskValue(e.value, utf8Size, opts) : redactText(e.value);
}

// In an argv array a flag and its value are separate elements (`["--password", "x"]`).
function scrubArgs(argv: unknown[], opts: RedactOptions): void {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (typeof arg !== "string") continue;
    const next = argv[i + 1];
    if (isCredentialFlag(arg) && typeof next === "string") {
      if (!MASKED.test(next)) opts.collect?.(next);
      argv[++i] = REDACTED;
    } else argv[i] = redactText(arg);
  }
}

export interface KubeconfigSummary {
  currentContext?: string;
  contexts: { name: string; cluster?: string; user?: string; namespace?: string }[];
  clusters: { name: string; server?: string }[];
  users: { name: string }[];
}

/** R3: the only kubeconfig view ever shown. Built field by field so nothing new can leak through. */
export function redactKubeconfig(config: unknown): KubeconfigSummary {
  const c = isObj(config) ? config : {};
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const named = (list: unknown) =>
    (Array.isArray(list) ? list : []).filter(isObj).filter((e) => typeof e.name === "string");
  const summary: KubeconfigSummary = {
    contexts: named(c.contexts).map((e) => {
      const { cluster, user, namespace } = isObj(e.context) ? e.context : {};
      return { name: String(e.name), cluster: str(cluster), user: str(user), namespace: str(namespace) };
    }),
    clusters: named(c.clusters).map((e) => {
      const server = str(isObj(e.cluster) ? e.cluster.server : undefined);
      return { name: String(e.name), server: server === undefined ? undefined : redactText(server) };
    }),
    users: named(c.users).map((e) => ({ name: String(e.name) })),
  };
  const current = str(c["current-context"]);
  if (current !== undefined) summary.currentContext = current;
  return summary;
}

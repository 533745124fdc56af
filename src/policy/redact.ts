// Output redaction (security notes §4, R1–R3 and R6). Structure first: base64 hides secrets from any
// regex, so Secrets, env values and ConfigMaps are masked on the parsed object. Text second: whatever
// reaches the model (rendered YAML, logs, events, stderr) also goes through redactText as a backstop.
// Everything here is pure. The name vocabulary is in vocabulary.ts, the text backstop in redact-text.ts.
import { redactText } from "./redact-text.js";
import { isCredentialName } from "./vocabulary.js";

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
const HELM_RELEASE = "helm.sh/release.v1";
/** Secret types that are never shown, even when a configuration allows reading Secret values. */
const ALWAYS_REDACTED = new Set([
  "kubernetes.io/service-account-token",
  "bootstrap.kubernetes.io/token",
  "kubernetes.io/dockerconfigjson",
  "kubernetes.io/dockercfg",
  "kubernetes.io/tls",
  "kubernetes.io/basic-auth",
  "kubernetes.io/ssh-auth",
]);
const MASKED = /^<redacted(: \d+ bytes)?>$/;
const REDACTED = "<redacted>";

export interface RedactOptions {
  /** Show Secret `data` values, except for the always-redacted types. Off by default. */
  revealSecretValues?: boolean;
  /** Told every value that was masked, so the same value can be masked wherever else it appears. */
  collect?: (value: string) => void;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const masked = (bytes: number) => `<redacted: ${bytes} bytes>`;

/**
 * A deep copy of a Kubernetes object, list or Table with credentials masked (R1, R2). The input is
 * never modified. Keys stay visible because they are what the model needs for debugging.
 */
export function redactObject(obj: unknown, opts: RedactOptions = {}): unknown {
  const copy = structuredClone(obj);
  visit(copy, undefined, opts);
  return copy;
}

function visit(node: unknown, impliedKind: string | undefined, opts: RedactOptions): void {
  if (Array.isArray(node)) {
    for (const item of node) visit(item, impliedKind, opts);
    return;
  }
  if (!isObj(node)) return;
  // Items of a typed list (SecretList, PodList…) come from the API server without their own kind.
  const kind = typeof node.kind === "string" ? node.kind : impliedKind;
  scrubMetadata(node.metadata);
  if (kind === "Table" && Array.isArray(node.rows)) {
    for (const row of node.rows) if (isObj(row)) visit(row.object, undefined, opts);
  }
  if (Array.isArray(node.items)) {
    const itemKind = kind?.endsWith("List") && kind !== "List" ? kind.slice(0, -4) : undefined;
    visit(node.items, itemKind, opts);
  }
  if (kind === "Secret" || (kind === undefined && looksLikeSecret(node))) redactSecret(node, opts);
  if (kind === "ConfigMap") redactConfigMap(node, opts);
  // Shape, not kind, finds pod specs: this also covers CRDs such as Argo Rollouts.
  for (const path of POD_SPEC_PATHS) {
    const spec = dig(node, path);
    if (isObj(spec)) redactPodSpec(spec, opts);
  }
}

function scrubMetadata(meta: unknown): void {
  if (!isObj(meta)) return;
  delete meta.managedFields;
  // last-applied repeats the whole object as it was applied, Secret stringData and env included.
  if (isObj(meta.annotations)) delete meta.annotations[LAST_APPLIED];
}

function looksLikeSecret(o: Obj): boolean {
  return typeof o.type === "string" && (isObj(o.data) || isObj(o.stringData));
}

function redactSecret(secret: Obj, opts: RedactOptions): void {
  const type = typeof secret.type === "string" ? secret.type : "Opaque";
  // gzip+base64 of every chart value plus the manifests: useless to read and full of secrets.
  if (type === HELM_RELEASE && isObj(secret.data)) delete secret.data.release;
  if (opts.revealSecretValues && !ALWAYS_REDACTED.has(type)) return;
  maskAll(secret.data, base64Size, opts);
  maskAll(secret.stringData, utf8Size, opts);
}

const utf8Size = (v: string) => Buffer.byteLength(v, "utf8");
const base64Size = (v: string) => Buffer.from(v, "base64").length;

function maskAll(map: unknown, size: (value: string) => number, opts: RedactOptions): void {
  if (!isObj(map)) return;
  for (const [key, value] of Object.entries(map)) map[key] = maskValue(value, size, opts);
}

function maskValue(value: unknown, size: (value: string) => number, opts: RedactOptions): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value !== "string") return REDACTED;
  if (MASKED.test(value)) return value;
  opts.collect?.(value);
  return masked(size(value));
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

const POD_SPEC_PATHS = [
  ["spec"],
  ["spec", "template", "spec"],
  ["spec", "jobTemplate", "spec", "template", "spec"],
  ["template", "spec"], // PodTemplate
];

function dig(o: Obj, path: string[]): unknown {
  let cur: unknown = o;
  for (const key of path) cur = isObj(cur) ? cur[key] : undefined;
  return cur;
}

function redactPodSpec(spec: Obj, opts: RedactOptions): void {
  for (const field of ["containers", "initContainers", "ephemeralContainers"]) {
    const containers = spec[field];
    if (!Array.isArray(containers)) continue;
    for (const c of containers) {
      if (!isObj(c)) continue;
      if (Array.isArray(c.env)) for (const e of c.env) if (isObj(e)) redactEnvVar(e, opts);
      if (Array.isArray(c.args)) scrubArgs(c.args, opts);
      if (Array.isArray(c.command)) scrubArgs(c.command, opts);
    }
  }
}

// valueFrom references (secretKeyRef names and keys) are left alone: they hold no values.
function redactEnvVar(e: Obj, opts: RedactOptions): void {
  if (typeof e.value !== "string") return;
  const name = typeof e.name === "string" ? e.name : "";
  e.value = isCredentialName(name) ? maskValue(e.value, utf8Size, opts) : redactText(e.value);
}

const BARE_SECRET_FLAG = /^--?[\w.-]{0,64}?(password|passwd|token|secret|api[_-]?key)$/i;

// In an argv array a flag and its value are separate elements (`["--password", "x"]`).
function scrubArgs(argv: unknown[], opts: RedactOptions): void {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (typeof arg !== "string") continue;
    const next = argv[i + 1];
    if (BARE_SECRET_FLAG.test(arg) && typeof next === "string") {
      if (!MASKED.test(next)) opts.collect?.(next);
      argv[++i] = REDACTED;
    }
    else argv[i] = redactText(arg);
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

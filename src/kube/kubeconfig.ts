// Turns kubeconfig text into ClusterSpecs, one per context, merging several files the way kubectl does
// for a KUBECONFIG list: the first file that defines a name wins, and the first current-context wins.
// A broken context becomes a warning so that every other context still loads.
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { parse } from "yaml";
import type { AuthSpec, ClusterSpec, ExecConfig } from "./types.js";

/** One kubeconfig document and where it came from; relative paths inside resolve against `baseDir`. */
export interface KubeconfigText {
  text: string;
  /** File path or a label such as "KUBECONFIG_YAML"; used in specs and messages. */
  origin: string;
  baseDir: string;
}

export interface KubeconfigResult {
  clusters: ClusterSpec[];
  currentContext?: string;
  /** One sentence per file or context that could not be loaded. */
  warnings: string[];
}

type Obj = Record<string, unknown>;
interface Entry {
  name: string;
  body: Obj;
  origin: string;
  baseDir: string;
}
interface Doc {
  clusters: Entry[];
  users: Entry[];
  contexts: Entry[];
  currentContext?: string;
  warnings: string[];
}

const EXEC_VERSIONS = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"];
const INTERACTIVE_MODES = ["Never", "IfAvailable", "Always"] as const;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined =>
  typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : undefined;
// kubectl parses kubeconfig as YAML 1.1, where yes/on are booleans too.
const bool = (v: unknown) => v === true || (typeof v === "string" && /^(true|yes|on)$/i.test(v));
const firstLine = (s: string) => s.split("\n")[0] ?? s;

/** Parses one kubeconfig document; throws when the text is not a kubeconfig at all. */
export function parseKubeconfig(text: string, where: { origin: string; baseDir: string }): KubeconfigResult {
  return build([readDoc({ text, ...where })]);
}

/** Merges several kubeconfig documents; a document that cannot be parsed becomes a warning. */
export function mergeKubeconfigs(inputs: KubeconfigText[]): KubeconfigResult {
  const warnings: string[] = [];
  const docs: Doc[] = [];
  for (const input of inputs) {
    try {
      docs.push(readDoc(input));
    } catch (err) {
      warnings.push((err as Error).message);
    }
  }
  const result = build(docs);
  return { ...result, warnings: [...warnings, ...result.warnings] };
}

/**
 * Reads and merges kubeconfig files. Missing files are skipped silently, as kubectl does for a
 * KUBECONFIG list; `files` lists the ones that were read.
 */
export function loadKubeconfigFiles(paths: string[]): KubeconfigResult & { files: string[] } {
  const inputs: KubeconfigText[] = [];
  const warnings: string[] = [];
  for (const path of paths) {
    const abs = resolve(path);
    try {
      inputs.push({ text: readFileSync(abs, "utf8"), origin: abs, baseDir: dirname(abs) });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "ENOENT")
        warnings.push(`cannot read kubeconfig ${abs} (${code ?? (err as Error).message})`);
    }
  }
  const merged = mergeKubeconfigs(inputs);
  return { ...merged, warnings: [...warnings, ...merged.warnings], files: inputs.map((i) => i.origin) };
}

function readDoc({ text, origin, baseDir }: KubeconfigText): Doc {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new Error(`kubeconfig ${origin} is not valid YAML or JSON: ${firstLine((err as Error).message)}`);
  }
  const doc: Doc = { clusters: [], users: [], contexts: [], warnings: [] };
  if (raw === null || raw === undefined) return doc;
  if (!isObj(raw)) throw new Error(`kubeconfig ${origin} is not a kubeconfig: expected a mapping at the top`);
  const list = (key: "clusters" | "users" | "contexts", field: string): Entry[] => {
    const items = raw[key] ?? [];
    if (!Array.isArray(items)) {
      doc.warnings.push(`kubeconfig ${origin}: ${key} is not a list; ignored`);
      return [];
    }
    const out: Entry[] = [];
    items.forEach((item, i) => {
      const name = isObj(item) ? str(item.name) : undefined;
      const body = isObj(item) ? (item[field] ?? {}) : undefined;
      if (name && isObj(body)) out.push({ name, body, origin, baseDir });
      else
        doc.warnings.push(`kubeconfig ${origin}: ${key}[${i}] needs a name and a ${field} mapping; ignored`);
    });
    return out;
  };
  doc.clusters = list("clusters", "cluster");
  doc.users = list("users", "user");
  doc.contexts = list("contexts", "context");
  doc.currentContext = str(raw["current-context"]);
  return doc;
}

function build(docs: Doc[]): KubeconfigResult {
  const firstWins = (pick: (d: Doc) => Entry[]) => {
    const map = new Map<string, Entry>();
    for (const e of docs.flatMap(pick)) if (!map.has(e.name)) map.set(e.name, e);
    return map;
  };
  const clusters = firstWins((d) => d.clusters);
  const users = firstWins((d) => d.users);
  const contexts = firstWins((d) => d.contexts);
  const warnings = docs.flatMap((d) => d.warnings);
  const specs: ClusterSpec[] = [];
  for (const ctx of contexts.values()) {
    try {
      specs.push(contextSpec(ctx, clusters, users));
    } catch (err) {
      warnings.push(`context "${ctx.name}" in ${ctx.origin}: ${(err as Error).message}`);
    }
  }
  const currentContext = docs.find((d) => d.currentContext)?.currentContext;
  return { clusters: specs, currentContext, warnings };
}

function contextSpec(ctx: Entry, clusters: Map<string, Entry>, users: Map<string, Entry>): ClusterSpec {
  const clusterName = str(ctx.body.cluster);
  if (!clusterName) throw new Error("the context names no cluster");
  const cluster = clusters.get(clusterName);
  if (!cluster) throw new Error(`cluster "${clusterName}" is not defined in any kubeconfig`);
  const userName = str(ctx.body.user);
  const user = userName ? users.get(userName) : undefined;
  if (userName && !user) throw new Error(`user "${userName}" is not defined in any kubeconfig`);

  const c = cluster.body;
  const server = str(c.server);
  if (!server) throw new Error(`cluster "${clusterName}" has no server`);
  let protocol: string;
  try {
    protocol = new URL(server).protocol;
  } catch {
    throw new Error(`cluster "${clusterName}" has an invalid server URL "${server}"`);
  }
  if (protocol !== "https:" && protocol !== "http:")
    throw new Error(`cluster "${clusterName}" server "${server}" must be an http(s) URL`);
  const ca = data(c, "certificate-authority-data") ?? file(c, "certificate-authority", cluster.baseDir);
  return {
    name: ctx.name,
    source: "kubeconfig",
    origin: ctx.origin,
    server,
    namespace: str(ctx.body.namespace) ?? "default",
    tls: { ca, insecure: bool(c["insecure-skip-tls-verify"]), serverName: str(c["tls-server-name"]) },
    proxyUrl: str(c["proxy-url"]),
    auth: user ? authSpec(user) : {},
  };
}

function authSpec(user: Entry): AuthSpec {
  const u = user.body;
  const path = (v: unknown) => {
    const p = str(v);
    return p === undefined ? undefined : resolve(user.baseDir, p);
  };
  const auth: AuthSpec = {
    token: str(u.token),
    tokenFile: path(u.tokenFile),
    username: str(u.username),
    password: str(u.password),
    clientCert: data(u, "client-certificate-data") ?? file(u, "client-certificate", user.baseDir),
    clientKey: data(u, "client-key-data") ?? file(u, "client-key", user.baseDir),
  };
  if (auth.clientCert && !auth.clientKey)
    throw new Error(`user "${user.name}" has a client certificate but no key`);
  if (auth.clientKey && !auth.clientCert)
    throw new Error(`user "${user.name}" has a client key but no certificate`);
  if (isObj(u.exec)) auth.exec = execConfig(u.exec, user);
  if (isObj(u["auth-provider"])) auth.authProvider = str(u["auth-provider"].name) ?? "unnamed";
  return auth;
}

function execConfig(e: Obj, user: Entry): ExecConfig {
  const apiVersion = str(e.apiVersion) ?? "";
  if (!EXEC_VERSIONS.includes(apiVersion))
    throw new Error(`exec apiVersion "${apiVersion}" is not supported; use ${EXEC_VERSIONS.join(" or ")}`);
  const command = str(e.command);
  if (!command) throw new Error(`user "${user.name}" has an exec section without a command`);
  const mode = e.interactiveMode ?? "IfAvailable";
  const interactiveMode = INTERACTIVE_MODES.find((m) => m === mode);
  if (!interactiveMode)
    throw new Error(`exec interactiveMode "${String(mode)}" must be Never, IfAvailable or Always`);
  const env = Array.isArray(e.env) ? e.env : [];
  return {
    apiVersion,
    // A bare name is looked up on PATH; anything with a slash is a path relative to the kubeconfig.
    command: command.includes("/") && !isAbsolute(command) ? resolve(user.baseDir, command) : command,
    args: Array.isArray(e.args) ? e.args.map(String) : [],
    env: env.filter(isObj).map((v) => ({ name: String(v.name ?? ""), value: String(v.value ?? "") })),
    interactiveMode,
    provideClusterInfo: bool(e.provideClusterInfo),
    baseDir: user.baseDir,
    ...(str(e.installHint) ? { installHint: str(e.installHint) } : {}),
  };
}

function data(o: Obj, key: string): Buffer | undefined {
  const v = str(o[key]);
  if (v === undefined) return undefined;
  const clean = v.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) throw new Error(`${key} is not valid base64`);
  return Buffer.from(clean, "base64");
}

function file(o: Obj, key: string, baseDir: string): Buffer | undefined {
  const v = str(o[key]);
  if (v === undefined) return undefined;
  const abs = resolve(baseDir, v);
  try {
    return readFileSync(abs);
  } catch (err) {
    throw new Error(
      `cannot read ${key} file ${abs} (${(err as NodeJS.ErrnoException).code ?? "unreadable"})`,
    );
  }
}

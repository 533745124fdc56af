// Builds the Config from its layers: defaults < config file < environment < flags. Validation happens
// once, on the merged object, so an error names the option whichever layer it came from.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import type * as z from "zod";
import { CliRulesError, describeCliRules, loadCliRules } from "./cli-rules.js";
import { peerSettings } from "./compat.js";
import { type OptionSpec, optionsFor, type Role } from "./options.js";
import { type Config, ConfigSchema, type Mode } from "./schema.js";

export class ConfigError extends Error {}

type Layer = Record<string, unknown>;

function setPath(obj: Layer, path: string, value: unknown): void {
  const keys = path.split(".");
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    if (typeof cur[k] !== "object" || cur[k] === null) cur[k] = {};
    cur = cur[k] as Layer;
  }
  cur[keys[keys.length - 1] as string] = value;
}

function merge(a: Layer, b: Layer): Layer {
  const out: Layer = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    const bothObjects = [prev, v].every((x) => typeof x === "object" && x !== null && !Array.isArray(x));
    out[k] = bothObjects ? merge(prev as Layer, v as Layer) : v;
  }
  return out;
}

function coerce(o: OptionSpec, raw: string | boolean, from: string): unknown {
  if (o.type === "boolean") {
    if (typeof raw === "boolean") return raw;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off|)$/i.test(raw)) return false;
    throw new ConfigError(`${from}: expected true or false, got "${raw}"`);
  }
  const s = String(raw);
  if (o.type === "number") {
    const n = Number(s);
    if (!Number.isFinite(n) || s.trim() === "")
      throw new ConfigError(`${from}: expected a number, got "${s}"`);
    return n;
  }
  if (o.type === "json") {
    try {
      return JSON.parse(s);
    } catch {
      throw new ConfigError(`${from}: expected JSON, e.g. {"prod":"…"}`);
    }
  }
  if (o.type === "list")
    return s
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean);
  return s;
}

function envLayer(env: NodeJS.ProcessEnv, options: OptionSpec[]): Layer {
  const layer: Layer = {};
  for (const o of options) {
    const v = o.env ? env[o.env] : undefined;
    if (o.path && v !== undefined && v !== "")
      setPath(layer, o.path, coerce(o, v, `environment variable ${o.env}`));
  }
  return layer;
}

function flagLayer(
  argv: string[],
  specs: OptionSpec[],
): { layer: Layer; configFile?: string; help: boolean } {
  const options = Object.fromEntries(
    specs.map((o) => [
      o.flag,
      {
        type: o.type === "boolean" ? ("boolean" as const) : ("string" as const),
        multiple: o.repeatable ?? false,
      },
    ]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: "boolean", short: "h" } },
      strict: true,
    });
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}. Run with --help to see the options.`);
  }
  const layer: Layer = {};
  for (const o of specs) {
    const v = parsed.values[o.flag];
    if (o.path && v !== undefined) {
      const value = Array.isArray(v)
        ? v.flatMap((x) => coerce(o, x, `--${o.flag}`) as unknown[])
        : coerce(o, v as string | boolean, `--${o.flag}`);
      setPath(layer, o.path, o.negates ? !value : value);
    }
  }
  const configFile = parsed.values.config as string | undefined;
  return { layer, help: parsed.values.help === true, ...(configFile ? { configFile } : {}) };
}

function fileLayer(path: string): Layer {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  let data: unknown;
  try {
    data = path.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(
      `config file ${path} is not valid ${path.endsWith(".json") ? "JSON" : "YAML"}: ${(err as Error).message}`,
    );
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== "object" || Array.isArray(data))
    throw new ConfigError(`config file ${path} must hold a mapping of options`);
  return data as Layer;
}

export function describeIssues(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`).join("; ");
}

export interface Loaded {
  config: Readonly<Config>;
  help: boolean;
  /** Start-up notes for the log: other servers' names that were overridden or cannot be honoured fully. */
  warnings: string[];
}

function getPath(obj: Layer, path: string): unknown {
  let cur: unknown = obj;
  for (const k of path.split("."))
    cur = typeof cur === "object" && cur !== null ? (cur as Layer)[k] : undefined;
  return cur;
}

/** The other servers' names (serve only): a layer below kube-mcp's own env and flags. */
function peerLayer(argv: string[], env: NodeJS.ProcessEnv, role: Role) {
  if (role !== "serve") return { argv, layer: {}, warnings: [], overridden: () => undefined };
  const peer = peerSettings(argv, env);
  if (peer.errors.length) throw new ConfigError(peer.errors.join("; "));
  const layer: Layer = {};
  for (const [path, { value }] of peer.set) setPath(layer, path, value);
  const overridden = (own: Layer[]) => {
    const lost = [...peer.set]
      .filter(([path]) => own.some((l) => getPath(l, path) !== undefined))
      .map(([path, { from }]) => `${from} (${path})`);
    return lost.length
      ? `kube-mcp's own settings win over another server's names: ignoring ${lost.join(", ")}`
      : undefined;
  };
  return { argv: peer.argv, layer, warnings: peer.warnings, overridden };
}

/** Resolves the configuration for a role; `defaultMode` is the role's default safety mode. */
export function loadConfig(
  argv: string[],
  env: NodeJS.ProcessEnv,
  defaultMode: Mode,
  role: Role = "serve",
): Loaded {
  const specs = optionsFor(role);
  const peer = peerLayer(argv, env, role);
  const flags = flagLayer(peer.argv, specs);
  if (flags.help) return { config: ConfigSchema.parse({ mode: defaultMode }), help: true, warnings: [] };
  const file = flags.configFile ?? env.KUBE_MCP_CONFIG;
  const own = envLayer(env, specs);
  const merged = [file ? fileLayer(file) : {}, peer.layer, own, flags.layer].reduce(merge, {
    mode: defaultMode,
  });
  // Only serve runs on a person's workstation: hub and agent never trust the user's Helm repositories.
  if (role !== "serve") merged.helm = { ...(merged.helm as object), userRepositories: false };
  const result = ConfigSchema.safeParse(merged);
  if (!result.success) throw new ConfigError(`invalid configuration: ${describeIssues(result.error)}`);
  const lost = peer.overridden([own, flags.layer]);
  const config = result.data;
  const notes: string[] = [];
  // The rule file is read once, here: a file that does not parse stops start-up with its line.
  if (config.cli.rules) {
    try {
      config.cli.ruleSet = loadCliRules(config.cli.rules);
    } catch (err) {
      if (err instanceof CliRulesError) throw new ConfigError(`CLI rule file: ${err.message}`);
      throw err;
    }
    notes.push(...describeCliRules(config.cli.ruleSet));
  }
  return {
    config: Object.freeze(config),
    help: false,
    warnings: [...peer.warnings, ...(lost ? [lost] : []), ...notes],
  };
}

// API keys that name their caller (`http.apiKeys`), read once at start-up from the config, a file or an
// environment variable, and compared in constant time. Key material is held only as a digest and never
// appears in a log line or an error: errors name the key by its `name`.
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Config } from "../config/schema.js";
import type { Caller } from "../policy/identity.js";
import { validName } from "../policy/identity.js";

export { impersonatingClusters } from "../policy/identity.js";

export class KeyError extends Error {}

export interface ApiKeys {
  size: number;
  /** The caller whose key was presented, or undefined; every key is compared, so timing says nothing. */
  match(presented: string | undefined): Caller | undefined;
}

/** What is kept of a key or token, and compared: its SHA-256, never the material itself. */
export const digest = (s: string) => createHash("sha256").update(s).digest();

/** The owner of the digest `presented` matches (the first); every digest is compared, so timing says nothing. */
export function ownerOf<T>(held: Iterable<readonly [T, Buffer]>, presented: string): T | undefined {
  const p = digest(presented);
  let found: T | undefined;
  for (const [owner, d] of held) if (timingSafeEqual(d, p) && found === undefined) found = owner;
  return found;
}

function material(k: Config["http"]["apiKeys"][number], env: NodeJS.ProcessEnv): string {
  if (k.key !== undefined) return k.key;
  if (k.keyEnv !== undefined) {
    const v = env[k.keyEnv]?.trim();
    if (!v) throw new KeyError(`API key "${k.name}": the environment variable ${k.keyEnv} is not set`);
    return v;
  }
  try {
    return readFileSync(k.keyFile as string, "utf8").trim();
  } catch (err) {
    throw new KeyError(
      `API key "${k.name}": cannot read ${k.keyFile} (${(err as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
}

/**
 * `impersonating`: the clusters configured to act as each caller. A key without a user is refused at
 * start-up when there are any, rather than refused later on every call.
 */
export function loadApiKeys(
  config: Readonly<Config>,
  env: NodeJS.ProcessEnv,
  impersonating: string[],
): ApiKeys {
  const keys: [Caller, Buffer][] = [];
  const seen = new Set<string>();
  for (const k of config.http.apiKeys) {
    if (seen.has(k.name)) throw new KeyError(`API key "${k.name}" is configured twice`);
    seen.add(k.name);
    const key = material(k, env);
    if (key.length < 16) throw new KeyError(`API key "${k.name}" is shorter than 16 characters`);
    if (ownerOf(keys, key) !== undefined || (config.http.apiKey && config.http.apiKey === key))
      throw new KeyError(`API key "${k.name}" is the same key as another; each key must name one caller`);
    if (k.user !== undefined && !validName(k.user))
      throw new KeyError(`API key "${k.name}": user must be a printable ASCII name`);
    const bad = k.groups.find((g) => !validName(g));
    if (bad !== undefined) throw new KeyError(`API key "${k.name}": groups must be printable ASCII names`);
    if (!k.user && impersonating.length)
      throw new KeyError(
        `API key "${k.name}" has no user, but callers are impersonated on ${impersonating.join(", ")} (identity: impersonate); give it a user, or remove it`,
      );
    keys.push([
      { kind: "api-key", key: k.name, groups: k.groups, ...(k.user ? { user: k.user } : {}) },
      digest(key),
    ]);
  }
  return {
    size: keys.length,
    match: (presented) => (presented === undefined ? undefined : ownerOf(keys, presented)),
  };
}

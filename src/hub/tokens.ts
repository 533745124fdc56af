// Agent tokens by cluster name: from CLUSTER_TOKENS (JSON) and/or a path that is either a JSON file or a
// directory with one file per cluster (how a Kubernetes Secret is mounted). Later sources win.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../config/load.js";
import { CLUSTER_NAME, type Config } from "../config/schema.js";

export function loadTokens(config: Readonly<Config>): Record<string, string> {
  const tokens: Record<string, string> = { ...config.hub.tokens };
  const path = config.hub.tokensPath;
  if (path) {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch (err) {
      throw new ConfigError(
        `cannot read cluster tokens at ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`,
      );
    }
    if (isDir) {
      // Mounted Secrets also hold ..data and timestamped directories: only plain cluster-named files count.
      for (const f of readdirSync(path)) {
        if (!CLUSTER_NAME.test(f) || !statSync(join(path, f)).isFile()) continue;
        tokens[f] = readFileSync(join(path, f), "utf8").trim();
      }
    } else {
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(path, "utf8"));
      } catch {
        throw new ConfigError(`cluster tokens file ${path} is not JSON of the form {"cluster":"token"}`);
      }
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
        throw new ConfigError(`cluster tokens file ${path} must hold {"cluster":"token", …}`);
      Object.assign(tokens, parsed);
    }
  }
  for (const [name, token] of Object.entries(tokens)) {
    if (!CLUSTER_NAME.test(name))
      throw new ConfigError(`cluster token name "${name}" is not a valid cluster name`);
    if (typeof token !== "string" || token.length < 16)
      throw new ConfigError(`the token for cluster ${name} must be a string of at least 16 characters`);
  }
  const seen = new Map<string, string>();
  for (const [name, token] of Object.entries(tokens)) {
    const other = seen.get(token);
    if (other)
      throw new ConfigError(`clusters ${other} and ${name} share a token; each cluster needs its own`);
    seen.set(token, name);
  }
  return tokens;
}

/** What to watch for token changes: the file, or the directory and its `..data` link (a mounted Secret). */
export function tokenFiles(path: string): string[] {
  try {
    if (!statSync(path).isDirectory()) return [path];
    const files = readdirSync(path).filter((f) => CLUSTER_NAME.test(f));
    return [path, join(path, "..data"), ...files.map((f) => join(path, f))];
  } catch {
    return [path];
  }
}

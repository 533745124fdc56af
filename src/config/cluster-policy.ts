// A cluster's policy under `clusters:`: its own entry, or else the first entry whose key is a glob
// matching its name (`*` matches any run of characters), so Cluster API workload clusters, which come
// and go, can share one policy (`clusters: {"org-a/*": {mode: read-only}}`).
import type { Config } from "./schema.js";

type Policies = Config["clusters"];

const globs = new WeakMap<Policies, [RegExp, string][]>();

function compiled(p: Policies): [RegExp, string][] {
  let g = globs.get(p);
  if (!g) {
    g = Object.keys(p)
      .filter((k) => k.includes("*"))
      .map((k) => [new RegExp(`^${k.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*")}$`), k]);
    globs.set(p, g);
  }
  return g;
}

export function clusterPolicy(config: Readonly<Config>, name: string): Policies[string] | undefined {
  const own = config.clusters[name];
  if (own) return own;
  const key = compiled(config.clusters).find(([re]) => re.test(name))?.[1];
  return key === undefined ? undefined : config.clusters[key];
}

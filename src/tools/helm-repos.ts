// The chart repositories a call may use: the operator's (helm.repositories) and, for serve on a
// workstation, the ones the person added to their own Helm config (helm.userRepositories; hub and agent
// never). kube-mcp's Helm home is private to each call: the trusted list is written into it before
// helm reads repositories (repo list, search repo, show), and no call can add to it.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml, stringify } from "yaml";
import type { Config } from "../config/schema.js";
import { ToolError } from "../errors.js";
import type { Parsed } from "../passthrough/grammar.js";
import type { Cluster } from "../targets/clusters.js";
import type { Cli as Helm } from "./cli-json.js";

export interface HelmRepository {
  name: string;
  url: string;
}

/** Where helm keeps a person's repository list (helm's own lookup: env, then XDG, then the OS default). */
function userRepositoryFile(env: NodeJS.ProcessEnv): string {
  if (env.HELM_REPOSITORY_CONFIG) return env.HELM_REPOSITORY_CONFIG;
  const home = env.HOME ?? homedir();
  const configHome =
    env.HELM_CONFIG_HOME ??
    (env.XDG_CONFIG_HOME
      ? join(env.XDG_CONFIG_HOME, "helm")
      : process.platform === "darwin"
        ? join(home, "Library", "Preferences", "helm")
        : process.platform === "win32"
          ? join(env.APPDATA ?? home, "helm")
          : join(home, ".config", "helm"));
  return join(configHome, "repositories.yaml");
}

// A repository that needs credentials or its own trust settings is left out: kube-mcp copies names and
// URLs only, never a person's secrets into a call's Helm home.
const CREDENTIALS = ["username", "password", "certFile", "keyFile", "caFile", "insecure_skip_tls_verify"];

/** The repositories in the person's own Helm config, public ones only; none if it cannot be read. */
export function userRepositories(env: NodeJS.ProcessEnv = process.env): HelmRepository[] {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(userRepositoryFile(env), "utf8"));
  } catch {
    return [];
  }
  const entries = (doc as { repositories?: unknown })?.repositories;
  return (Array.isArray(entries) ? entries : [])
    .filter(
      (r): r is HelmRepository =>
        typeof r?.name === "string" &&
        /^https?:\/\//.test(String(r?.url)) &&
        !CREDENTIALS.some((k) => r[k] !== undefined && r[k] !== "" && r[k] !== false),
    )
    .map((r) => ({ name: r.name, url: r.url }));
}

/** The operator's repositories, then (where allowed) the person's; a name the operator uses wins. */
export function trustedRepositories(config: Readonly<Config>): HelmRepository[] {
  const own = config.helm.repositories;
  const user = config.helm.userRepositories ? userRepositories() : [];
  return [...own, ...user.filter((u) => !own.some((r) => r.name === u.name))];
}

export interface HelmRegistry {
  url: string;
  plainHttp: boolean;
}

/** Where a chart comes from: a trusted repository, or a trusted registry (with the flags helm needs for it). */
export type ChartSource = { repo?: HelmRepository; label: string; args: string[] };

/** The trusted source a chart reference names, or a refusal that lists the trusted ones. */
export function chartSource(
  chart: string,
  repos: readonly HelmRepository[],
  registries: readonly HelmRegistry[],
  cluster: Cluster,
): ChartSource {
  if (!chart.startsWith("oci://")) {
    const repo = repositoryOf(chart, repos, cluster);
    return { repo, label: `repository ${repo.name}`, args: [] };
  }
  const registry = registries.find((r) => chart.startsWith(`${r.url}/`));
  if (registry)
    return { label: `registry ${registry.url}`, args: registry.plainHttp ? ["--plain-http"] : [] };
  throw new ToolError(
    `Refused on cluster ${cluster.name}: ${chart} is not under a configured registry. ${
      registries.length
        ? `Configured: ${registries.map((r) => r.url).join(", ")}.`
        : "No chart registries are configured."
    } Only the operator adds registries (helm.registries, --helm-registry oci://HOST/PATH).`,
  );
}

/** The trusted repository a REPO/CHART reference names, or a refusal that lists them. */
export function repositoryOf(
  chart: string,
  repos: readonly HelmRepository[],
  cluster: Cluster,
): HelmRepository {
  const name = chart.split("/")[0];
  const repo = repos.find((r) => r.name === name);
  if (repo) return repo;
  throw new ToolError(
    `Refused on cluster ${cluster.name}: chart repository "${name}" is not configured. ${
      repos.length
        ? `Configured: ${repos.map((r) => r.name).join(", ")}.`
        : "No chart repositories are configured."
    } Only the operator adds repositories (helm.repositories, --helm-repo NAME=URL).`,
  );
}

/** Whether helm reads repositories for this command (they are written into the call's Helm home first). */
export const readsRepositories = (v: Parsed & { help?: boolean }) =>
  !v.help && ["repo", "search", "show"].includes(v.path[0] ?? "");

/**
 * Writes the trusted list into the call's Helm config home and fetches the indexes the command needs
 * (all for search, the chart's for show; none to list them). Returns notes on repositories it could not
 * reach, and the flags a registry needs (show oci://…).
 */
export async function prepareRepositories(
  v: Parsed,
  helm: Helm,
  helmConfigHome: string,
  trusted: { repositories: readonly HelmRepository[]; registries: readonly HelmRegistry[] },
  cluster: Cluster,
): Promise<{ notes: string[]; args: string[] }> {
  const show = v.path[0] === "show";
  const source = show
    ? chartSource(v.positionals[0] ?? "", trusted.repositories, trusted.registries, cluster)
    : undefined;
  if (source && !source.repo) return { notes: [], args: source.args };
  const wanted = source?.repo ? [source.repo] : trusted.repositories;
  mkdirSync(helmConfigHome, { recursive: true, mode: 0o700 });
  writeFileSync(
    join(helmConfigHome, "repositories.yaml"),
    stringify({ apiVersion: "", repositories: wanted }),
    {
      mode: 0o600,
    },
  );
  if (v.path[0] === "repo") return { notes: [], args: [] };
  if (!wanted.length)
    throw new ToolError("No chart repositories are configured (helm.repositories, --helm-repo NAME=URL).");
  const r = await helm(["repo", "update", ...(show ? wanted.map((x) => x.name) : [])]);
  const failed = [
    ...`${r.stdout}\n${r.stderr}`.matchAll(/Unable to get an update from the "([^"]+)" chart repository/g),
  ].map((m) => m[1] as string);
  if (show && (r.code !== 0 || failed.length))
    throw new ToolError(
      `Chart repository ${wanted[0]?.name} cannot be reached from kube-mcp: ${(r.stderr || r.stdout).trim().slice(0, 1000)}`,
      "Repositories are the operator's configuration (helm.repositories): try again later, or ask the operator to check it.",
    );
  return {
    notes: failed.length ? [`Not searched (cannot be reached from kube-mcp): ${failed.join(", ")}.`] : [],
    args: [],
  };
}

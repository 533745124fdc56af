// helm v3's grammar for kube-mcp: the commands and flags each mode allows, and the ones never allowed.
// Only release commands that talk to the pinned cluster pass, with install/upgrade of a chart from a
// configured repository and rollback (planned and guarded in tools/helm-writes.ts); anything that reads
// local charts, values files or URLs, writes local files, or runs plugins is refused. Arities are checked
// against the real binary in helm.test.ts.

import { checkNamespace, goDuration, maxNumber, outputFormats } from "./common.js";
import {
  bool,
  type Check,
  type CheckCtx,
  COMMON_NEVER,
  type CommandDef,
  type FlagDef,
  type Grammar,
  lastFlag,
  type Parsed,
  str,
} from "./grammar.js";

const NEVER = {
  ...COMMON_NEVER,
  client: "API client settings (throttling) are kube-mcp's to choose",
  config: "it points helm at registry or repository files on the kube-mcp host",
  debug:
    "debug output is not needed and, depending on the command and helm version, adds computed values and rendered manifests",
  charts:
    "charts come only from the repositories the operator configured (helm.repositories): install or upgrade REPO/CHART; local paths, URLs and packaging are refused",
  network: "it fetches charts or indexes from the network",
  plugins: "plugins run local programs",
};

const timeout = goDuration(600);

const positiveInt: Check = (v) => (/^[1-9]\d{0,8}$/.test(v) ? undefined : "must be a whole number above 0");
const naturalInt: Check = (v) => (/^\d{1,9}$/.test(v) ? undefined : "must be a whole number");

/** pflag's boolean spellings (strconv.ParseBool); anything else is not a boolean, e.g. `--dry-run=server`. */
const PARSE_BOOL = ["1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"];
const dryRun = bool("dry-run", undefined, {
  check: (v) =>
    PARSE_BOOL.includes(v)
      ? undefined
      : "helm v3's --dry-run here is a plain boolean; server-side dry runs (which enable `lookup`) are not allowed",
});

const globals: FlagDef[] = [
  str("namespace", "n", { persistent: true, check: checkNamespace }),
  bool("debug", undefined, { persistent: true, deny: NEVER.debug }),
  ...[
    "kube-apiserver",
    "kube-ca-file",
    "kube-context",
    "kube-token",
    "kube-tls-server-name",
    "kubeconfig",
  ].map((n) => str(n, undefined, { persistent: true, deny: NEVER.target })),
  bool("kube-insecure-skip-tls-verify", undefined, { persistent: true, deny: NEVER.target }),
  ...["kube-as-user", "kube-as-group"].map((n) =>
    str(n, undefined, { persistent: true, deny: NEVER.identity }),
  ),
  ...["burst-limit", "qps"].map((n) => str(n, undefined, { persistent: true, deny: NEVER.client })),
  ...["registry-config", "repository-config", "repository-cache"].map((n) =>
    str(n, undefined, { persistent: true, deny: NEVER.config }),
  ),
];

const out = str("output", "o", { check: outputFormats("table", "json", "yaml") });
const revision = str("revision", undefined, { check: positiveInt });
/** Values are masked by key name on helm's YAML output only (the JSON path redacts Kubernetes shapes). */
const valuesOut = str("output", "o", {
  check: (v, ctx) =>
    v === "json"
      ? "-o json is not allowed for values: kube-mcp masks values by key name on helm's YAML; use the default output or -o yaml"
      : outputFormats("table", "yaml")(v, ctx),
});

/** Helm release names: DNS-1123 subdomains of at most 53 characters. */
const RELEASE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const badRelease = (names: string[]) => {
  const bad = names.find((n) => !RELEASE.test(n) || n.length > 53);
  return bad === undefined ? undefined : `"${bad}" is not a valid release name`;
};
const oneRelease = (ctx: CheckCtx) => {
  const args = ctx.parsed.positionals;
  return args.length === 1 ? badRelease(args) : "name exactly one release, e.g. `status web`";
};

const get: CommandDef = {
  name: "get",
  sub: [
    ...["manifest", "notes", "hooks"].map(
      (name): CommandDef => ({ name, mode: "read-only", flags: [revision], check: oneRelease }),
    ),
    { name: "metadata", mode: "read-only", flags: [revision, out], check: oneRelease },
    {
      name: "values",
      mode: "read-only",
      flags: [
        revision,
        valuesOut,
        bool("all", "a", {
          deny: "computed values include every chart default, often passwords; only the user-supplied values are shown",
        }),
      ],
      check: oneRelease,
    },
    {
      name: "all",
      deny: "it prints every computed value (like get values --all) and takes a --template; use get values, get manifest, get hooks or get notes",
    },
  ],
};

const list: CommandDef = {
  name: "list",
  aliases: ["ls"],
  mode: "read-only",
  flags: [
    bool("all", "a"),
    bool("all-namespaces", "A"),
    bool("date", "d"),
    bool("reverse", "r"),
    bool("short", "q"),
    bool("no-headers"),
    ...["deployed", "failed", "pending", "superseded", "uninstalled", "uninstalling"].map((n) => bool(n)),
    str("filter", "f"),
    str("selector", "l"),
    str("max", "m", { check: maxNumber(10000) }),
    str("offset", undefined, { check: naturalInt }),
    str("time-format"),
    out,
  ],
  check: (ctx) =>
    ctx.parsed.positionals.length ? "list takes no arguments; filter with -f or -l" : undefined,
};

const status: CommandDef = {
  name: "status",
  mode: "read-only",
  flags: [out, revision, bool("show-desc"), bool("show-resources")],
  check: (ctx) =>
    ctx.has("show-resources") &&
    ctx.last("show-resources") !== "false" &&
    /^(json|yaml)$/.test(ctx.last("output") ?? "")
      ? "--show-resources with -o json or yaml embeds the live objects, Secrets included; use the table output"
      : oneRelease(ctx),
};

const rollback: CommandDef = {
  name: "rollback",
  mode: "non-destructive",
  flags: [
    bool("wait"),
    bool("wait-for-jobs"),
    str("timeout", undefined, { check: timeout }),
    bool("cleanup-on-fail"),
    dryRun,
    bool("force", undefined, { mode: "full" }),
    bool("no-hooks", undefined, { mode: "full" }),
    bool("recreate-pods", undefined, { mode: "full" }),
    str("history-max", undefined, { mode: "full", check: naturalInt }),
  ],
  check: (ctx) => {
    const [name, rev, ...extra] = ctx.parsed.positionals;
    if (name === undefined || extra.length)
      return "give a release and optionally a revision: `rollback web 3`";
    // Planned and guarded like install (tools/helm-writes.ts): one that removes objects needs full mode.
    // Revision 0 (or none) means the previous revision.
    return badRelease([name]) ?? (rev === undefined ? undefined : naturalInt(rev, ctx));
  },
};

/** Whether a boolean flag (or --dry-run's none|client|server) is on, as helm reads it: the last one wins. */
export const flagOn = (v: Parsed, name: string) => {
  const value = lastFlag(v, name);
  return value !== undefined && !["false", "0", "f", "F", "FALSE", "False", "none"].includes(value);
};

/**
 * Whether full mode asks a person first, where the mode alone does not say: a rollback may delete
 * (non-destructive mode refuses it then), a dry run changes nothing (kube-mcp answers it with a plan).
 */
export const helmAsks = (v: Parsed): boolean | undefined =>
  flagOn(v, "dry-run") ? false : v.path[0] === "rollback" ? true : undefined;

const uninstall: CommandDef = {
  name: "uninstall",
  aliases: ["del", "delete", "un"],
  mode: "full",
  flags: [
    bool("wait"),
    str("timeout", undefined, { check: timeout }),
    bool("keep-history"),
    bool("no-hooks"),
    bool("ignore-not-found"),
    dryRun,
    str("description"),
    str("cascade", undefined, {
      check: (v) =>
        ["background", "foreground", "orphan"].includes(v)
          ? undefined
          : "use background, foreground or orphan",
    }),
  ],
  check: (ctx) =>
    ctx.parsed.positionals.length ? badRelease(ctx.parsed.positionals) : "name the release(s)",
};

/**
 * A chart is `REPO/CHART` naming a configured repository, or `oci://host/path/CHART` under a configured
 * registry (both checked against the config when it runs, tools/helm-repos.ts). helm would take a path
 * or a URL here, so anything else is refused by shape: the run's working directory is an empty private
 * one, so `REPO/CHART` never names a local directory.
 */
const chartRef: Check = (ref) => {
  if (/^oci:\/\//i.test(ref))
    return /^oci:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9][A-Za-z0-9._-]*)+$/.test(ref) &&
      !ref.includes("..")
      ? undefined
      : `"${ref}" is not oci://host[:port]/path/CHART (no credentials, tags or digests: pass --version)`;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref))
    return `"${ref}" is a URL: charts come only from the configured repositories (helm.repositories), as REPO/CHART, or registries (helm.registries), as oci://…`;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(ref) || ref.includes(".."))
    return `"${ref}" is not REPO/CHART: local chart paths and archives are refused; name a chart of a configured repository (helm.repositories), e.g. local/web`;
  return undefined;
};

const releaseAndChart: CommandDef["check"] = (ctx) => {
  const [name, chart, ...extra] = ctx.parsed.positionals;
  if (name === undefined || chart === undefined || extra.length)
    return `give a release and a chart: \`${ctx.parsed.path[0]} web local/web --version 1.2.3\``;
  return badRelease([name]) ?? chartRef(chart, ctx);
};

const version = str("version", undefined, {
  check: (v) => (/^[A-Za-z0-9^~<>=.*+, -]{1,64}$/.test(v) ? undefined : "not a version or range"),
});

/** Where a chart comes from and how it is trusted: the operator's configuration, never a call's. */
const sourceFlags: FlagDef[] = [
  str("repo", undefined, {
    deny: "charts come only from the configured repositories (helm.repositories); name the chart as REPO/CHART",
  }),
  ...["username", "password", "ca-file", "cert-file", "key-file", "keyring"].map((n) =>
    str(n, undefined, { deny: "repository credentials and trust are the operator's configuration" }),
  ),
  ...["insecure-skip-tls-verify", "plain-http", "pass-credentials", "verify"].map((n) =>
    bool(n, undefined, { deny: "repository credentials and trust are the operator's configuration" }),
  ),
];

/** install and upgrade share these; values come only as --set*, never from files. */
const chartFlags: FlagDef[] = [
  version,
  ...["set", "set-string", "set-json", "set-literal"].map((n) => str(n)),
  bool("wait"),
  bool("wait-for-jobs"),
  str("timeout", undefined, { check: timeout }),
  bool("atomic"),
  bool("devel"),
  bool("skip-crds"),
  str("description"),
  // helm's --dry-run takes an optional value (client|server|none); kube-mcp answers any dry run with its
  // own plan (helm's server-side dry run, judged and compared with the release), so only its spelling is checked.
  bool("dry-run", undefined, {
    check: (v) =>
      [...PARSE_BOOL, "client", "server", "none"].includes(v)
        ? undefined
        : "use --dry-run or --dry-run=false",
  }),
  out,
  ...["force", "no-hooks", "disable-openapi-validation", "take-ownership"].map((n) =>
    bool(n, undefined, { mode: "full" }),
  ),
  str("values", "f", { deny: `${NEVER.files}; pass values with --set` }),
  str("set-file", undefined, { deny: `${NEVER.files}; pass values with --set` }),
  ...["post-renderer", "post-renderer-args"].map((n) => str(n, undefined, { deny: NEVER.plugins })),
  ...sourceFlags,
  bool("dependency-update", undefined, { deny: NEVER.network }),
];

const denied = (deny: string, ...names: string[]): CommandDef[] =>
  names.map((n) => {
    const [name, ...aliases] = n.split(":") as [string, ...string[]];
    return { name, ...(aliases.length ? { aliases } : {}), deny };
  });

// Reads of the trusted repositories (kube-mcp writes them into the call's private Helm home first,
// tools/helm-repos.ts); adding, removing or indexing a repository is the operator's.
const OPERATOR_REPOS =
  "repositories are the operator's configuration (helm.repositories); kube-mcp keeps its own list of them";
const noArgs = (what: string) => (ctx: CheckCtx) =>
  ctx.parsed.positionals.length ? `${what} takes no arguments` : undefined;
const repo: CommandDef = {
  name: "repo",
  sub: [
    { name: "list", aliases: ["ls"], mode: "read-only", flags: [out], check: noArgs("repo list") },
    ...denied(OPERATOR_REPOS, "add", "remove:rm", "update:up", "index"),
  ],
};
const search: CommandDef = {
  name: "search",
  sub: [
    {
      name: "repo",
      mode: "read-only",
      flags: [
        bool("devel"),
        bool("fail-on-no-result"),
        str("max-col-width", undefined, { check: naturalInt }),
        out,
        bool("regexp", "r"),
        version,
        bool("versions", "l"),
      ],
      check: (ctx) =>
        ctx.parsed.positionals.length > 1 ? "give at most one keyword: `search repo nginx`" : undefined,
    },
    {
      name: "hub",
      deny: "it searches Artifact Hub on the internet; search the configured repositories with `search repo`",
    },
  ],
};
const oneChart: CommandDef["check"] = (ctx) => {
  const [chart, ...extra] = ctx.parsed.positionals;
  if (chart === undefined || extra.length) return "name one chart: `show values local/web --version 1.2.3`";
  return chartRef(chart, ctx);
};
const show: CommandDef = {
  name: "show",
  aliases: ["inspect"],
  sub: [
    ...["chart", "readme", "crds"].map(
      (name): CommandDef => ({
        name,
        mode: "read-only",
        flags: [version, bool("devel"), ...sourceFlags],
        check: oneChart,
      }),
    ),
    {
      name: "values",
      mode: "read-only",
      flags: [
        version,
        bool("devel"),
        ...sourceFlags,
        str("jsonpath", undefined, {
          deny: "kube-mcp masks a chart's values by their key names, which a JSONPath result drops; show all values",
        }),
      ],
      check: oneChart,
    },
    {
      name: "all",
      deny: "it prints a chart's values without their structure; use show chart, values, readme or crds",
    },
  ],
};

const install: CommandDef = {
  name: "install",
  mode: "non-destructive",
  flags: [...chartFlags, bool("create-namespace")],
  check: releaseAndChart,
};

const upgrade: CommandDef = {
  name: "upgrade",
  mode: "non-destructive",
  flags: [
    ...chartFlags,
    bool("install", "i"),
    bool("create-namespace"),
    bool("cleanup-on-fail"),
    bool("reuse-values"),
    bool("reset-values"),
    bool("reset-then-reuse-values"),
    str("history-max", undefined, { check: naturalInt }),
  ],
  check: releaseAndChart,
};

const commands: CommandDef[] = [
  list,
  status,
  {
    name: "history",
    aliases: ["hist"],
    mode: "read-only",
    flags: [out, str("max", undefined, { check: maxNumber(10000) })],
    check: oneRelease,
  },
  get,
  {
    name: "version",
    mode: "read-only",
    flags: [bool("short")],
    check: (ctx) => (ctx.parsed.positionals.length ? "version takes no arguments" : undefined),
  },
  rollback,
  uninstall,
  install,
  upgrade,
  repo,
  search,
  show,
  ...denied(NEVER.charts, "template", "lint", "package", "verify"),
  ...denied(NEVER.network, "pull:fetch", "push", "registry", "dependency:dep:dependencies"),
  ...denied(NEVER.files, "create"),
  ...denied(NEVER.plugins, "plugin"),
  { name: "test", deny: "it runs the chart's test pods, and --logs prints their output unfiltered" },
  { name: "env", deny: "it prints helm's environment: host paths and any HELM_KUBE* credentials" },
  { name: "completion", deny: "shell completion scripts are of no use here" },
  { name: "help", deny: "put --help after the command instead, e.g. `status --help`" },
];

/**
 * helm pre-reads its global flags from the whole argv (newRootCmd: pflag with unknown flags tolerated,
 * which never takes a word starting with "-" as an unknown flag's value), so in
 * `list --filter --kube-context=x` the value of --filter also switches the cluster. No flag value may
 * start with "-".
 */
const noDashValue = (f: FlagDef): FlagDef =>
  f.value && !f.deny
    ? {
        ...f,
        check: (v, ctx) =>
          v.startsWith("-")
            ? 'values starting with "-" are refused: helm would also read them as its own global flags'
            : f.check?.(v, ctx),
      }
    : f;

/**
 * cobra registers -h/--help on the command it runs only after finding that command, so while finding it
 * treats `-h`/`--help` like an unknown flag that takes the next word: `helm -h status rollback --help=false`
 * runs `rollback status`. Declaring help on runnable commands only (never on the root or a group) makes
 * the parser find the same command; `helm --help` and `helm get --help` are refused as a consequence.
 */
const finish = (c: CommandDef): CommandDef => ({
  ...c,
  ...(c.flags || c.mode
    ? { flags: [...(c.flags ?? []).map(noDashValue), ...(c.mode ? [bool("help", "h")] : [])] }
    : {}),
  ...(c.sub ? { sub: c.sub.map(finish) } : {}),
});

export const HELM: Grammar = {
  binary: "helm",
  normalizeUnderscore: false,
  root: finish({ name: "helm", flags: globals, sub: commands }),
};

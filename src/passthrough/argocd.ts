// argocd's grammar for kube-mcp: the commands and flags each mode allows, and the ones never allowed.
// Read-only lists and inspects applications, sets, projects, clusters and repositories (the server
// redacts cluster and repository credentials); a hard refresh is non-destructive. Everything that
// makes Argo CD apply something (sync, rollback, set/unset of parameters, terminate-op) needs full
// mode: Argo CD applies what its source says with its own identity, so kube-mcp cannot plan and guard
// the change (a parameter can scale to zero, a source can hold RBAC). The server
// connection and credentials belong to kube-mcp: no flag that picks a server, a token, a config file,
// TLS or transport settings passes, nor any command that logs in, mints tokens or administers Argo CD.
//
// Names, aliases and flag arities come from the cobra sources of github.com/argoproj/argo-cd/v3
// v3.6.1 (cmd/argocd/commands/*.go, cmd/util/app.go, util/cli), read via the Go module proxy. The
// binary is not in the test bed, so argocd.test.ts names the source file behind each table instead of
// running `--help`. argocd also takes flags from ARGOCD_OPTS and its config file (util/config,
// localconfig): the runner must spawn it with an empty HOME and without ARGOCD_* variables.

import { checkResourceArgs, duration, maxNumber, outputFormats } from "./common.js";
import {
  bool,
  type Check,
  type CheckCtx,
  COMMON_NEVER,
  type CommandDef,
  type FlagDef,
  type Grammar,
  str,
} from "./grammar.js";

const NEVER = {
  ...COMMON_NEVER,
  target:
    "kube-mcp chooses the Argo CD server, credentials and transport; they are never taken from arguments",
  credentials: "it logs in, prints or mints Argo CD credentials",
  admin: "Argo CD administration (settings, export/import, initial password) is not offered",
  secrets: "its output can include Secret data",
};

const MAX_WAIT_S = 600;

/** argocd's --timeout is whole seconds (uint). 0 means "forever", which waiting commands may not use. */
const seconds =
  (min: number): Check =>
  (v) => {
    const n = Number(v);
    return /^\d{1,4}$/.test(v) && n >= min && n <= MAX_WAIT_S
      ? undefined
      : `must be whole seconds from ${min} to ${MAX_WAIT_S}`;
  };

const TRUE = ["1", "t", "T", "TRUE", "true", "True"];

const oneOf =
  (...values: string[]): Check =>
  (v) =>
    values.includes(v) ? undefined : `use one of: ${values.join(", ")}`;

const globals: FlagDef[] = [
  bool("help", "h", { persistent: true }),
  str("logformat", undefined, { persistent: true, check: oneOf("json", "text") }),
  // debug logs gRPC calls and their metadata.
  str("loglevel", undefined, { persistent: true, check: oneOf("info", "warn", "error") }),
  str("http-retry-max", undefined, { persistent: true, check: maxNumber(5) }),
  ...[
    "server",
    "auth-token",
    "config",
    "server-crt",
    "client-crt",
    "client-crt-key",
    "grpc-web-root-path",
    "header:H",
    "port-forward-namespace",
    "kube-context",
    "argocd-context",
    "server-name",
    "controller-name",
    "repo-server-name",
    "redis-name",
    "redis-haproxy-name",
    "redis-compress",
  ].map((n) => {
    const [long, short] = n.split(":") as [string, string | undefined];
    return str(long, short, { persistent: true, deny: NEVER.target });
  }),
  ...["plaintext", "insecure", "grpc-web", "port-forward", "core"].map((n) =>
    bool(n, undefined, { persistent: true, deny: NEVER.target }),
  ),
  bool("prompts-enabled", undefined, { persistent: true, deny: NEVER.interactive }),
];

const appNs = str("app-namespace", "N");
const out = (...formats: string[]) => str("output", "o", { check: outputFormats(...formats) });
const appOut = out("json", "yaml", "wide", "tree", "tree=detailed");

const args = (ctx: CheckCtx) => checkResourceArgs(ctx.parsed.positionals);
const noArgs = (ctx: CheckCtx) =>
  ctx.parsed.positionals.length ? "this command takes no arguments" : undefined;
const exactly = (n: number, what: string) => (ctx: CheckCtx) =>
  ctx.parsed.positionals.length === n ? args(ctx) : `give ${what}`;
const appsOr =
  (...flags: string[]) =>
  (ctx: CheckCtx) =>
    ctx.parsed.positionals.length || flags.some((f) => ctx.has(f))
      ? args(ctx)
      : `name the application(s), or pass ${flags.map((f) => `--${f}`).join(" or ")}`;
/** Waiting commands block until done; without --async they need a bounded --timeout. */
const bounded = (ctx: CheckCtx) =>
  ctx.has("timeout") || TRUE.includes(ctx.last("async") ?? "")
    ? undefined
    : `pass --timeout (seconds, at most ${MAX_WAIT_S})${ctx.parsed.path.at(-1) === "sync" ? " or --async" : ""}`;
const both =
  (...checks: ((ctx: CheckCtx) => string | undefined)[]) =>
  (ctx: CheckCtx) => {
    for (const c of checks) {
      const why = c(ctx);
      if (why) return why;
    }
    return undefined;
  };

const sourceSel = [str("source-position"), str("source-name")];
const full = { mode: "full" as const };

/** `app set`: parameters and revisions; retargeting or automating sync can delete. */
const appSet: CommandDef = {
  name: "set",
  mode: "full",
  flags: [
    appNs,
    ...sourceSel,
    str("parameter", "p"),
    str("revision"),
    ...["helm-set", "helm-set-string", "release-name", "kustomize-image", "kustomize-replica"].map((n) =>
      str(n),
    ),
    str("values", undefined, {
      check: (v) =>
        v.includes("://")
          ? "values files are paths in the application's repository; a URL makes the repo server fetch it"
          : undefined,
    }),
    ...["repo", "path", "dest-server", "dest-name", "dest-namespace", "project", "sync-option"].map((n) =>
      str(n, undefined, full),
    ),
    str("sync-policy", undefined, full),
    ...["auto-prune", "self-heal", "allow-empty"].map((n) => bool(n, undefined, full)),
    str("values-literal-file", undefined, { deny: NEVER.files }),
    str("helm-set-file", undefined, { deny: NEVER.files }),
    bool("helm-pass-credentials", undefined, { deny: "it sends repository credentials to every domain" }),
  ],
  check: exactly(1, "one application"),
};

const app: CommandDef = {
  name: "app",
  sub: [
    {
      name: "list",
      mode: "read-only",
      flags: [
        out("wide", "name", "json", "yaml"),
        str("selector", "l"),
        str("project", "p"),
        str("repo", "r"),
        appNs,
        str("cluster", "c"),
        str("path", "P"),
      ],
      check: noArgs,
    },
    {
      name: "get",
      mode: "read-only",
      flags: [
        appOut,
        str("timeout", undefined, { check: seconds(0) }),
        bool("show-operation"),
        bool("show-params"),
        // A refresh annotates the Application and regenerates its manifests.
        bool("refresh", undefined, { mode: "non-destructive" }),
        bool("hard-refresh", undefined, { mode: "non-destructive" }),
        appNs,
        ...sourceSel,
      ],
      check: exactly(1, "one application"),
    },
    {
      name: "history",
      mode: "read-only",
      flags: [appNs, out("wide", "id")],
      check: exactly(1, "one application"),
    },
    {
      name: "resources",
      mode: "read-only",
      flags: [
        bool("orphaned"),
        appNs,
        str("output", undefined, { check: outputFormats("tree", "tree=detailed") }),
        str("project"),
      ],
      check: exactly(1, "one application"),
    },
    {
      name: "logs",
      mode: "read-only",
      flags: [
        appNs,
        ...["group", "kind", "namespace", "name", "filter", "until-time"].map((n) => str(n)),
        str("tail", undefined, { check: maxNumber(10000) }),
        str("since-seconds", undefined, { check: maxNumber(7 * 86400) }),
        str("container", "c"),
        bool("previous", "p"),
        bool("match-case", "m"),
        bool("follow", "f", { deny: NEVER.interactive }),
      ],
      check: exactly(1, "one application"),
    },
    {
      name: "wait",
      mode: "read-only",
      flags: [
        ...["sync", "health", "suspended", "degraded", "delete", "hydrated", "operation"].map((n) => bool(n)),
        str("selector", "l"),
        str("resource"),
        str("timeout", undefined, { check: seconds(1) }),
        appNs,
        appOut,
      ],
      check: both(appsOr("selector"), bounded),
    },
    {
      name: "actions",
      sub: [
        {
          name: "list",
          mode: "read-only",
          flags: [
            appNs,
            ...["resource-name", "kind", "group", "namespace"].map((n) => str(n)),
            str("out", "o", { check: outputFormats("yaml", "json") }),
          ],
          check: exactly(1, "one application"),
        },
        {
          // Resource actions run arbitrary Lua against live objects.
          name: "run",
          mode: "full",
          flags: [appNs, ...["resource-name", "kind", "group", "namespace"].map((n) => str(n)), bool("all")],
          check: both(exactly(2, "an application and an action"), (ctx) =>
            ctx.has("kind") ? undefined : "pass --kind",
          ),
        },
      ],
    },
    {
      name: "sync",
      mode: "full",
      flags: [
        bool("dry-run"),
        bool("prune", undefined, full),
        bool("force", undefined, full),
        bool("replace", undefined, full),
        str("revision"),
        ...["resource", "label", "info", "revisions", "source-positions", "source-names", "project"].map(
          (n) => str(n),
        ),
        str("selector", "l"),
        str("timeout", undefined, { check: seconds(1) }),
        str("retry-limit", undefined, { check: maxNumber(10) }),
        bool("retry-refresh"),
        str("retry-backoff-duration", undefined, { check: duration }),
        str("retry-backoff-max-duration", undefined, { check: duration }),
        str("retry-backoff-factor", undefined, { check: maxNumber(10) }),
        str("strategy", undefined, { check: oneOf("apply", "hook") }),
        bool("server-side"),
        bool("apply-out-of-sync-only"),
        bool("async"),
        appOut,
        appNs,
        str("local", undefined, { deny: NEVER.files }),
        str("local-repo-root", undefined, { deny: NEVER.files }),
        bool("preview-changes", undefined, { deny: NEVER.interactive }),
      ],
      check: both(appsOr("selector", "project"), bounded),
    },
    {
      name: "rollback",
      mode: "full",
      flags: [
        bool("prune", undefined, full),
        str("timeout", undefined, { check: seconds(1) }),
        appOut,
        appNs,
      ],
      check: both(
        (ctx) =>
          ctx.parsed.positionals.length === 1 || ctx.parsed.positionals.length === 2
            ? args(ctx)
            : "give an application and optionally a history ID",
        bounded,
      ),
    },
    { name: "terminate-op", mode: "full", flags: [appNs], check: exactly(1, "one application") },
    appSet,
    {
      name: "unset",
      mode: "full",
      flags: [
        appNs,
        ...sourceSel,
        str("parameter", "p"),
        str("values"),
        bool("values-literal"),
        str("kustomize-image"),
        str("kustomize-replica"),
      ],
      check: exactly(1, "one application"),
    },
    {
      // An arbitrary patch can retarget the app or turn on automated pruning.
      name: "patch",
      mode: "full",
      flags: [appNs, str("patch"), str("type", undefined, { check: oneOf("json", "merge") })],
      check: both(exactly(1, "one application"), (ctx) => (ctx.has("patch") ? undefined : "pass --patch")),
    },
    {
      name: "delete",
      mode: "full",
      flags: [
        bool("cascade"),
        str("propagation-policy", "p", { check: oneOf("foreground", "background") }),
        bool("yes", "y"),
        str("selector", "l"),
        bool("wait"),
        appNs,
      ],
      check: appsOr("selector"),
    },
    {
      name: "create",
      deny: `${NEVER.files} (--file) or deploys arbitrary repositories; use the typed write tools`,
    },
    { name: "edit", deny: NEVER.interactive },
    { name: "diff", deny: `${NEVER.secrets}, and --local reads files` },
    { name: "manifests", deny: `${NEVER.secrets} (rendered manifests), and --local reads files` },
  ],
};

const appset: CommandDef = {
  name: "appset",
  sub: [
    {
      name: "list",
      mode: "read-only",
      flags: [
        out("wide", "name", "json", "yaml"),
        str("selector", "l"),
        str("project", "p"),
        str("appset-namespace", "N"),
      ],
      check: noArgs,
    },
    {
      name: "get",
      mode: "read-only",
      flags: [out("json", "yaml", "wide"), bool("show-params"), str("appset-namespace", "N")],
      check: exactly(1, "one ApplicationSet"),
    },
    {
      name: "delete",
      mode: "full",
      flags: [bool("yes", "y"), bool("wait"), str("appset-namespace", "N")],
      check: (ctx) => (ctx.parsed.positionals.length ? args(ctx) : "name the ApplicationSet(s)"),
    },
    ...["create", "generate"].map((name) => ({ name, deny: NEVER.files })),
  ],
};

const proj: CommandDef = {
  name: "proj",
  aliases: ["project"],
  sub: [
    { name: "list", mode: "read-only", flags: [out("json", "yaml", "wide", "name")], check: noArgs },
    {
      name: "get",
      mode: "read-only",
      flags: [out("json", "yaml", "wide")],
      check: exactly(1, "one project"),
    },
    { name: "delete", mode: "full", check: exactly(1, "one project") },
    {
      name: "role",
      sub: [
        {
          name: "list",
          mode: "read-only",
          flags: [out("json", "yaml", "wide", "name")],
          check: exactly(1, "a project"),
        },
        { name: "get", mode: "read-only", check: exactly(2, "a project and a role") },
        { name: "create-token", aliases: ["token-create"], deny: NEVER.credentials },
      ],
    },
    { name: "edit", deny: NEVER.interactive },
  ],
};

const clusterOut = out("json", "yaml", "wide", "server");
const commands: CommandDef[] = [
  app,
  appset,
  proj,
  {
    name: "cluster",
    sub: [
      { name: "list", mode: "read-only", flags: [clusterOut], check: noArgs },
      {
        name: "get",
        mode: "read-only",
        flags: [clusterOut],
        check: (ctx) => (ctx.parsed.positionals.length ? args(ctx) : "name a cluster"),
      },
      { name: "add", deny: "it installs a cluster-admin service account and reads a kubeconfig" },
      ...["rm", "set", "rotate-auth"].map((name) => ({ name, deny: "cluster registration is not offered" })),
    ],
  },
  {
    name: "repo",
    sub: [
      {
        name: "list",
        mode: "read-only",
        flags: [out("yaml", "json", "url", "wide"), str("refresh", undefined, { check: oneOf("hard") })],
        check: noArgs,
      },
      {
        name: "get",
        mode: "read-only",
        flags: [
          str("project"),
          out("json", "yaml", "wide", "url"),
          str("refresh", undefined, { check: oneOf("hard") }),
        ],
        check: exactly(1, "one repository URL"),
      },
      ...["add", "rm"].map((name) => ({ name, deny: "repository registration carries credentials" })),
    ],
  },
  {
    name: "version",
    mode: "read-only",
    flags: [out("json", "yaml", "wide", "short"), bool("short"), bool("client")],
    check: noArgs,
  },
  {
    name: "account",
    sub: [
      {
        name: "get-user-info",
        aliases: ["whoami"],
        mode: "read-only",
        flags: [out("yaml", "json")],
        check: noArgs,
      },
      { name: "list", mode: "read-only", flags: [out("json", "yaml", "wide", "name")], check: noArgs },
      // Token IDs and dates only, never token values.
      {
        name: "get",
        mode: "read-only",
        flags: [out("json", "yaml", "wide", "name"), str("account", "a")],
        check: noArgs,
      },
      { name: "can-i", mode: "read-only", check: exactly(3, "ACTION RESOURCE SUBRESOURCE") },
      ...["generate-token", "session-token", "update-password", "delete-token", "bcrypt"].map((name) => ({
        name,
        deny: NEVER.credentials,
      })),
    ],
  },
  ...["login", "relogin", "logout", "configure"].map((name) => ({ name, deny: NEVER.credentials })),
  { name: "context", aliases: ["ctx"], deny: NEVER.target },
  { name: "admin", deny: NEVER.admin },
  ...["repocreds", "cert", "gpg"].map((name) => ({
    name,
    deny: "credential and key stores are not offered",
  })),
  { name: "completion", deny: "shell completion scripts are not useful here" },
];

export const ARGOCD: Grammar = {
  binary: "argocd",
  normalizeUnderscore: false,
  root: { name: "argocd", flags: globals, sub: commands },
};

// kubectl's grammar for kube-mcp: the commands and flags each mode allows, and the ones never allowed.
// Flag arities are checked against the real binary's --help in kubectl.test.ts.

import { isCredentialName } from "../policy/vocabulary.js";
import { checkNamespace, checkResourceArgs, duration, maxNumber, outputFormats } from "./common.js";
import {
  allows,
  bool,
  type CheckCtx,
  COMMON_NEVER,
  type CommandDef,
  type FlagDef,
  type Grammar,
  str,
} from "./grammar.js";

const NEVER = {
  ...COMMON_NEVER,
  verbose: "verbosity above 4 logs HTTP bodies, including Secret data",
};

const globals: FlagDef[] = [
  str("namespace", "n", { persistent: true, check: checkNamespace }),
  str("request-timeout", undefined, { persistent: true, check: duration }),
  bool("help", "h", { persistent: true }),
  str("v", "v", { persistent: true, check: (v) => (/^[0-4]$/.test(v) ? undefined : NEVER.verbose) }),
  bool("warnings-as-errors", undefined, { persistent: true }),
  bool("match-server-version", undefined, { persistent: true }),
  bool("disable-compression", undefined, { persistent: true }),
  str("log-flush-frequency", undefined, { persistent: true }),
  ...[
    "server:s",
    "kubeconfig",
    "context",
    "cluster",
    "user",
    "token",
    "username",
    "password",
    "certificate-authority",
    "client-certificate",
    "client-key",
    "tls-server-name",
    "kuberc",
  ].map((n) => {
    const [long, short] = n.split(":") as [string, string | undefined];
    return str(long, short, { persistent: true, deny: NEVER.target });
  }),
  bool("insecure-skip-tls-verify", undefined, { persistent: true, deny: NEVER.target }),
  ...["as", "as-group", "as-uid", "as-user-extra"].map((n) =>
    str(n, undefined, { persistent: true, deny: NEVER.identity }),
  ),
  ...["cache-dir", "profile", "profile-output"].map((n) =>
    str(n, undefined, { persistent: true, deny: NEVER.files }),
  ),
  str("vmodule", undefined, { persistent: true, deny: NEVER.verbose }),
];

const fileFlag = str("filename", "f", { deny: NEVER.files });
const files = [fileFlag, str("kustomize", "k", { deny: NEVER.files }), bool("recursive", "R")];
const selector = [str("selector", "l"), str("field-selector")];
const allNs = bool("all-namespaces", "A");
const dryRun = str("dry-run", undefined, {
  check: (v) => (["none", "client", "server"].includes(v) ? undefined : "use none, client or server"),
});
const out = (...formats: string[]) => str("output", "o", { check: outputFormats(...formats) });
const resources = (ctx: CheckCtx) => checkResourceArgs(ctx.parsed.positionals);
const needsArgs = (what: string) => (ctx: CheckCtx) =>
  ctx.parsed.positionals.length ? checkResourceArgs(ctx.parsed.positionals) : `name ${what}`;

/**
 * kubectl sorts on the objects before any redaction, so the order it prints is an oracle for a field
 * kube-mcp masks (create Secrets holding guesses, sort by `.data.password`, bisect). Sorting is
 * refused on the paths that can hold a masked value; names, times, counts and status sort as before.
 */
const REDACTED_PATH = new Set([
  "data",
  "stringdata",
  "binarydata",
  "env",
  "args",
  "command",
  "annotations",
  "value",
  "release",
]);
const sortBy = (v: string): string | undefined => {
  const segments = v.split(/[^A-Za-z0-9_-]+/).filter(Boolean);
  const bad = segments.find((s) => REDACTED_PATH.has(s.toLowerCase()) || isCredentialName(s));
  return bad === undefined
    ? undefined
    : `sorting by "${v}" is refused: kubectl would sort on values kube-mcp redacts ("${bad}"); sort by .metadata or .status fields, or use -o json with the filter's jq sort_by on redacted values`;
};

const HEALTH = /^\/(healthz|livez|readyz)(\/[a-z0-9-]+)?(\?verbose(=true|=1)?)?$|^\/version$/;

const get: CommandDef = {
  name: "get",
  mode: "read-only",
  flags: [
    ...files,
    ...selector,
    allNs,
    out("", "wide", "name", "json", "yaml", "jsonpath=", "custom-columns="),
    bool("no-headers"),
    bool("show-kind"),
    bool("show-labels"),
    bool("ignore-not-found"),
    bool("server-print"),
    bool("show-managed-fields"),
    str("chunk-size"),
    str("label-columns", "L"),
    str("sort-by", undefined, { check: sortBy }),
    str("subresource", undefined, {
      check: (v) => (["status", "scale"].includes(v) ? undefined : "only status and scale"),
    }),
    str("raw", undefined, {
      check: (v) =>
        HEALTH.test(v)
          ? undefined
          : "only the health paths (/healthz, /livez, /readyz, /version) are allowed raw; use the typed tools for anything else",
    }),
    bool("watch", "w", { deny: NEVER.interactive }),
    bool("watch-only", undefined, { deny: NEVER.interactive }),
    bool("output-watch-events", undefined, { deny: NEVER.interactive }),
    str("template", undefined, {
      deny: "templates can extract Secret values; use -o json with the jq filter",
    }),
  ],
  check: (ctx) =>
    ctx.has("raw")
      ? ctx.parsed.positionals.length
        ? "--raw takes no resource arguments"
        : undefined
      : needsArgs("a resource type, e.g. pods")(ctx),
};

const logs: CommandDef = {
  name: "logs",
  mode: "read-only",
  flags: [
    str("container", "c"),
    bool("previous", "p"),
    str("tail", undefined, { check: maxNumber(10000) }),
    str("since", undefined, { check: duration }),
    str("since-time"),
    bool("timestamps"),
    bool("all-containers"),
    bool("all-pods"),
    str("selector", "l"),
    bool("prefix"),
    str("max-log-requests", undefined, { check: maxNumber(20) }),
    str("limit-bytes"),
    bool("ignore-errors"),
    str("pod-running-timeout", undefined, { check: duration }),
    bool("follow", "f", { deny: NEVER.interactive }),
  ],
  check: (ctx) =>
    ctx.parsed.positionals.length || ctx.has("selector")
      ? resources(ctx)
      : "name a pod (or TYPE/NAME), or pass -l",
};

const top: CommandDef = {
  name: "top",
  sub: [
    {
      name: "node",
      aliases: ["nodes", "no"],
      mode: "read-only",
      flags: [
        str("selector", "l"),
        str("sort-by"),
        bool("no-headers"),
        bool("show-capacity"),
        bool("use-protocol-buffers"),
      ],
      check: resources,
    },
    {
      name: "pod",
      aliases: ["pods", "po"],
      mode: "read-only",
      flags: [
        ...selector,
        allNs,
        str("sort-by"),
        bool("containers"),
        bool("no-headers"),
        bool("sum"),
        bool("use-protocol-buffers"),
      ],
      check: resources,
    },
  ],
};

const rollout: CommandDef = {
  name: "rollout",
  sub: [
    {
      name: "status",
      mode: "read-only",
      flags: [
        ...files,
        str("selector", "l"),
        str("revision"),
        bool("watch", "w"),
        str("timeout", undefined, { check: duration }),
      ],
      check: needsArgs("a workload, e.g. deployment/web"),
    },
    {
      name: "history",
      mode: "read-only",
      flags: [...files, str("selector", "l"), str("revision"), out("", "json", "yaml", "name")],
      check: needsArgs("a workload"),
    },
    ...["restart", "pause", "resume", "undo"].map(
      (name): CommandDef => ({
        name,
        mode: "non-destructive",
        flags: [
          ...files,
          str("selector", "l"),
          out("", "json", "yaml", "name"),
          ...(name === "undo" ? [str("to-revision"), dryRun] : [str("field-manager")]),
        ],
        check: needsArgs("a workload"),
      }),
    ),
  ],
};

const replicas: FlagDef = str("replicas", undefined, {
  check: (v, ctx) =>
    !/^\d+$/.test(v)
      ? "must be a whole number"
      : Number(v) === 0 && !allows(ctx.mode, "full")
        ? "scaling to zero is only allowed in full mode"
        : undefined,
});

// kubectl's imperative verbs (create, run, expose, set, autoscale): planned by their own server-side
// dry run and guarded like every write (src/tools/kubectl-writes.ts), so the mode that allows their
// effect runs them. Files, interactive sessions and credentials stay refused.
const writeFlags = [dryRun, out("", "json", "yaml", "name"), str("field-manager"), bool("save-config")];
const createFlags = [...writeFlags, str("validate")];
const named = (what: string) => (ctx: CheckCtx) =>
  ctx.parsed.positionals.length === 1
    ? checkResourceArgs(["x", ...ctx.parsed.positionals])
    : `name the ${what}`;
const create = (name: string, aliases: string[], flags: FlagDef[], dashDash = false): CommandDef => ({
  name,
  ...(aliases.length ? { aliases } : {}),
  mode: "non-destructive",
  flags: [...createFlags, ...flags],
  check: named(name),
  ...(dashDash ? { dashDash } : {}),
});
const service = (name: string, flags: FlagDef[]) => create(name, [], [str("tcp"), ...flags]);
const podTemplateWrite = (name: string, flags: FlagDef[]): CommandDef => ({
  name,
  mode: "non-destructive",
  flags: [
    ...files,
    ...writeFlags.filter((f) => f.long !== "save-config"),
    str("selector", "l"),
    bool("all", undefined, { mode: "full" }),
    bool("local", undefined, { deny: NEVER.files }),
    ...flags,
  ],
  check: needsArgs("a workload, e.g. deployment/web"),
});
const IMPERATIVE: CommandDef[] = [
  {
    name: "create",
    flags: [
      ...files,
      str("raw", undefined, { deny: "raw API access is not allowed" }),
      bool("edit", undefined, { deny: NEVER.interactive }),
    ],
    sub: [
      create("deployment", ["deploy"], [str("image"), str("port"), str("replicas", "r")], true),
      create("job", [], [str("image"), str("from")], true),
      create("cronjob", ["cj"], [str("image"), str("schedule"), str("restart")], true),
      create(
        "configmap",
        ["cm"],
        [
          str("from-literal"),
          bool("append-hash"),
          str("from-file", undefined, { deny: NEVER.files }),
          str("from-env-file", undefined, { deny: NEVER.files }),
        ],
      ),
      create("namespace", ["ns"], []),
      create("serviceaccount", ["sa"], []),
      create("quota", ["resourcequota"], [str("hard"), str("scopes")]),
      create(
        "priorityclass",
        ["pc"],
        [str("value"), bool("global-default"), str("description"), str("preemption-policy")],
      ),
      create("poddisruptionbudget", ["pdb"], [str("min-available"), str("max-unavailable"), str("selector")]),
      create("ingress", ["ing"], [str("rule"), str("class"), str("default-backend"), str("annotation")]),
      create("role", [], [str("verb"), str("resource"), str("resource-name")]),
      create(
        "clusterrole",
        [],
        [
          str("verb"),
          str("resource"),
          str("resource-name"),
          str("non-resource-url"),
          str("aggregation-rule"),
        ],
      ),
      create(
        "rolebinding",
        [],
        [str("role"), str("clusterrole"), str("user"), str("group"), str("serviceaccount")],
      ),
      create(
        "clusterrolebinding",
        [],
        [str("clusterrole"), str("user"), str("group"), str("serviceaccount")],
      ),
      {
        name: "service",
        aliases: ["svc"],
        sub: [
          service("clusterip", [str("clusterip")]),
          service("nodeport", [str("node-port")]),
          service("loadbalancer", []),
          service("externalname", [str("external-name")]),
        ],
      },
      {
        name: "secret",
        deny: "its values would be in the call's arguments; apply a Secret manifest with resources_apply",
      },
      { name: "token", deny: "it mints a ServiceAccount token, a credential" },
    ],
  },
  {
    name: "run",
    mode: "non-destructive",
    dashDash: true,
    flags: [
      ...files,
      ...createFlags.filter((f) => f.long !== "validate"),
      str("image"),
      str("env"),
      str("labels", "l"),
      str("annotations"),
      str("port"),
      bool("expose"),
      str("restart"),
      bool("command"),
      str("image-pull-policy"),
      str("overrides"),
      str("override-type"),
      bool("privileged"),
      ...["stdin:i", "tty:t", "attach", "rm", "leave-stdin-open", "quiet:q"].map((n) => {
        const [long, short] = n.split(":") as [string, string | undefined];
        return bool(long, short, { deny: NEVER.interactive });
      }),
    ],
    check: named("pod"),
  },
  {
    name: "expose",
    mode: "non-destructive",
    flags: [
      ...files,
      ...writeFlags,
      str("port"),
      str("target-port"),
      str("protocol"),
      str("type"),
      str("name"),
      str("selector"),
      str("labels", "l"),
      str("cluster-ip"),
      str("external-ip"),
      str("load-balancer-ip"),
      str("session-affinity"),
      str("overrides"),
      str("override-type"),
    ],
    check: needsArgs("what to expose, e.g. deployment/web"),
  },
  {
    name: "autoscale",
    mode: "non-destructive",
    flags: [...files, ...writeFlags, str("min"), str("max"), str("cpu"), str("memory"), str("name")],
    check: needsArgs("a workload, e.g. deployment/web"),
  },
  {
    name: "set",
    sub: [
      podTemplateWrite("image", []),
      podTemplateWrite("resources", [str("containers", "c"), str("limits"), str("requests")]),
      podTemplateWrite("env", [
        str("containers", "c"),
        str("env", "e"),
        bool("overwrite"),
        str("keys"),
        str("prefix"),
        str("from", undefined, {
          deny: "it copies a Secret's or ConfigMap's values into the pod spec as plain text; reference them with resources_patch (envFrom)",
        }),
        bool("list", undefined, {
          deny: "--list prints environment values as text; read them with resources_get",
        }),
        bool("resolve", undefined, { deny: "--resolve prints Secret values" }),
      ]),
      ...["selector", "serviceaccount", "subject"].map((name) => ({
        name,
        ...(name === "serviceaccount" ? { aliases: ["sa"] } : {}),
        deny: "not offered through the passthrough yet; use resources_patch",
      })),
    ],
  },
];

const commands: CommandDef[] = [
  get,
  {
    name: "describe",
    mode: "read-only",
    flags: [...files, str("selector", "l"), allNs, bool("show-events"), str("chunk-size")],
    check: needsArgs("a resource type"),
  },
  logs,
  top,
  {
    name: "explain",
    mode: "read-only",
    flags: [
      bool("recursive"),
      str("api-version"),
      str("output", "o", { check: outputFormats("plaintext", "plaintext-openapiv2") }),
    ],
    check: needsArgs("a resource, e.g. pods.spec"),
  },
  {
    name: "api-resources",
    mode: "read-only",
    flags: [
      str("api-group"),
      bool("cached"),
      bool("namespaced"),
      bool("no-headers"),
      out("", "wide", "name"),
      str("sort-by"),
      str("verbs"),
      str("categories"),
    ],
  },
  { name: "api-versions", mode: "read-only" },
  { name: "version", mode: "read-only", flags: [bool("client"), out("", "json", "yaml")] },
  { name: "cluster-info", mode: "read-only", sub: [{ name: "dump", deny: NEVER.files }] },
  {
    name: "events",
    aliases: ["ev"],
    mode: "read-only",
    flags: [
      allNs,
      str("for"),
      str("types"),
      bool("no-headers"),
      out("", "wide", "json", "yaml"),
      str("chunk-size"),
      bool("watch", "w", { deny: NEVER.interactive }),
    ],
  },
  {
    name: "auth",
    sub: [
      {
        name: "can-i",
        mode: "read-only",
        // --as and --as-group ask about another subject: answered by a SubjectAccessReview
        // (src/kube/subject-review.ts), never by impersonating it.
        flags: [
          allNs,
          bool("list"),
          bool("no-headers"),
          bool("quiet", "q"),
          str("subresource"),
          str("as"),
          str("as-group"),
        ],
        check: resources,
      },
      { name: "whoami", mode: "read-only", flags: [out("", "json", "yaml")] },
      { name: "reconcile", deny: NEVER.files },
    ],
  },
  {
    name: "wait",
    mode: "read-only",
    flags: [
      fileFlag,
      bool("recursive", "R"),
      ...selector,
      allNs,
      bool("all"),
      str("for"),
      str("timeout", undefined, { check: duration }),
    ],
    check: resources,
  },
  rollout,
  {
    name: "scale",
    mode: "non-destructive",
    flags: [
      ...files,
      str("selector", "l"),
      replicas,
      str("current-replicas"),
      str("resource-version"),
      dryRun,
      out("", "json", "yaml", "name"),
      str("timeout", undefined, { check: duration }),
    ],
    check: needsArgs("a workload, e.g. deployment/web"),
  },
  ...["label", "annotate"].map(
    (name): CommandDef => ({
      name,
      mode: "non-destructive",
      flags: [
        ...files,
        str("selector", "l"),
        bool("overwrite"),
        // kubectl's --list is a read in a write's clothing (it prints every annotation as text,
        // last-applied Secrets included); labels and annotations are read through resources_get.
        bool("list", undefined, { deny: "--list prints annotations as text; read them with resources_get" }),
        str("resource-version"),
        dryRun,
        out("", "json", "yaml", "name"),
        str("field-manager"),
        bool("all", undefined, { mode: "full" }),
        allNs,
      ],
      check: needsArgs("a resource and key=value pairs"),
    }),
  ),
  {
    name: "patch",
    mode: "non-destructive",
    flags: [
      ...files,
      str("patch", "p"),
      str("type"),
      str("subresource"),
      dryRun,
      out("", "json", "yaml", "name"),
      str("field-manager"),
      str("patch-file", undefined, { deny: NEVER.files }),
    ],
    check: needsArgs("a resource"),
  },
  { name: "cordon", mode: "non-destructive", flags: [str("selector", "l"), dryRun], check: resources },
  { name: "uncordon", mode: "non-destructive", flags: [str("selector", "l"), dryRun], check: resources },
  {
    name: "delete",
    mode: "full",
    flags: [
      ...files,
      ...selector,
      allNs,
      bool("all"),
      str("grace-period"),
      bool("now"),
      bool("force"),
      bool("wait"),
      str("timeout", undefined, { check: duration }),
      str("cascade"),
      bool("ignore-not-found"),
      dryRun,
      out("", "name"),
      str("raw", undefined, { deny: "raw API access is not allowed" }),
    ],
    check: (ctx) => (ctx.parsed.positionals.length ? resources(ctx) : "name what to delete"),
  },
  {
    name: "drain",
    mode: "full",
    flags: [
      bool("ignore-daemonsets"),
      bool("delete-emptydir-data"),
      bool("force"),
      str("grace-period"),
      str("timeout", undefined, { check: duration }),
      str("pod-selector"),
      str("selector", "l"),
      bool("disable-eviction"),
      dryRun,
    ],
    check: needsArgs("a node"),
  },
  {
    name: "taint",
    mode: "full",
    flags: [str("selector", "l"), bool("overwrite"), bool("all"), dryRun, out("", "json", "yaml", "name")],
    check: needsArgs("a node and a taint"),
  },
  {
    name: "exec",
    mode: "full",
    dashDash: true,
    flags: [
      str("container", "c"),
      bool("quiet", "q"),
      str("pod-running-timeout", undefined, { check: duration }),
      bool("stdin", "i", { deny: NEVER.interactive }),
      bool("tty", "t", { deny: NEVER.interactive }),
      fileFlag,
    ],
    check: (ctx) =>
      !ctx.parsed.rest.length ? 'give the command after "--", e.g. exec web-0 -- ls /' : resources(ctx),
  },
  ...["edit", "attach", "port-forward", "proxy", "cp", "debug"].map((name) => ({
    name,
    deny:
      name === "cp" || name === "debug"
        ? `${name} is not offered through the passthrough (${name === "cp" ? NEVER.files : "it is interactive or creates privileged pods"})`
        : NEVER.interactive,
  })),
  ...IMPERATIVE,
  ...["apply", "replace", "diff", "kustomize"].map((name) => ({
    name,
    deny: "it reads manifests from files or runs local programs; use the typed write tools",
  })),
  { name: "config", deny: `${NEVER.target}; clusters_list shows them` },
  { name: "plugin", deny: "plugins run local programs" },
  { name: "certificate", deny: "approving certificates mints credentials" },
];

export const KUBECTL: Grammar = {
  binary: "kubectl",
  normalizeUnderscore: true,
  root: { name: "kubectl", flags: globals, sub: commands },
};

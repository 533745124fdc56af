// istioctl's grammar for kube-mcp: the commands and flags each mode allows, and the ones never allowed.
// Read-only is what inspects the mesh through the pinned cluster (proxy status and config, analysis,
// describe, versions, tags and waypoints); changing log levels is non-destructive; installing, removing
// and anything that prints TLS material, mints credentials or reads local files is refused in every mode.
//
// Names, aliases and flag arities come from the cobra sources of istio 1.29.2 (istio.io/istio
// v0.0.0-20260409200358-0c774325b938, via the Go module proxy), cross-checked unchanged against the
// master snapshot v0.0.0-20260827124520-eed52ebb66ad. The binary is not in the test bed, so
// istioctl.test.ts names the source file behind each table instead of running `--help`.
// istioctl also reads $HOME/.istioctl/config.yaml and ISTIOCTL_* variables (viper): the runner must
// spawn it with an empty HOME and no such variables.

import { checkNamespace, checkResourceArgs, goDuration, maxNumber, outputFormats } from "./common.js";
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
  xds: "it points istioctl at a control plane address, certificates or TLS settings of its choosing; istiod is reached through the pinned cluster",
  port: "it sends requests to another port of the pod than the proxy's fixed admin or debug port",
  verbose: "debug logging can print request and response bodies",
  tls: "it prints the workload's TLS certificates and key material",
  install: "it installs, upgrades or removes Istio; use the typed helm tools",
  interactive: "it opens port-forwards or a browser and never ends",
};

const timeout = goDuration(600);

const oneOf =
  (...values: string[]): Check =>
  (v) =>
    values.includes(v) ? undefined : `use one of: ${values.join(", ")}`;

/** `--use-kube=false` switches analyze to local files only. */
const PARSE_TRUE = ["1", "t", "T", "TRUE", "true", "True"];
const LEVELS = /^[A-Za-z0-9_.:=-]+(,[A-Za-z0-9_.:=-]+)*$/;
const levels: Check = (v) => (LEVELS.test(v) ? undefined : "use [<scope>:]<level>[,<scope>:<level>...]");

const globals: FlagDef[] = [
  str("namespace", "n", { persistent: true, check: checkNamespace }),
  str("istioNamespace", "i", { persistent: true, check: checkNamespace }),
  str("kubeclient-timeout", undefined, { persistent: true, check: timeout }),
  bool("help", "h", { persistent: true }),
  bool("log_as_json", undefined, { persistent: true }),
  str("kubeconfig", "c", { persistent: true, deny: NEVER.target }),
  str("context", undefined, { persistent: true, deny: NEVER.target }),
  ...["as", "as-uid", "as-group"].map((n) => str(n, undefined, { persistent: true, deny: NEVER.identity })),
  str("log_target", undefined, { persistent: true, deny: NEVER.files }),
  ...["log_output_level", "log_stacktrace_level", "vklog"].map((n) =>
    str(n, undefined, { persistent: true, deny: NEVER.verbose }),
  ),
];

const revision = str("revision", "r");
/** clioptions.CentralControlPlaneOptions: how istioctl reaches istiod over XDS. */
const central: FlagDef[] = [
  str("xds-label"),
  str("timeout", undefined, { check: timeout }),
  ...["xds-address", "authority", "cert-dir"].map((n) => str(n, undefined, { deny: NEVER.xds })),
  bool("insecure", undefined, { deny: NEVER.xds }),
  bool("plaintext", undefined, { deny: NEVER.xds }),
  str("xds-port", undefined, { deny: NEVER.port }),
];
const adminPort = str("proxy-admin-port", undefined, { deny: NEVER.port });
const dumpFile = str("file", "f", { deny: NEVER.files });
const out = (...formats: string[]) => str("output", "o", { check: outputFormats(...formats) });
const msgOut = out("log", "json", "yaml");
const threshold = str("output-threshold", undefined, { check: oneOf("Info", "Warning", "Error") });

const noArgs = (ctx: CheckCtx) =>
  ctx.parsed.positionals.length ? `this command takes no arguments` : undefined;
const upTo = (n: number, what: string) => (ctx: CheckCtx) =>
  ctx.parsed.positionals.length > n ? `give at most ${n} ${what}` : checkResourceArgs(ctx.parsed.positionals);
const exactly = (n: number, what: string) => (ctx: CheckCtx) =>
  ctx.parsed.positionals.length === n ? checkResourceArgs(ctx.parsed.positionals) : `give ${what}`;
const podOrSelector = (ctx: CheckCtx) =>
  ctx.parsed.positionals.length || ctx.has("selector") ? upTo(1, "pod")(ctx) : "name a pod or pass -l";

const version = (xds: boolean): CommandDef => ({
  name: "version",
  mode: "read-only",
  flags: [bool("short", "s"), out("json", "yaml"), bool("remote"), revision, ...(xds ? central : [])],
  check: noArgs,
});

const proxyStatus: CommandDef = {
  name: "proxy-status",
  aliases: ["ps"],
  mode: "read-only",
  flags: [
    revision,
    ...central,
    out("table", "json"),
    str("verbosity", "v", { check: maxNumber(1) }),
    str("file", undefined, { deny: NEVER.files }),
    adminPort,
  ],
  check: upTo(1, "proxy (`[<type>/]<name>[.<namespace>]`)"),
};

/** proxy-config subcommands that read one Envoy's config dump. */
const dump = (name: string, aliases: string[], flags: FlagDef[]): CommandDef => ({
  name,
  aliases,
  mode: "read-only",
  flags: [out("json", "yaml", "short"), dumpFile, ...flags],
  check: exactly(1, "one pod, e.g. `web-0.shop` or `deploy/web`"),
});

/** Reads a proxy's log levels; --level and --reset change them. */
const logLevel = (flags: FlagDef[], check: CommandDef["check"]): CommandDef => ({
  name: "log",
  aliases: ["o"],
  mode: "read-only",
  flags: [
    ...flags,
    str("level", undefined, { mode: "non-destructive", check: levels }),
    bool("reset", "r", { mode: "non-destructive" }),
  ],
  check,
});

/** `all` only as the summary: the full dump carries the secrets `secret`/`certificate` are refused for. */
const summaryOnly = str("output", "o", {
  check: (v) =>
    v === "short"
      ? undefined
      : "only -o short; the full dump includes TLS certificates, use a per-type subcommand for json or yaml",
});

const proxyConfig: CommandDef = {
  name: "proxy-config",
  aliases: ["pc"],
  // cobra also has a persistent -o here, but every subcommand that prints declares its own; leaving it
  // out keeps `all`'s stricter -o from being overridden (validate.ts lets inherited definitions win).
  flags: [str("proxy-admin-port", undefined, { persistent: true, deny: NEVER.port })],
  sub: [
    dump("cluster", ["clusters", "c"], [str("fqdn"), str("direction"), str("subset"), str("port")]),
    dump("listener", ["listeners", "l"], [str("address"), str("type"), str("port"), bool("verbose")]),
    dump("route", ["routes", "r"], [str("name"), bool("verbose")]),
    dump("endpoint", ["endpoints", "ep"], [str("address"), str("port"), str("cluster"), str("status")]),
    dump("bootstrap", ["b"], []),
    dump("ecds", ["ec"], []),
    {
      name: "all",
      aliases: ["a"],
      mode: "read-only",
      flags: [
        summaryOnly,
        dumpFile,
        bool("with-headers"),
        bool("verbose"),
        ...["fqdn", "direction", "subset", "port", "address", "type", "name"].map((n) => str(n)),
      ],
      check: exactly(1, "one pod"),
    },
    logLevel([str("selector", "l")], podOrSelector),
    { name: "rootca-compare", aliases: ["rc"], mode: "read-only", check: exactly(2, "two pods to compare") },
    { name: "secret", aliases: ["secrets", "s"], deny: NEVER.tls },
  ],
};

/** ztunnel-config's common flags (commonFlags.attach). */
const zcCommon = [str("node"), dumpFile, adminPort];
const ztunnel = (name: string, aliases: string[], flags: FlagDef[] = []): CommandDef => ({
  name,
  aliases,
  mode: "read-only",
  flags: [out("json", "yaml", "short"), ...zcCommon, ...flags],
  check: upTo(1, "ztunnel pod"),
});

const ztunnelConfig: CommandDef = {
  name: "ztunnel-config",
  aliases: ["zc"],
  sub: [
    ztunnel(
      "workload",
      ["w", "workloads"],
      [str("address"), str("workload-namespace"), str("workload-node")],
    ),
    ztunnel("service", ["services", "s", "svc"], [str("service-namespace")]),
    ztunnel("policy", ["policies", "p", "pol"], [str("policy-namespace")]),
    ztunnel("connections", ["cons"], [str("direction"), bool("raw"), str("workload-namespace")]),
    { ...ztunnel("all", []), flags: [summaryOnly, ...zcCommon, bool("with-headers")] },
    logLevel([out("short"), ...zcCommon], upTo(1, "ztunnel pod")),
    { name: "certificate", aliases: ["certificates", "certs", "cert"], deny: NEVER.tls },
  ],
};

/** Debug types istiod serves over XDS that only read state (no `adsz?push`, `cachez?clear`, dumps). */
const DEBUG_TYPES = [
  "syncz",
  "configz",
  "registryz",
  "endpointz",
  "endpointShardz",
  "instancesz",
  "authorizationz",
  "telemetryz",
  "push_status",
  "mesh",
  "clusterz",
  "networkz",
  "mcsz",
  "ambientz",
  "resourcesz",
  "connections",
];

const experimental: CommandDef = {
  name: "experimental",
  aliases: ["x", "exp"],
  sub: [
    version(true),
    proxyStatus,
    {
      name: "describe",
      aliases: ["des"],
      sub: ["pod:po", "service:svc"].map((n): CommandDef => {
        const [name, alias] = n.split(":") as [string, string];
        return {
          name,
          aliases: [alias],
          mode: "read-only",
          flags: [bool("ignoreUnmeshed"), adminPort],
          check: exactly(1, `one ${name}`),
        };
      }),
    },
    {
      name: "precheck",
      mode: "read-only",
      flags: [bool("skip-controlplane"), threshold, msgOut, str("from-version", "f"), revision],
      check: noArgs,
    },
    {
      name: "authz",
      sub: [
        {
          name: "check",
          mode: "read-only",
          flags: [dumpFile, adminPort],
          check: exactly(1, "one pod"),
        },
      ],
    },
    {
      name: "internal-debug",
      mode: "read-only",
      flags: [revision, ...central, bool("list", "L"), bool("all")],
      check: (ctx) => {
        const [type, ...more] = ctx.parsed.positionals;
        if (type === undefined) return ctx.has("list") ? undefined : "name a debug type, or pass --list";
        if (more.length) return "give one debug type";
        return DEBUG_TYPES.includes(type)
          ? undefined
          : `debug type "${type}" is not allowed; use one of: ${DEBUG_TYPES.join(", ")}`;
      },
    },
    { name: "injector", sub: [{ name: "list", mode: "read-only", flags: [revision], check: noArgs }] },
    {
      name: "metrics",
      aliases: ["m"],
      mode: "read-only",
      flags: [str("duration", "d", { check: timeout })],
      check: (ctx) =>
        ctx.parsed.positionals.length ? checkResourceArgs(ctx.parsed.positionals) : "name a workload",
    },
    {
      name: "envoy-stats",
      aliases: ["es"],
      mode: "read-only",
      flags: [
        out("json", "yaml", "short", "prom", "prom-merged"),
        str("type", "t", { check: oneOf("server", "clusters") }),
        str("selector", "l"),
        adminPort,
      ],
      check: podOrSelector,
    },
    { name: "check-inject", mode: "read-only", flags: [str("labels", "l")], check: upTo(1, "workload") },
    { name: "workload", deny: `${NEVER.files} (entry configure -o DIR) or creates mesh identities` },
    { name: "config", deny: "it reads istioctl's defaults on the kube-mcp host" },
  ],
};

const commands: CommandDef[] = [
  version(false),
  proxyStatus,
  {
    name: "analyze",
    mode: "read-only",
    flags: [
      bool("list-analyzers", "L"),
      bool("use-kube", "k", {
        check: (v) =>
          PARSE_TRUE.includes(v) ? undefined : "only the live cluster is analyzed; files are not read",
      }),
      bool("color"),
      bool("verbose", "v"),
      str("failure-threshold", undefined, { check: oneOf("Info", "Warning", "Error") }),
      threshold,
      msgOut,
      bool("all-namespaces", "A"),
      str("suppress", "S"),
      str("timeout", undefined, { check: timeout }),
      bool("ignore-unknown"),
      revision,
      str("analyzer"),
      str("meshConfigFile", undefined, { deny: NEVER.files }),
      bool("recursive", "R", { deny: NEVER.files }),
      str("remote-contexts", undefined, { deny: NEVER.target }),
    ],
    check: (ctx) =>
      ctx.parsed.positionals.length
        ? "analyze reads only the live cluster here; file and directory arguments are refused"
        : undefined,
  },
  proxyConfig,
  {
    name: "admin",
    aliases: ["istiod"],
    flags: [str("selector", "l", { persistent: true })],
    sub: [
      {
        name: "log",
        aliases: ["l"],
        mode: "read-only",
        flags: [
          revision,
          out("json", "yaml", "short"),
          // All of these change istiod's logging.
          ...["level", "stack-trace-level"].map((n) =>
            str(n, undefined, { mode: "non-destructive", check: levels }),
          ),
          ...["reset", "log-reset", "stack-trace-reset"].map((n) =>
            bool(n, undefined, { mode: "non-destructive" }),
          ),
          str("ctrlz_port", undefined, { deny: NEVER.port }),
        ],
        check: upTo(1, "istiod pod"),
      },
    ],
  },
  ztunnelConfig,
  experimental,
  {
    name: "waypoint",
    flags: [str("name", undefined, { persistent: true })],
    sub: [
      { name: "list", mode: "read-only", flags: [bool("all-namespaces", "A")], check: noArgs },
      {
        name: "status",
        mode: "read-only",
        flags: [
          bool("wait", "w"),
          str("waypoint-timeout", undefined, { check: timeout }),
          bool("all-namespaces", "A"),
        ],
        check: noArgs,
      },
      // Prints the Gateway YAML only.
      { name: "generate", mode: "read-only", flags: [str("for"), revision], check: noArgs },
      ...["apply", "delete"].map((name) => ({
        name,
        deny: "it creates or deletes waypoint Gateways; use the typed write tools",
      })),
    ],
  },
  {
    name: "tag",
    sub: [
      {
        name: "list",
        aliases: ["show"],
        mode: "read-only",
        flags: [out("table", "json", "yaml")],
        check: noArgs,
      },
      // Prints the webhook YAML only (setTag with generate=true).
      {
        name: "generate",
        mode: "read-only",
        flags: [
          revision,
          str("webhook-name"),
          bool("auto-inject-namespaces"),
          str("manifests", "d", { deny: NEVER.files }),
        ],
        check: exactly(1, "one tag name"),
      },
      { name: "set", deny: "it repoints sidecar injection webhooks; use the typed write tools" },
      { name: "remove", aliases: ["delete"], deny: "it removes sidecar injection webhooks" },
    ],
  },
  { name: "remote-clusters", mode: "read-only", flags: [revision], check: noArgs },
  ...["install:apply", "uninstall", "upgrade", "manifest"].map((n): CommandDef => {
    const [name, ...aliases] = n.split(":") as [string, ...string[]];
    return { name, aliases, deny: NEVER.install };
  }),
  { name: "kube-inject", deny: NEVER.files },
  { name: "validate", aliases: ["v"], deny: NEVER.files },
  { name: "bug-report", deny: `${NEVER.files}, and it can collect Secrets (--full-secrets)` },
  {
    name: "create-remote-secret",
    deny: "it mints a kubeconfig with a service-account token for another cluster",
  },
  { name: "dashboard", aliases: ["dash", "d"], deny: NEVER.interactive },
  { name: "completion", deny: "shell completion scripts are not useful here" },
];

export const ISTIOCTL: Grammar = {
  binary: "istioctl",
  normalizeUnderscore: false,
  root: { name: "istioctl", flags: globals, sub: commands },
};

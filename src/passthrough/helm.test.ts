import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { Mode } from "../config/schema.js";
import { allows, type CommandDef } from "./grammar.js";
import { HELM } from "./helm.js";
import { parseArgv } from "./parse.js";
import { Refusal, validate } from "./validate.js";

const MODES: Mode[] = ["read-only", "non-destructive", "full"];

const verdict = (argv: string[], mode: Mode = "read-only") => {
  try {
    validate(argv, HELM, mode);
    return "ok";
  } catch (err) {
    if (err instanceof Refusal) return `refused: ${err.message}`;
    throw err;
  }
};

const ok: [string, Mode?][] = [
  ["list"],
  ["ls"],
  ["list -A"],
  ["list --all-namespaces -o json"],
  ["list -Aoyaml"],
  ["list -a -d -r -q"],
  ["list -adrq"],
  ["list --filter ^web -m 10"],
  ["list -f web --max=5 --offset 5"],
  ["list -l owner=helm,name!=x"],
  ["list --selector=status==deployed"],
  ["list --deployed --failed --pending --superseded --uninstalled --uninstalling"],
  ["list --time-format 2006-01-02 --no-headers"],
  ["list -o json -o yaml"],
  ["list -o table"],
  ["list --output=yaml"],
  ["-n shop list"],
  ["list -nshop"],
  ["list -n=shop"],
  ["list --namespace=shop"],
  ["list --filter=web"],
  ["list --filter ^web$ --time-format=15:04"],
  ["status web"],
  ["status web -n shop -o json"],
  ["status web --revision 2 --show-desc"],
  ["status web --show-resources"],
  ["status web --show-resources -o table"],
  ["status web -o json --show-resources=false"],
  ["status delete"],
  ["status get"],
  ["status web.v2"],
  ["history web"],
  ["hist web --max 5 -o yaml"],
  ["get manifest web"],
  ["get manifest web --revision=3"],
  ["get notes web"],
  ["get hooks web -n shop"],
  ["get metadata web -o json"],
  ["get values web"],
  ["get values web -o yaml --revision 2"],
  ["get values all"],
  ["-n shop get values web"],
  ["version"],
  ["version --short"],
  ["get values --help"],
  ["status -h"],
  ["status -h web"],
  ["status --help=true web"],
  ["-n shop status web -h"],
  ["status web --help=false"],
  ["rollback web --help"],
  ["uninstall --help"],
  ["del -h"],
  ["rollback --help"],
  ["rollback web", "non-destructive"],
  ["rollback web 2 --wait --timeout 5m", "non-destructive"],
  ["rollback web 0 --cleanup-on-fail --wait-for-jobs --wait", "non-destructive"],
  ["rollback web --dry-run", "non-destructive"],
  ["rollback web --dry-run=true", "non-destructive"],
  ["rollback web 3 --dry-run=1 --timeout 500ms", "non-destructive"],
  ["rollback web --dry-run=false", "non-destructive"],
  ["rollback web --timeout=2m30s", "non-destructive"],
  ["rollback web --timeout=5m0s", "non-destructive"],
  ["rollback web --timeout 500ms", "non-destructive"],
  ["rollback -n shop web 3", "non-destructive"],
  ["status web", "non-destructive"],
  ["list -A", "full"],
  ["rollback web --force --no-hooks --recreate-pods --history-max 5", "full"],
  ["uninstall web", "full"],
  ["un web --keep-history", "full"],
  ["del web --wait --timeout 10m", "full"],
  ["delete web other --cascade foreground", "full"],
  ["uninstall web --dry-run --no-hooks", "full"],
  ["uninstall web --description=cleanup --ignore-not-found", "full"],
  ["uninstall -n shop web --cascade=orphan", "full"],
  ["install web local/web -n shop --create-namespace --version 1.2.3 --set a=b", "non-destructive"],
  ["install --help", "non-destructive"],
  ["upgrade -i web local/web --reuse-values --set-string a=1 --wait --timeout 5m", "non-destructive"],
  ["-n shop upgrade web local/web --atomic --history-max 3 -o json", "non-destructive"],
  ["upgrade web local/web --force --no-hooks", "full"],
  ["install --dry-run=server web r/c", "non-destructive"],
  ["upgrade web r/c --dry-run", "non-destructive"],
  ["repo list -o json"],
  ["repo ls"],
  ["search repo"],
  ["search repo nginx --versions --devel -o json"],
  ["search repo ^local/ -r --version ^1.0 --max-col-width 80"],
  ["show chart local/web --version 1.2.3"],
  ["show values local/web"],
  ["inspect readme local/web --devel"],
  ["show crds local/web"],
  ["install web oci://registry.example:5000/charts/web --version 1.2.3", "non-destructive"],
  ["show values oci://registry.example/charts/web"],
];

const refused: [string, RegExp, Mode?][] = [
  // T16/T17: target, credentials, identity (every spelling, before and after the command).
  ["list --kube-context=prod", /--kube-context is never allowed/],
  ["list --kube-context prod", /--kube-context is never allowed/],
  ["--kube-context prod list", /--kube-context is never allowed/],
  ["--kube-context=prod status web", /--kube-context is never allowed/],
  ["status web --kubeconfig=/tmp/x", /--kubeconfig is never allowed/],
  ["status web --kubeconfig /tmp/x", /--kubeconfig is never allowed/],
  ["list --kube-apiserver https://evil", /--kube-apiserver is never allowed/],
  ["list --kube-token abc", /--kube-token is never allowed/],
  ["list --kube-ca-file /ca", /--kube-ca-file is never allowed/],
  ["list --kube-insecure-skip-tls-verify", /--kube-insecure-skip-tls-verify is never allowed/],
  ["list --kube-insecure-skip-tls-verify=false", /--kube-insecure-skip-tls-verify is never allowed/],
  ["list --kube-tls-server-name x", /--kube-tls-server-name is never allowed/],
  ["list --kube-as-user admin", /--kube-as-user is never allowed/],
  ["list --kube-as-group system:masters", /--kube-as-group is never allowed/],
  ["list --kube-context=x --help", /--kube-context is never allowed/],
  ["--kube-context get uninstall web", /--kube-context is never allowed/, "full"],
  ["uninstall web --kube-context=prod", /--kube-context is never allowed/, "full"],
  ["uninstall --kube-as-user admin web", /--kube-as-user is never allowed/, "full"],
  // T10/T11: helm has no `_` normalizer and pflag does not prefix-match; both are unknown flags.
  ["list --kube_context=prod", /--kube_context is not a flag/],
  ["list --kube-contex=prod", /--kube-contex is not a flag/],
  ["list -kube-context=prod", /-k is not a flag/],
  ["list --content-cache /x", /--content-cache is not a flag/],
  // Config paths, client settings, debug output.
  ["list --registry-config /x", /--registry-config is never allowed/],
  ["list --repository-config=/x", /--repository-config is never allowed/],
  ["list --repository-cache /x", /--repository-cache is never allowed/],
  ["list --burst-limit 1000", /--burst-limit is never allowed/],
  ["list --qps=1000", /--qps is never allowed/],
  ["status web --debug", /--debug is never allowed/],
  ["--debug list", /--debug is never allowed/],
  ["--debug=false list", /--debug is never allowed/],
  // T30: helm secret surfaces.
  ["get values web --all", /--all is never allowed/],
  ["get values web -a", /--all is never allowed/],
  ["get values web -a=false", /--all is never allowed/],
  ["get values web -oyaml -a", /--all is never allowed/],
  ["get values web -ao json", /--all is never allowed/],
  ["get values -a web", /--all is never allowed/],
  ["get values web --all --help", /--all is never allowed/],
  ["get all web", /"helm get all" is never allowed/],
  ["get all web --template={{.Release.Config}}", /"helm get all" is never allowed/],
  ["get all --help", /"helm get all" is never allowed/],
  ["status web -o yaml --show-resources", /embeds the live objects/],
  ["status web --show-resources -ojson", /embeds the live objects/],
  ["status web --show-resources --output=json", /embeds the live objects/],
  ["status web --show-resources=false -o json --show-resources", /embeds the live objects/],
  ["get foo web", /"foo" is not a helm get command/],
  ["get web", /"web" is not a helm get command/],
  ["get", /needs a subcommand/],
  // T18–T20, T22, T25, T29: charts, values files, URLs, post-renderers, local files, plugins.
  [
    "template ./chart",
    /"helm template" is never allowed: charts come only from the repositories the operator configured/,
  ],
  ["template x oci://reg/chart --dry-run=server", /"helm template" is never allowed/],
  ["template x ./c --post-renderer=/bin/sh", /"helm template" is never allowed/],
  ["template x ./c --output-dir /root", /"helm template" is never allowed/],
  ["install web ./chart", /"\.\/chart" is not REPO\/CHART: local chart paths/, "full"],
  ["install web chart", /is not REPO\/CHART/, "full"],
  ["install web a/b/c", /is not REPO\/CHART/, "full"],
  ["install web ../x", /is not REPO\/CHART/, "full"],
  ["install web local/..", /is not REPO\/CHART/, "full"],
  ["install web oci://evil/chart:1.0", /is not oci:\/\/host\[:port\]\/path\/CHART/, "full"],
  ["install web oci://user:pw@evil/chart", /is not oci:\/\//, "full"],
  ["install web oci://evil/../chart", /is not oci:\/\//, "full"],
  ["install web oci://evil/chart --plain-http", /--plain-http is never allowed/, "full"],
  ["install web https://evil/c.tgz", /is a URL/, "full"],
  ["install web c --repo https://evil", /--repo is never allowed: charts come only from/, "full"],
  ["install web r/c --set-file k=/etc/passwd", /--set-file is never allowed/, "full"],
  ["install web r/c -f /etc/passwd", /--values is never allowed/, "full"],
  ["install web r/c --values=http://169.254.169.254/", /--values is never allowed/, "full"],
  ["install web r/c --post-renderer ./x --post-renderer-args -c", /--post-renderer is never allowed/, "full"],
  ["install --dry-run=sever web r/c", /use --dry-run or --dry-run=false/, "full"],
  ["install web r/c --ca-file /ca --username u --password p", /--ca-file is never allowed/, "full"],
  ["install web r/c --dependency-update", /--dependency-update is never allowed/, "full"],
  ["install web r/c", /"helm install" is not allowed in read-only mode/],
  ["install web r/c --force", /--force is not allowed in non-destructive/, "non-destructive"],
  ["install web", /give a release and a chart/, "full"],
  ["upgrade web ./chart", /is not REPO\/CHART/, "full"],
  ["upgrade --install web r/c -f v.yaml", /--values is never allowed/, "full"],
  ["upgrade web r/c --no-hooks", /--no-hooks is not allowed in non-destructive/, "non-destructive"],
  ["lint ./chart", /"helm lint" is never allowed/],
  ["package ./chart -d /tmp", /"helm package" is never allowed/],
  ["show values ftp://x/y", /is a URL: charts come only from/],
  ["show all ./c", /"helm show all" is never allowed/],
  ["inspect values ./c", /is not REPO\/CHART/],
  ["show values r/c --jsonpath {.a}", /--jsonpath is never allowed/],
  ["show chart r/c --repo https://evil", /--repo is never allowed/],
  ["show readme r/c r/d", /name one chart/],
  ["verify ./c.tgz", /"helm verify" is never allowed/],
  ["pull oci://x --untar --untardir /root", /"helm pull" is never allowed/],
  ["fetch repo/chart", /"helm pull" is never allowed/],
  ["push c.tgz oci://evil", /"helm push" is never allowed/],
  ["search hub mysql", /"helm search hub" is never allowed: it searches Artifact Hub/],
  ["search repo x y", /at most one keyword/],
  ["repo add evil https://evil", /"helm repo add" is never allowed: repositories are the operator's/],
  ["repo list x", /takes no arguments/],
  ["repo update", /"helm repo update" is never allowed/],
  ["registry login r -u a -p b", /"helm registry" is never allowed/],
  ["dependency update ./c", /"helm dependency" is never allowed/],
  ["dep build ./c", /"helm dependency" is never allowed/],
  ["dependencies list", /"helm dependency" is never allowed/],
  ["create /root/x", /"helm create" is never allowed/],
  ["plugin install https://evil/x", /"helm plugin" is never allowed: plugins/],
  ["plugin add https://evil/x", /"helm plugin" is never allowed/],
  ["plugin list", /"helm plugin" is never allowed/],
  ["env", /"helm env" is never allowed/],
  ["env HELM_KUBETOKEN", /"helm env" is never allowed/],
  ["completion bash", /"helm completion" is never allowed/],
  ["test web", /"helm test" is never allowed/, "full"],
  ["test web --logs", /"helm test" is never allowed/, "full"],
  ["help install", /"helm help" is never allowed/],
  ["__complete list", /"__complete" is not a helm command/],
  ["__completeNoDesc status w", /"__completeNoDesc" is not a helm command/],
  ["diff upgrade web ./c", /"diff" is not a helm command/, "full"],
  ["secrets view x", /"secrets" is not a helm command/],
  // T12/T15, T32–T35: case, binary name, hygiene.
  ["Status web", /"Status" is not a helm command/],
  ["LIST", /"LIST" is not a helm command/],
  ["helm list", /leave out the binary name/],
  ["", /empty arguments/],
  ["list\u0000--kube-context=x", /control characters/],
  ["list \u2014kube-context=x", /non-ASCII/],
  ["status web\n--debug", /control characters/],
  // Output formats, last-wins.
  ["list -o wide", /output format "wide" is not allowed/],
  ["list -o jsonpath={..}", /extracting output formats/],
  ["list -o json -o go-template={{.}}", /extracting output formats/],
  ["status web -o name", /output format "name" is not allowed/],
  ["get metadata web -o=table -o csv", /output format "csv"/],
  // Names, positionals, values; T06/T07 flag-value confusion.
  ["status", /name exactly one release/],
  ["status a b", /name exactly one release/],
  ["status Web", /"Web" is not a valid release name/],
  ["status web_1", /"web_1" is not a valid release name/],
  ["status x123456789012345678901234567890123456789012345678901234", /not a valid release name/],
  ["status -n --kube-context=x web", /values starting with "-"/],
  ["-n get uninstall web", /"helm uninstall" is not allowed in read-only mode/],
  ["list --namespace", /needs a value/],
  ["list -n Shop", /not a valid namespace/],
  ["list -n=", /not a valid namespace/],
  ["list web", /list takes no arguments/],
  ["list -m 100000", /whole number up to/],
  ["list --offset -1", /values starting with "-"/],
  ["list --offset 1.5", /must be a whole number/],
  ["list -- --kube-context=x", /does not take arguments after "--"/],
  ["history web --max=abc", /whole number/],
  ["get manifest web --revision=0", /above 0/],
  ["get manifest web --revision=-1", /values starting with "-"/],
  ["get notes", /name exactly one release/],
  ["get values web -ojson", /-o json is not allowed for values: .* use the default output or -o yaml/],
  ["get values web --output=json -o yaml", /-o json is not allowed for values/],
  ["version --template={{.}}", /--template is not a flag/],
  ["version --client", /--client is not a flag/],
  // cobra finds the command before it knows -h/--help, so a leading -h swallows the next word (see helm.ts).
  ["-h status rollback --help=false", /"helm rollback" is not allowed in read-only mode/],
  ["--help status uninstall --help=false", /"helm uninstall" is not allowed in read-only mode/],
  ["-h status __complete status w", /"__complete" is not a helm command/],
  ["-h status version --help=false", /version takes no arguments/],
  ["get -h values all --help=false", /"helm get all" is never allowed/],
  ["get -h values web", /"web" is not a helm get command/],
  ["-h list", /-h is not a flag kube-mcp allows for "helm"/],
  ["--help", /--help is not a flag kube-mcp allows for "helm"/],
  ["get --help", /--help is not a flag kube-mcp allows for "helm get"/],
  // helm pre-reads its global flags from every word, so a flag value that looks like one is both.
  ["list --filter --kube-context=bogus", /values starting with "-" are refused/],
  ["list -f --kube-apiserver=http://evil", /values starting with "-" are refused/],
  ["list --time-format --kubeconfig=/x", /values starting with "-" are refused/],
  ["list -l --kube-token=abc", /values starting with "-" are refused/],
  ["list --filter=--kube-context=x", /values starting with "-" are refused/],
  ["list -f --debug", /values starting with "-" are refused/],
  ["list --max -1", /values starting with "-" are refused/],
  ["uninstall web --description --kube-context=x", /values starting with "-" are refused/, "full"],
  // Mode policy, T13 aliases, T14 --help=false.
  ["rollback web", /"helm rollback" is not allowed in read-only mode/],
  ["rollback --help=false web", /not allowed in read-only mode/],
  ["rollback -h=false web", /not allowed in read-only mode/],
  ["rollback web --force", /--force is not allowed in non-destructive mode/, "non-destructive"],
  ["rollback web --force=false", /--force is not allowed in non-destructive mode/, "non-destructive"],
  ["rollback web --no-hooks", /--no-hooks is not allowed in non-destructive/, "non-destructive"],
  ["rollback web --recreate-pods", /--recreate-pods is not allowed in non-destructive/, "non-destructive"],
  ["rollback web --history-max 1", /--history-max is not allowed in non-destructive/, "non-destructive"],
  ["rollback web --dry-run=server", /plain boolean/, "non-destructive"],
  ["rollback web --dry-run=client", /plain boolean/, "non-destructive"],
  ["rollback web --dry-run=client --dry-run=server", /plain boolean/, "non-destructive"],
  ["rollback web --dry-run=true --dry-run=server", /plain boolean/, "full"],
  ["rollback web --timeout 0s", /above 0/, "non-destructive"],
  ["rollback web --timeout 1h", /at most 10m/, "non-destructive"],
  ["rollback web --timeout 10m1s", /at most 10m/, "non-destructive"],
  ["rollback web --timeout=-1s", /values starting with "-"/, "non-destructive"],
  ["rollback web --timeout 5", /must be a duration/, "non-destructive"],
  ["rollback web --timeout 5mx", /must be a duration/, "non-destructive"],
  ["rollback web two", /must be a whole number/, "full"],
  ["rollback web 1 2", /give a release/, "non-destructive"],
  ["rollback", /give a release/, "non-destructive"],
  ["rollback web --post-renderer x", /--post-renderer is not a flag/, "full"],
  ["rollback web -f v.yaml", /-f is not a flag/, "full"],
  ["rollback web --set-file a=/etc/passwd", /--set-file is not a flag/, "full"],
  ["rollback web --reuse-values", /--reuse-values is not a flag/, "full"],
  ["uninstall web", /"helm uninstall" is not allowed in read-only mode/],
  ["uninstall web", /not allowed in non-destructive mode/, "non-destructive"],
  ["del web", /"helm uninstall" is not allowed in non-destructive/, "non-destructive"],
  ["un web", /"helm uninstall" is not allowed in non-destructive/, "non-destructive"],
  ["delete web", /"helm uninstall" is not allowed in non-destructive/, "non-destructive"],
  ["delete --help=false web", /not allowed in non-destructive/, "non-destructive"],
  ["uninstall web --cascade=yes", /background, foreground or orphan/, "full"],
  ["uninstall", /name the release/, "full"],
  ["uninstall web --timeout 0", /must be a duration/, "full"],
  ["uninstall web --dry-run=server", /plain boolean/, "full"],
  ["uninstall web ../x", /not a valid release name/, "full"],
];

describe("helm validator", () => {
  it.each(ok)("allows %s (%s)", (cmd, mode) => {
    expect(verdict(cmd.split(" "), mode ?? "read-only")).toBe("ok");
  });
  it.each(refused)("refuses %s", (cmd, why, mode) => {
    const argv = cmd === "" ? [""] : cmd.split(" ");
    expect(verdict(argv, mode ?? "read-only")).toMatch(why);
  });

  const denied = (HELM.root.flags ?? []).filter((f) => f.deny);
  const calls: [string[], Mode][] = [
    [["list"], "read-only"],
    [["status", "web"], "read-only"],
    [["get", "values", "web"], "read-only"],
    [["status", "--help"], "read-only"],
    [["rollback", "web"], "non-destructive"],
    [["uninstall", "web"], "full"],
  ];
  it("refuses every never-allowed global flag in every spelling, position and mode", () => {
    for (const f of denied) {
      const forms = f.value
        ? [[`--${f.long}=x`], [`--${f.long}`, "x"], [`--${f.long}=`]]
        : [[`--${f.long}`], [`--${f.long}=true`], [`--${f.long}=false`], [`--${f.long}=1`]];
      for (const [call, least] of calls) {
        for (const mode of MODES.filter((m) => allows(m, least))) {
          for (const form of forms) {
            for (const argv of [
              [...form, ...call],
              [...call, ...form],
              [call[0] as string, ...form, ...call.slice(1)],
            ])
              expect(verdict(argv, mode), argv.join(" ")).toMatch(new RegExp(`--${f.long} is never allowed`));
          }
        }
      }
    }
  });
  it("refuses the never-allowed globals in helm's missing `_` spelling too", () => {
    for (const f of denied.filter((x) => x.long.includes("-")))
      expect(verdict(["list", `--${f.long.replaceAll("-", "_")}=x`])).toMatch(/is not a flag/);
  });

  const deniedCommands = (HELM.root.sub ?? []).filter((c) => c.deny);
  it("refuses every never-allowed command and alias in every mode, with or without --help", () => {
    for (const c of deniedCommands)
      for (const word of [c.name, ...(c.aliases ?? [])])
        for (const mode of MODES)
          for (const tail of [[], ["x"], ["--help"], ["--help=false", "x"], ["-n", "shop", "x"]])
            expect(verdict([word, ...tail], mode), `${word} ${tail.join(" ")}`).toMatch(
              new RegExp(`"helm ${c.name}" is never allowed`),
            );
  });
  it("names the release verbs by every alias", () => {
    for (const word of ["uninstall", "del", "delete", "un"]) {
      expect(verdict([word, "web"], "full")).toBe("ok");
      expect(verdict([word, "web"], "non-destructive")).toMatch(/"helm uninstall" is not allowed/);
    }
    for (const word of ["list", "ls"]) expect(verdict([word])).toBe("ok");
    for (const word of ["history", "hist"]) expect(verdict([word, "web"])).toBe("ok");
  });
});

/** mulberry32: a small seeded generator, so a failing fuzz case can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function allWords(c: CommandDef, out: Set<string>): Set<string> {
  out.add(c.name);
  for (const a of c.aliases ?? []) out.add(a);
  for (const f of c.flags ?? []) {
    out.add(`--${f.long}`);
    out.add(`--${f.long}=x`);
    out.add(`--${f.long}=false`);
    if (f.short) out.add(`-${f.short}`).add(`-${f.short}x`).add(`-${f.short}=x`).add(`-A${f.short}`);
  }
  for (const s of c.sub ?? []) allWords(s, out);
  return out;
}

/**
 * A model of helm's startup pre-parse (newRootCmd): pflag over the whole argv with only the root flags
 * known and unknown flags tolerated. Returns the root flags it sets; it stops at `--` and at -h/--help.
 */
function preParsedGlobals(argv: string[]): string[] {
  const root = HELM.root.flags ?? [];
  const set: string[] = [];
  // stripUnknownFlagValue: an unknown flag takes the next word as its value unless it starts with "-".
  const skipValue = (i: number) => (argv[i + 1] !== undefined && !argv[i + 1]?.startsWith("-") ? i + 1 : i);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--") break;
    if (a.startsWith("--")) {
      const [name, value] = a.slice(2).split(/=(.*)/s) as [string, string | undefined];
      if (!name || name.startsWith("-") || name === "help") break; // bad syntax or ErrHelp ends the parse
      const f = root.find((x) => x.long === name);
      if (!f) i = value === undefined ? skipValue(i) : i;
      else {
        set.push(f.long);
        if (f.value && value === undefined) i++;
      }
    } else if (a.startsWith("-") && a.length > 1) {
      // pflag hands every letter of a cluster the same remaining words and keeps the last letter's result.
      let next = i;
      for (let s = a.slice(1); s.length; s = s.slice(1)) {
        const f = root.find((x) => x.short === s[0]);
        if (!f && s[0] === "h") return set;
        if (!f) {
          next = s[1] === "=" && s.length > 2 ? i : skipValue(i);
          if (s[1] === "=" && s.length > 2) break;
          continue;
        }
        set.push(f.long);
        next = f.value && s.length === 1 ? i + 1 : i;
        if (f.value) break;
      }
      i = next;
    }
  }
  return set;
}

describe("helm validator fuzz", () => {
  const junk = [
    ...["web", "shop", "0", "3", "-1", "5m", "0s", "json", "yaml", "wide", "server", "client", "true"],
    ...[
      "-",
      "--",
      "---",
      "-=",
      "--=",
      "-o=",
      "=",
      "x=y",
      "./chart",
      "oci://r/c",
      "https://e/x",
      "/etc/passwd",
    ],
    ...["-Aoyaml", "-adrq", "-nshop", "-ao", "-hn", "--help=0", "__complete", "ÿ", "\u2014debug", "a\tb", ""],
  ];
  const pool = [...allWords(HELM.root, new Set()), ...junk];
  const random = rng(20240611);
  const pick = () => pool[Math.floor(random() * pool.length)] as string;
  const cases = Array.from({ length: 3000 }, () =>
    Array.from({ length: 1 + Math.floor(random() * 8) }, pick),
  );

  it("returns or refuses (never throws anything else), the same way twice, and monotonically in mode", () => {
    let accepted = 0;
    for (const argv of cases) {
      const decisions = MODES.map((mode) => {
        const first = verdict(argv, mode);
        expect(verdict(argv, mode), JSON.stringify(argv)).toBe(first);
        return first === "ok";
      });
      // Whatever a lower mode allows, every higher mode allows too.
      for (let i = 1; i < decisions.length; i++)
        if (decisions[i - 1]) expect(decisions[i], `${JSON.stringify(argv)} in ${MODES[i]}`).toBe(true);
      if (decisions[0]) accepted++;
    }
    expect(accepted).toBeGreaterThan(0);
  });
  it("never lets a never-allowed flag through, in any mode", () => {
    const deny = new Set((HELM.root.flags ?? []).filter((f) => f.deny).map((f) => f.long));
    for (const argv of cases)
      for (const mode of MODES) {
        try {
          const v = validate(argv, HELM, mode);
          expect(
            v.flags.filter(
              (f) => deny.has(f.name) || (v.path.join(" ") === "get values" && f.name === "all"),
            ),
          ).toEqual([]);
          if (!v.help) expect(v.path[0] === "get" && v.path[1] === "all").toBe(false);
          // helm's own startup pre-parse must not find a never-allowed global either.
          if (!v.help)
            expect(
              preParsedGlobals(argv).filter((n) => deny.has(n)),
              JSON.stringify(argv),
            ).toEqual([]);
        } catch (err) {
          if (!(err instanceof Refusal)) throw err;
        }
      }
  });
});

// One empty HOME (and working directory) for every helm run, with no kubeconfig and no plugins.
const home = mkdtempSync(join(tmpdir(), "helm-sandbox-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));
const execFileAsync = promisify(execFile);
const helm = (args: string[]) =>
  execFileSync(join(inject("testbedBin"), "helm"), args, {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: home, HELM_NO_PLUGINS: "1", KUBECONFIG: join(home, "absent") },
    cwd: home,
    timeout: 10_000,
    stdio: ["ignore", "pipe", "pipe"],
  });
const helmHelp = (path: string[]) => helm([...path, "--help"]);

interface RealFlag {
  value: boolean;
  /** pflag NoOptDefVal (`--f[=v]`): the value is optional, parsed as a boolean's is. */
  optional: boolean;
  short?: string;
}

/** Flags as the real helm declares them (pflag usage lines: a type word marks a value). */
function realFlags(path: string[]): Map<string, RealFlag> {
  const text = helmHelp(path).split(/^Flags:$/m)[1] ?? "";
  const flags = new Map<string, RealFlag>();
  for (const m of text.matchAll(/^ +(?:-(\w), )?--([\w-]+)( [\w.]+(\[=[^\]]*\])?)? {3,}/gm))
    flags.set(m[2] as string, {
      value: m[3] !== undefined,
      optional: m[4] !== undefined,
      ...(m[1] ? { short: m[1] } : {}),
    });
  return flags;
}

function walk(c: CommandDef, path: string[], out: [string[], CommandDef][]): void {
  out.push([path, c]);
  for (const s of c.sub ?? []) walk(s, [...path, s.name], out);
}

describe("helm grammar matches the real binary", () => {
  const nodes: [string[], CommandDef][] = [];
  walk(HELM.root, [], nodes);
  const label = ([p]: [string[], CommandDef]) => p.join(" ") || "(global)";

  it.each(nodes.filter(([, c]) => !c.deny).map((n) => [label(n), n[0], n[1].flags ?? []] as const))(
    "%s: every flag exists with the same arity and shorthand",
    (_label, path, flags) => {
      const real = realFlags(path);
      for (const f of flags) {
        const where = `helm ${path.join(" ")} --${f.long}`;
        expect(real.has(f.long), `${where} exists`).toBe(true);
        const r = real.get(f.long);
        // pflag reads a flag whose value is optional (`--f` or `--f=v`, never `--f v`) as it reads a boolean.
        expect(r?.value && !r.optional, `${where} takes a value`).toBe(f.value);
        expect(r?.short, `${where} shorthand`).toBe(f.short);
      }
    },
  );
  it.each(nodes.filter(([p]) => p.length).map((n) => [label(n), n[0], n[1]] as const))(
    "%s: the command and its aliases exist",
    (_label, path, c) => {
      const text = helmHelp(path);
      expect(text).toMatch(new RegExp(`^Usage:\\n  helm ${path.join(" ")}[ \\n]`, "m"));
      const aliases = /^Aliases:\n {2}(.*)$/m.exec(text)?.[1]?.split(", ") ?? [path.at(-1)];
      expect(aliases).toEqual([c.name, ...(c.aliases ?? [])]);
    },
  );
  it("helm reads global flags out of other flags' values (why values may not start with -)", () => {
    const kubeconfig = join(home, "kubeconfig");
    writeFileSync(
      kubeconfig,
      "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'http://127.0.0.1:1'}}]\n" +
        "contexts: [{name: real, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {}}]\ncurrent-context: real\n",
    );
    const usesBogus = (argv: string[]) => {
      try {
        helm([...argv, "--kubeconfig", kubeconfig]);
        return false;
      } catch (e) {
        return /context "bogus" does not exist/.test(String((e as { stderr?: string }).stderr));
      }
    };
    for (const [cmd, bogus] of [
      ["list --filter --kube-context=bogus", true],
      ["list -qf --kube-context=bogus", true],
      ["list --time-format --kube-context=bogus", true],
      ["list --filter=--kube-context=bogus", false],
    ] as const) {
      const argv = cmd.split(" ");
      expect(usesBogus(argv), cmd).toBe(bogus);
      expect(preParsedGlobals(argv).includes("kube-context"), `model: ${cmd}`).toBe(bogus);
      expect(verdict(argv), cmd).toMatch(/values starting with "-" are refused/);
    }
  });
  it("helm takes the namespace from -ojson-style clusters unless --namespace is passed (the runner must pass it)", async () => {
    // A fake API server that records which namespace helm reads its release Secrets from.
    const seen: string[] = [];
    const server = createServer((req, res) => {
      const ns = /^\/api\/v1\/namespaces\/([^/]+)\/secrets/.exec(req.url ?? "")?.[1];
      if (ns) seen.push(decodeURIComponent(ns));
      res.setHeader("Content-Type", "application/json");
      res.end(
        JSON.stringify(
          ns ? { kind: "SecretList", apiVersion: "v1", items: [] } : { major: "1", minor: "30" },
        ),
      );
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const { port } = server.address() as AddressInfo;
    const kubeconfig = join(home, "fake-kubeconfig");
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'http://127.0.0.1:${port}'}}]\n` +
        "contexts: [{name: c, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {}}]\ncurrent-context: c\n",
    );
    const run = (argv: string[]) =>
      execFileAsync(join(inject("testbedBin"), "helm"), ["--kubeconfig", kubeconfig, ...argv], {
        env: { PATH: process.env.PATH ?? "", HOME: home, HELM_NO_PLUGINS: "1" },
        cwd: home,
        timeout: 10_000,
      }).catch(() => undefined);
    try {
      for (const argv of [
        ["list", "-ojson"],
        ["list", "-ojson", "-q"],
        ["list", "-ojson", "--namespace=shop"],
      ])
        await run(argv);
    } finally {
      server.close();
    }
    expect(verdict(["list", "-ojson", "-q"])).toBe("ok");
    // `-ojson` is read by helm's pre-parse as -o -j -s -o -n: the namespace becomes the next word.
    expect(seen).toEqual(["default", "-q", "shop"]);
  });
  it("every real command group is fully covered by the table (allowed or refused with a reason)", () => {
    for (const [path, c] of nodes.filter(([, n]) => n.sub?.length)) {
      const text =
        helmHelp(path)
          .split(/^Available Commands:$/m)[1]
          ?.split(/^$/m)[0] ?? "";
      const real = [...text.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]);
      expect(real.length, `helm ${path.join(" ")} lists commands`).toBeGreaterThan(0);
      expect(real.filter((n) => !c.sub?.some((s) => s.name === n))).toEqual([]);
    }
  });
});

/** The command cobra found, read from the usage it prints for `ARGV --help` ("" for the root). */
function cobraPath(argv: string[]): string | undefined {
  try {
    const usage = /^Usage:\n {2}helm((?: [a-z][a-z-]*)*)/m.exec(helm([...argv, "--help"]));
    return usage ? (usage[1] as string).trim() : undefined;
  } catch {
    return undefined;
  }
}

/** The command the grammar finds, if it gets that far; denied commands end at the denied node. */
function ourPath(argv: string[]): { path: string; denied: boolean } | undefined {
  try {
    const p = parseArgv(argv, HELM);
    return p.flags.findLast((f) => f.name === "help")?.value === "true" && !p.rest.length
      ? { path: p.path.join(" "), denied: false }
      : undefined;
  } catch (err) {
    const denied = /^"helm ?([^"]*)" is never allowed/.exec((err as Error).message);
    // Only help-like flags, so the appended --help surely wins and helm prints usage instead of running.
    const onlyHelp = argv.every((a) => !a.startsWith("-") || /^(-h|--help)(=false)?$/.test(a));
    return denied && onlyHelp ? { path: denied[1] as string, denied: true } : undefined;
  }
}

describe("helm grammar finds the command cobra runs", () => {
  // Appending --help makes helm print the usage of the command it found, without running it. Words are
  // chosen so that nothing reaches the network even if helm ran (no URLs, no `search hub`).
  const words = [
    ...(HELM.root.sub ?? []).flatMap((c) => [c.name, ...(c.aliases ?? [])]),
    ...["values", "manifest", "notes", "hooks", "metadata", "all", "add", "list", "update", "web", "x", "-"],
    ...["-h", "--help", "--help=false", "-h=false", "-n", "shop", "-nshop", "-o", "json", "-ojson"],
    ...["--revision", "2", "-a", "-A", "--all", "--max", "5", "--debug", "--wait", "--dry-run", "-q", "-f"],
  ];
  const random = rng(77);
  const pick = () => words[Math.floor(random() * words.length)] as string;
  const curated = [
    "-h status rollback",
    "--help status uninstall",
    "-h status version",
    "get -h values all",
    "-n get uninstall web",
    "--debug list",
    "-nshop get -a values web",
    "-h get values web",
    "get values -h all",
    "ls -A",
  ].map((c) => c.split(" "));
  const cases = [
    ...curated,
    ...Array.from({ length: 400 }, () => Array.from({ length: 1 + Math.floor(random() * 5) }, pick)),
  ];

  it("agrees with cobra's Find on which command runs", () => {
    let compared = 0;
    for (const argv of cases) {
      const ours = ourPath([...argv, "--help"]);
      if (!ours) continue;
      const theirs = cobraPath(argv);
      if (theirs === undefined) continue;
      if (ours.denied) expect(`${theirs} `.startsWith(`${ours.path} `), JSON.stringify(argv)).toBe(true);
      else expect(theirs, JSON.stringify(argv)).toBe(ours.path);
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
  });
});

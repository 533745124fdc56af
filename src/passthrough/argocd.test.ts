import { describe, expect, it } from "vitest";
import type { Mode } from "../config/schema.js";
import { ARGOCD } from "./argocd.js";
import type { Grammar } from "./grammar.js";
import { decide, deniedEverywhere, fuzz, leaves } from "./testkit.js";

const verdict = (argv: string[], mode: Mode = "read-only", g: Grammar = ARGOCD) => decide(argv, mode, g);
const words = (cmd: string | string[]) => (Array.isArray(cmd) ? cmd : cmd === "" ? [""] : cmd.split(" "));

const ok: [string | string[], Mode?][] = [
  ["app list"],
  ["app list -o json"],
  ["app list -l team=web -p default -p infra"],
  ["app list -N argocd -c in-cluster -P apps/web -r https://github.com/org/repo"],
  ["app list -owide"],
  ["app get web"],
  ["app get argocd/web -o yaml"],
  ["app get web -o tree=detailed --show-operation"],
  ["app get web --show-params --source-position 1"],
  ["app get web --timeout 30"],
  ["app get secret-store"],
  ["app get server"],
  ["app history web -o id"],
  ["app resources web --output tree"],
  ["app resources web --orphaned --project default"],
  ["app logs web --tail 100 --kind Deployment --name web"],
  ["app logs web -c app -p --since-seconds=600"],
  ["app wait web --health --timeout 120"],
  ["app wait -l team=web --sync --timeout=60"],
  ["app actions list web -o json"],
  ["app actions list web --out yaml --kind Deployment"],
  ["appset list"],
  ["appset list -o yaml -N argocd"],
  ["appset get guestbook --show-params"],
  ["proj list"],
  ["project get default -o yaml"],
  ["proj role list default"],
  ["proj role get default ci"],
  ["cluster list -o server"],
  ["cluster get in-cluster -o json"],
  ["cluster get https://kubernetes.default.svc"],
  ["repo list"],
  ["repo list -o url --refresh hard"],
  ["repo get https://github.com/org/repo --project default"],
  ["version"],
  ["version --client --short"],
  ["version -o json"],
  ["account get-user-info"],
  ["account whoami -o json"],
  ["account list"],
  ["account get -a ci -o yaml"],
  ["account can-i sync applications default/web"],
  ["--loglevel warn app list"],
  ["--logformat=text app list"],
  ["app list --http-retry-max 3"],
  ["--help"],
  ["app --help"],
  ["app delete --help"],
  ["app list --help=false"],
  ["app get web --refresh", "non-destructive"],
  ["app get web --hard-refresh", "full"],
  ["app sync web --timeout 300", "full"],
  ["app sync web --async", "full"],
  ["app sync -l team=web --async --dry-run", "full"],
  ["app sync web --revision abc123 --resource apps:Deployment:web --timeout 60", "full"],
  ["app sync web --async --server-side --apply-out-of-sync-only --strategy apply", "full"],
  ["app sync --project default --async=true", "full"],
  ["app sync web --async --prune", "full"],
  ["app sync web --timeout 60 --force --replace", "full"],
  ["app rollback web 3 --timeout 120", "full"],
  ["app rollback web --timeout 60 --prune", "full"],
  ["app terminate-op web", "full"],
  ["app set web -p image.tag=v1.0.1", "full"],
  ["app set web --revision v1.2.3 --helm-set replicas=2", "full"],
  ["app set web --kustomize-image nginx=nginx:1.27", "full"],
  ["app set web --values values-prod.yaml --values envs/prod/values.yaml", "full"],
  ["app set web --sync-policy automated --auto-prune", "full"],
  ["app set web --dest-namespace web2", "full"],
  ["app unset web -p image.tag", "full"],
  [["app", "patch", "web", "--patch", '{"spec":{"project":"x"}}', "--type", "merge"], "full"],
  ["app delete web -y", "full"],
  ["app delete -l team=web --cascade=false -y", "full"],
  ["app delete web -p background -y --wait", "full"],
  ["app actions run web restart --kind Deployment --resource-name web", "full"],
  ["appset delete guestbook -y", "full"],
  ["proj delete old", "full"],
];

const refused: [string | string[], RegExp, Mode?][] = [
  // T24/T31: sessions, tokens and administration, in every mode.
  ["login argocd.example.com --username admin --password x", /"argocd login" is never allowed/, "full"],
  ["logout prod", /never allowed/, "full"],
  ["relogin", /never allowed/, "full"],
  ["context prod", /never allowed/, "full"],
  ["ctx prod --delete", /never allowed/, "full"],
  ["configure --prompts-enabled", /never allowed/, "full"],
  ["account generate-token", /never allowed/, "full"],
  ["account session-token", /never allowed/, "full"],
  ["account update-password --new-password x", /never allowed/, "full"],
  ["account delete-token x", /never allowed/, "full"],
  ["account bcrypt --password x", /never allowed/],
  ["admin initial-password", /never allowed/, "full"],
  ["admin export", /never allowed/, "full"],
  ["admin settings rbac validate", /never allowed/, "full"],
  ["admin --help", /never allowed/],
  ["cluster add prod-ctx -y", /never allowed: it installs a cluster-admin/, "full"],
  ["cluster rm https://x", /never allowed/, "full"],
  ["cluster set x --name y", /never allowed/, "full"],
  ["cluster rotate-auth x", /never allowed/, "full"],
  ["repo add https://x --password p", /never allowed/, "full"],
  ["repo rm https://x", /never allowed/, "full"],
  ["repocreds list", /never allowed/],
  ["cert list", /never allowed/],
  ["gpg list", /never allowed/],
  ["proj role create-token default ci", /never allowed/, "full"],
  ["project role token-create default ci -t", /never allowed/, "full"],
  ["proj edit default", /never allowed/, "full"],
  // Files, interactive editors, Secret-bearing output.
  ["app create web -f app.yaml", /never allowed/, "full"],
  ["app edit web", /never allowed/, "full"],
  ["app diff web", /never allowed/, "full"],
  ["app manifests web", /never allowed/],
  ["app manifests web --source live", /never allowed/, "full"],
  ["appset create -f x.yaml", /never allowed/, "full"],
  ["appset generate -f x.yaml", /never allowed/],
  ["completion bash", /never allowed/],
  // T13: unknown commands run plugins (argocd-<name> on PATH).
  ["foo", /"foo" is not a argocd command/],
  ["app foo web", /"foo" is not a argocd app command/],
  ["app patch-resource web --kind Secret", /"patch-resource" is not/, "full"],
  ["app get-resource web --kind Secret", /"get-resource" is not/],
  ["APP list", /"APP" is not/],
  ["argocd app list", /leave out the binary name/],
  // T16: server, credentials, transport.
  ["--server evil:443 app list", /--server is never allowed/],
  ["app list --server=evil:443", /--server is never allowed/],
  ["app list --auth-token t", /--auth-token is never allowed/],
  ["app list --config /tmp/c", /--config is never allowed/],
  ["--core app list", /--core is never allowed/],
  ["app list -H Authorization:x", /--header is never allowed/],
  ["app list -HAuthorization:x", /--header is never allowed/],
  ["app list -H=x", /--header is never allowed/],
  ["app list -oH", /output format "H" is not allowed/],
  ["app list --header x", /--header is never allowed/],
  ["app list --insecure", /--insecure is never allowed/],
  ["app list --plaintext=false", /--plaintext is never allowed/],
  ["app list --grpc-web", /--grpc-web is never allowed/],
  ["app list --grpc-web-root-path /x", /--grpc-web-root-path is never allowed/],
  ["app list --port-forward", /--port-forward is never allowed/],
  ["app list --port-forward-namespace argocd", /--port-forward-namespace is never allowed/],
  ["app list --kube-context prod", /--kube-context is never allowed/],
  ["app list --client-crt c --client-crt-key k", /--client-crt is never allowed/],
  ["app list --server-crt s", /--server-crt is never allowed/],
  ["app list --argocd-context prod", /--argocd-context is never allowed/],
  ["app list --server-name x", /--server-name is never allowed/],
  ["app list --redis-name x", /--redis-name is never allowed/],
  ["app list --prompts-enabled", /--prompts-enabled is never allowed/],
  ["app list --repo=x --server x", /--server is never allowed/],
  ["version --kubeconfig /x", /--kubeconfig is not a flag/],
  ["version --token t", /--token is not a flag/],
  ["version -n argocd", /-n is not a flag/],
  ["app --kubeconfig /x list", /--kubeconfig is not a flag/],
  ["--loglevel debug app list", /use one of: info, warn, error/],
  ["--logformat xml app list", /use one of: json, text/],
  ["app list --http-retry-max 100", /whole number up to 5/],
  // Modes.
  ["app sync web --timeout 60", /not allowed in read-only/],
  ["app sync web --timeout 60 --prune", /not allowed in non-destructive/, "non-destructive"],
  ["app sync web --async --force", /not allowed in non-destructive/, "non-destructive"],
  ["app rollback web --timeout 60 --prune=true", /not allowed in non-destructive/, "non-destructive"],
  ["app delete web -y", /not allowed in non-destructive/, "non-destructive"],
  ["appset delete guestbook -y", /not allowed in non-destructive/, "non-destructive"],
  ["proj delete old", /not allowed in read-only/],
  ["app actions run web restart --kind Deployment", /not allowed in non-destructive/, "non-destructive"],
  [["app", "patch", "web", "--patch", "{}"], /not allowed in non-destructive/, "non-destructive"],
  ["app set web --sync-policy automated", /not allowed in non-destructive/, "non-destructive"],
  ["app set web --auto-prune", /not allowed in non-destructive/, "non-destructive"],
  ["app set web --repo https://evil/repo", /not allowed in non-destructive/, "non-destructive"],
  ["app set web -p a=b", /not allowed in read-only/],
  ["app get web --refresh", /--refresh is not allowed in read-only/],
  ["app get web --hard-refresh=false", /--hard-refresh is not allowed in read-only/],
  ["app terminate-op web", /not allowed in read-only/],
  ["app --help=false delete web -y", /not allowed in read-only/],
  // Waiting commands need a bound.
  ["app sync web", /pass --timeout .* or --async/, "full"],
  ["app sync web --async=false", /pass --timeout/, "full"],
  ["app sync web --timeout 0", /whole seconds from 1 to 600/, "non-destructive"],
  ["app sync web --timeout 100000", /whole seconds/, "non-destructive"],
  ["app sync web --timeout 5m", /whole seconds/, "non-destructive"],
  ["app wait web", /pass --timeout/],
  ["app rollback web", /pass --timeout/, "full"],
  ["app get web --timeout -1", /whole seconds/],
  // Files and interactivity inside allowed commands.
  ["app sync web --local ./dir --async", /--local is never allowed/, "full"],
  ["app sync web --local-repo-root / --async", /--local-repo-root is never allowed/, "full"],
  ["app sync web --preview-changes --timeout 10", /--preview-changes is never allowed/, "full"],
  ["app set web --values-literal-file /etc/passwd", /--values-literal-file is never allowed/, "full"],
  ["app set web --helm-set-file k=/etc/shadow", /--helm-set-file is never allowed/, "full"],
  ["app set web --values https://evil.example/v.yaml", /a URL makes the repo server fetch it/, "full"],
  ["app set web --helm-pass-credentials", /--helm-pass-credentials is never allowed/, "full"],
  ["app logs web -f", /--follow is never allowed/],
  ["app logs web -pf", /--follow is never allowed/],
  ["app logs web --follow=false", /--follow is never allowed/],
  ["app logs web --tail 1000000", /whole number up to 10000/],
  // Output formats.
  ["app list -o jsonpath={..}", /extracting output formats/],
  ["app get web -o go-template", /extracting output formats/],
  ["cluster list -o yaml -o custom-columns=x", /extracting output formats/],
  ["repo list -o name", /output format "name" is not allowed/],
  ["app resources web -o tree", /-o is not a flag/],
  // Shapes and hygiene.
  ["app get", /give one application/],
  ["app get a b", /give one application/],
  ["app delete -y", /name the application/, "full"],
  ["app actions run web --kind Deployment", /give an application and an action/, "full"],
  ["app actions run web restart", /pass --kind/, "full"],
  ["app patch web", /pass --patch/, "full"],
  ["account can-i sync", /give ACTION RESOURCE SUBRESOURCE/],
  ["app get ../../etc", /not a valid resource type or name/],
  ["app list -- --server=x", /does not take arguments after "--"/],
  ["app list \u2014server=x", /non-ASCII/],
  ["app get web\u0000--server=x", /control characters/],
  ["app", /needs a subcommand/],
  ["app actions", /needs a subcommand/],
  ["proj role", /needs a subcommand/],
  ["", /empty arguments/],
];

describe("argocd validator", () => {
  it.each(ok)("allows %s (%s)", (cmd, mode) => {
    expect(verdict(words(cmd), mode ?? "read-only")).toBe("ok");
  });
  it.each(refused)("refuses %s", (cmd, why, mode) => {
    expect(verdict(words(cmd), mode ?? "read-only")).toMatch(why);
  });
  it("refuses every never-allowed flag in every spelling and mode, wherever it is visible", () => {
    expect(deniedEverywhere(ARGOCD)).toBeGreaterThan(1000);
  });
});

/*
 * Where each table comes from (github.com/argoproj/argo-cd/v3 v3.6.1, cmd/argocd/commands unless
 * noted). The binary is not in the test bed, so this list replaces the live `--help` comparison
 * kubectl.test.ts makes; the test below fails when a command is added without naming its source.
 * Note: initialize.InitCommand adds kubectl's flags (--kubeconfig, --token, -n, ...) as local flags of
 * version, app, appset, proj, cluster, repo, account; they only matter with --core, so none is listed.
 */
const SOURCES: Record<string, string> = {
  "(global)": "root.go (NewCommand), util/cli/cli.go, initialize/cmd.go",
  "app list": "app.go (NewApplicationListCommand)",
  "app get": "app.go (NewApplicationGetCommand)",
  "app history": "app.go (NewApplicationHistoryCommand)",
  "app resources": "app_resources.go (NewApplicationListResourcesCommand)",
  "app logs": "app.go (NewApplicationLogsCommand)",
  "app wait": "app.go (NewApplicationWaitCommand)",
  "app actions": "app_actions.go",
  "app sync": "app.go (NewApplicationSyncCommand)",
  "app rollback": "app.go (NewApplicationRollbackCommand)",
  "app terminate-op": "app.go (NewApplicationTerminateOpCommand)",
  "app set": "app.go (NewApplicationSetCommand), cmd/util/app.go (AddAppFlags)",
  "app unset": "app.go (NewApplicationUnsetCommand)",
  "app patch": "app.go (NewApplicationPatchCommand)",
  "app delete": "app.go (NewApplicationDeleteCommand)",
  appset: "applicationset.go",
  proj: "project.go, project_role.go",
  cluster: "cluster.go",
  repo: "repo.go",
  version: "version.go",
  account: "account.go",
};

describe("argocd grammar provenance", () => {
  it("names the source of every runnable command", () => {
    for (const [path] of leaves(ARGOCD)) {
      const key = [...path];
      while (key.length && !(key.join(" ") in SOURCES)) key.pop();
      expect(key.length, `source for argocd ${path.join(" ")}`).toBeGreaterThan(0);
    }
  });
});

describe("fuzzing the argocd validator", () => {
  it("never crashes, decides the same way twice, and never passes a never-allowed flag", () => {
    fuzz(ARGOCD, 20261123, ["web", "argocd/web", "default", "60", "0", "json", "tree=detailed", "hard"]);
  });
});

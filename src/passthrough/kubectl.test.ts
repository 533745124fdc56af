import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import type { Mode } from "../config/schema.js";
import type { CommandDef, FlagDef } from "./grammar.js";
import { KUBECTL } from "./kubectl.js";
import { decide } from "./testkit.js";

const verdict = (argv: string[], mode: Mode = "read-only") => decide(argv, mode, KUBECTL);

const ok: [string, Mode?][] = [
  ["get pods"],
  ["get pods -n shop"],
  ["get pods -nshop"],
  ["get pods --namespace=shop"],
  ["-n shop get pods"],
  ["get po,svc -A"],
  ["get pods -Aowide"],
  ["get deploy web -o yaml"],
  ["get secrets"],
  ["get secret db -o json"],
  ["get SECRETS -o yaml"],
  ["get pods -l app=web,tier!=cache"],
  ["get pods --field-selector status.phase!=Running"],
  ["get pods --sort-by=.metadata.creationTimestamp"],
  ["get deploy --sort-by={.spec.replicas}"],
  ["get pods --sort-by=.status.containerStatuses[0].restartCount"],
  ["get --raw /readyz?verbose"],
  ["get --raw /version"],
  ["get nodes --show-labels --no-headers"],
  ["get pods --request-timeout=10s"],
  ["get pods -v=4"],
  ["get pods --help=false"],
  ["describe pod web-0 -n shop"],
  ["describe deployments"],
  ["logs web-0 -c web --tail=100"],
  ["logs deploy/web --since=10m --timestamps"],
  ["logs -l app=web --prefix --all-containers"],
  ["logs web-0 -p"],
  ["top pod -A --sort-by=cpu"],
  ["top nodes"],
  ["explain pods.spec.containers --recursive"],
  ["api-resources --namespaced=true -o wide"],
  ["api-versions"],
  ["get pods -o jsonpath={.items[*].metadata.name}"],
  ["get secret db -o jsonpath={.data}"],
  ["get pods -o yaml -o jsonpath={..env}"],
  ["get nodes -o custom-columns=NAME:.metadata.name,CPU:.status.capacity.cpu"],
  ["version -o json"],
  ["cluster-info"],
  ["events -A --types=Warning"],
  ["auth can-i list secrets -n shop"],
  ["auth can-i list pods --as alice --as-group team-a -n shop"],
  ["auth whoami -o yaml"],
  ["rollout status deployment/web"],
  ["rollout history deploy/web"],
  ["wait --for=condition=Ready pod/web-0 --timeout=30s"],
  ["delete --help"],
  ["exec --help"],
  ["scale deploy/web --replicas=3", "non-destructive"],
  ["create deployment web --image=nginx --replicas=2 --port=80", "non-destructive"],
  ["create deploy web --image=nginx -- /bin/server --flag", "non-destructive"],
  ["create service clusterip web --tcp=80:8080", "non-destructive"],
  ["create svc nodeport web --tcp=80:8080 --node-port=30080", "non-destructive"],
  ["create configmap settings --from-literal=a=b", "non-destructive"],
  ["create job once --image=busybox -- echo hi", "non-destructive"],
  ["create ns team-a", "non-destructive"],
  ["create rolebinding r --clusterrole=view --user=alice", "non-destructive"],
  ["run web --image=nginx --port=80 --labels=app=web", "non-destructive"],
  ["expose deployment/web --port=80 --target-port=8080", "non-destructive"],
  ["set image deployment/web web=nginx:1.27", "non-destructive"],
  ["set env deployment/web LOG=debug OLD-", "non-destructive"],
  ["set resources deployment/web -c web --limits=cpu=200m,memory=256Mi", "non-destructive"],
  ["autoscale deployment/web --min=2 --max=5", "non-destructive"],
  ["rollout restart deploy/web", "non-destructive"],
  ["rollout undo deploy/web --to-revision=2", "non-destructive"],
  ["label pod web-0 tier=frontend --overwrite", "non-destructive"],
  ["annotate deploy web note=hi", "non-destructive"],
  ['patch deploy web -p {"spec":{"replicas":2}}', "non-destructive"],
  ["cordon kwok-node-1", "non-destructive"],
  ["scale deploy/web --replicas=0", "full"],
  ["delete pod web-0 -n shop", "full"],
  ["drain node-1 --ignore-daemonsets", "full"],
  ["exec web-0 -c web -- ls /", "full"],
  ["exec web-0 -- printenv", "full"],
  ["taint nodes node-1 key=v:NoSchedule", "full"],
  ["get pods --insecure_skip_tls_verify=false --help"].slice(0, 0) as unknown as [string],
].filter((c) => c.length) as [string, Mode?][];

const refused: [string, RegExp, Mode?][] = [
  ["get pods --server=https://evil", /--server is never allowed/],
  ["get pods -s https://evil", /--server is never allowed/],
  ["get pods -shttps://evil", /--server is never allowed/],
  ["get pods -s=https://evil", /--server is never allowed/],
  ["get pods -Ashttps://evil", /--server is never allowed/],
  ["--server https://evil get pods", /--server is never allowed/],
  ["get pods --kubeconfig=/tmp/x", /--kubeconfig is never allowed/],
  ["get pods --context prod", /--context is never allowed/],
  ["get pods --token abc", /--token/],
  ["get pods --user admin", /--user/],
  ["get pods --cluster x", /--cluster/],
  ["get pods --insecure-skip-tls-verify", /insecure-skip-tls-verify is never/],
  ["get pods --insecure_skip_tls_verify=true", /insecure-skip-tls-verify is never/],
  ["get pods --as=admin", /--as is never allowed/],
  ["get pods --as_group=system:masters", /--as-group is never/],
  ["get pods --as-uid=0", /--as-uid/],
  ["get pods --client-key=/k", /--client-key/],
  ["get pods --client_key=/k", /--client-key/],
  ["get pods --certificate-authority=/ca", /certificate-authority/],
  ["get pods --tls-server-name=x", /tls-server-name/],
  ["get pods --kuberc=/x", /kuberc/],
  ["get pods --cache-dir=/root", /cache-dir/],
  ["get pods --profile=cpu --profile-output=/root/.bashrc", /--profile/],
  ["get pods -v=8", /verbosity/],
  ["get pods --v=10", /verbosity/],
  ["get pods -v9", /verbosity/],
  ["get pods --vmodule=*=9", /vmodule/],
  ["get pods -f /etc/passwd", /--filename is never allowed/],
  ["get -f https://evil/x.yaml", /--filename/],
  ["get -k ./dir", /--kustomize/],
  ["get pods --filename=x", /--filename/],
  ["get pods -o go-template-file=/etc/passwd", /cannot be redacted/],
  ["get pods -o jsonpath-file=/x", /cannot be redacted/],

  ["get secret db -o go-template={{.data}}", /cannot be redacted/],

  ["get secret db --template={{.data}}", /--template is never allowed/],
  ["get pods -o templatefile", /cannot be redacted/],
  ["get pods -w", /--watch is never allowed/],
  ["get pods -Aw", /--watch/],
  ["get pods --watch-only", /watch-only/],
  ["logs web-0 -f", /--follow is never allowed/],
  ["logs -fsURL web-0", /--follow|--server/],
  ["events --watch", /--watch/],
  ["get --raw /api/v1/secrets", /only the health paths/],
  ["get --raw /api/v1/nodes/n/proxy/x", /only the health paths/],
  ["get --raw /readyz?watch=true", /only the health paths/],
  ["delete pod web-0", /not allowed in read-only mode/],
  ["delete pod web-0", /not allowed in non-destructive mode/, "non-destructive"],
  ["scale deploy/web --replicas=0", /scaling to zero is only allowed in full mode/, "non-destructive"],
  ["scale deploy/web --replicas=3", /not allowed in read-only/],
  ["exec web-0 -- sh", /not allowed in non-destructive/, "non-destructive"],
  ["exec -it web-0 -- sh", /--stdin is never allowed/, "full"],
  ["exec web-0 -t -- sh", /--tty is never allowed/, "full"],
  ["exec web-0", /give the command after/, "full"],
  ["exec --help=false web-0 -- sh", /not allowed in read-only/],
  ["edit deploy web", /never allowed/, "full"],
  ["attach web-0", /never allowed/, "full"],
  ["port-forward web-0 8080", /never allowed/, "full"],
  ["proxy --address=0.0.0.0", /never allowed/, "full"],
  ["cp web-0:/etc/x /tmp/x", /never allowed/, "full"],
  ["run x --image=y -it -- sh", /--stdin is never allowed/, "full"],
  ["run x --image=y --rm", /--rm is never allowed/, "full"],
  ["run x --image=y", /not allowed in read-only/],
  ["create deployment web --image=nginx", /not allowed in read-only/],
  ["create configmap c --from-file=/etc/passwd", /--from-file is never allowed/, "full"],
  ["create secret generic s --from-literal=a=b", /never allowed/, "full"],
  ["create -f x.yaml", /never allowed/, "full"],
  ["set env deploy/web --from=secret/db", /--from is never allowed/, "full"],
  ["set image deploy/web web=nginx --local -f x.yaml", /never allowed/, "full"],
  ["set subject rolebinding/r --user=me", /never allowed/, "full"],
  ["expose deploy/web --port=80 -f x.yaml", /never allowed/, "full"],
  ["debug web-0 -it --image=busybox", /never allowed/, "full"],
  ["apply -f x.yaml", /never allowed/, "full"],
  ["create token default", /never allowed/, "full"],
  ["config view --raw", /never allowed/],
  ["config use prod", /never allowed/],
  ["cluster-info dump", /never allowed/],
  ["auth reconcile -f x", /never allowed/, "full"],
  ["diff -f x", /never allowed/, "full"],
  ["kustomize --helm-command=/bin/sh", /never allowed/, "full"],
  ["set env deploy/web --list --resolve", /never allowed/, "full"],
  ["certificate approve csr-1", /never allowed/, "full"],
  ["plugin list", /never allowed/],
  ["GET pods", /"GET" is not a kubectl command/],
  ["foo", /"foo" is not a kubectl command/],
  ["kubectl get pods", /leave out the binary name/],
  ["get", /name a resource type/],
  ["", /empty arguments/],
  ["get pods\u0000--server=x", /control characters/],
  ["get pods --serv=https://evil", /--serv is not a flag/],
  ["get pods \u2014server=https://evil", /non-ASCII/],
  ["get pods --namespace", /needs a value/],
  ["get pods -n --server=x", /not a valid namespace/],
  ["-n get delete pod web-0", /not a valid namespace|"pod" is not|not allowed in read-only/],
  ["--cache-dir get delete ns prod", /cache-dir is never allowed/],
  ["get pods -- --server=x", /does not take arguments after "--"/],
  ["-h get delete pod x --help=false", /not allowed in read-only mode/],
  ["--help get delete pod x --help=false", /not allowed in read-only mode/],
  ["cluster-info - dump", /never allowed/],
  ["top", /needs a subcommand/],
  ["rollout", /needs a subcommand/],
  ["auth", /needs a subcommand/],
  ["label pod x a=b --all", /--all is not allowed in non-destructive/, "non-destructive"],
  ["get secrets --sort-by=.data.password", /sorting by "\.data\.password" is refused/],
  ["get secrets --sort-by={.data.token}", /refused: kubectl would sort on values/, "full"],
  ["get cm --sort-by=.data.DB_PWD", /refused/],
  ["get deploy --sort-by={.spec.template.spec.containers[0].env[0].value}", /refused/],
  ["get sts --sort-by=.spec.template.spec.containers[0].args[1]", /refused/],
  ["get widgets --sort-by=.spec.masterKey", /refused/],
  [
    "get secrets --sort-by={.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}",
    /refused/,
  ],
];

describe("kubectl validator", () => {
  it.each(ok)("allows %s (%s)", (cmd, mode) => {
    expect(verdict(cmd.split(" "), mode ?? "read-only")).toBe("ok");
  });
  it.each(refused)("refuses %s", (cmd, why, mode) => {
    const argv = cmd === "" ? [""] : cmd.split(" ");
    expect(verdict(argv, mode ?? "read-only")).toMatch(why);
  });
  it("refuses every never-allowed global flag in every spelling and mode", () => {
    const denied = (KUBECTL.root.flags ?? []).filter((f) => f.deny);
    for (const mode of ["read-only", "non-destructive", "full"] as const) {
      for (const f of denied) {
        const forms = [
          `--${f.long}=x`,
          `--${f.long.replaceAll("-", "_")}=x`,
          ...(f.short ? [`-${f.short}x`, `-${f.short}=x`, `-A${f.short}x`] : []),
        ];
        for (const form of forms) expect(verdict(["get", "pods", form], mode), form).toMatch(/never allowed/);
      }
    }
  });
});

/** Flags as the real kubectl declares them: name → takes a value (from `--help`: `=false:`/`=true:` mark booleans). */
function realFlags(bin: string, path: string[]): Map<string, boolean> {
  const text =
    execFileSync(join(bin, "kubectl"), [...path, "--help"], { encoding: "utf8" }) +
    execFileSync(join(bin, "kubectl"), ["options"], { encoding: "utf8" });
  const flags = new Map<string, boolean>();
  for (const m of text.matchAll(/^\s+(?:-\w, )?--([\w-]+)=(.*):$/gm))
    flags.set(m[1] as string, !/^(true|false)$/.test(m[2] as string));
  return flags;
}

function walk(c: CommandDef, path: string[], out: [string[], FlagDef[]][]): void {
  if (!c.deny && path.length) out.push([path, c.flags ?? []]);
  for (const s of c.sub ?? []) walk(s, [...path, s.name], out);
}

describe("kubectl grammar matches the real binary", () => {
  const nodes: [string[], FlagDef[]][] = [[[], KUBECTL.root.flags ?? []]];
  for (const s of KUBECTL.root.sub ?? []) walk(s, [s.name], nodes);
  it.each(nodes.map(([p, f]) => [p.join(" ") || "(global)", p, f] as const))(
    "%s: every flag exists with the same arity",
    (_label, path, flags) => {
      const real = realFlags(inject("testbedBin"), path);
      for (const f of flags.filter((x) => x.long !== "help")) {
        expect(real.has(f.long), `kubectl ${path.join(" ")} --${f.long} exists`).toBe(true);
        expect(real.get(f.long), `kubectl ${path.join(" ")} --${f.long} takes a value`).toBe(f.value);
      }
    },
  );
});

// Applies the fixture objects to a cluster and waits until they have settled, so tests can rely on them.
// Applying again to a cluster that has them is harmless: a running bed is brought up to date this way.
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import type { Kubectl } from "./kube.js";

/** Bump when the fixtures change: a running bed with an older set gets them applied again (bed.ts). */
export const FIXTURES_REVISION = 2;
export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");
/** Every secret value in the fixtures contains this marker; tests grep output for it (and its base64). */
export const CANARY = "kmcp-canary";
/** The marker and its base64 spellings at each of the three byte alignments: a leak in any encoding. */
export const CANARY_FORMS = [
  CANARY,
  ...[0, 1, 2].map((pad) => {
    const b64 = Buffer.from("x".repeat(pad) + CANARY).toString("base64");
    return b64.slice(4 * Math.ceil(pad / 3), 4 * Math.floor((pad + CANARY.length) / 3));
  }),
];

function warningEvents(): string {
  const now = new Date().toISOString();
  const ev = (name: string, ns: string, kind: string, obj: string, reason: string, message: string) => ({
    apiVersion: "v1",
    kind: "Event",
    metadata: { name, namespace: ns },
    involvedObject: { apiVersion: kind === "Pod" ? "v1" : "apps/v1", kind, name: obj, namespace: ns },
    reason,
    message,
    type: "Warning",
    count: 4,
    firstTimestamp: now,
    lastTimestamp: now,
    source: { component: "kube-mcp-testbed" },
    reportingComponent: "kube-mcp-testbed",
  });
  return [
    ev("web.backoff", "shop", "Deployment", "web", "BackOff", "Back-off restarting failed container web"),
    ev(
      "api.unhealthy",
      "shop",
      "Deployment",
      "api",
      "Unhealthy",
      "Readiness probe failed: HTTP probe failed with statuscode: 503",
    ),
    ev(
      "db.failedmount",
      "data",
      "StatefulSet",
      "db",
      "FailedMount",
      'MountVolume.SetUp failed for volume "data": timed out',
    ),
  ]
    .map((e) => stringify(e))
    .join("---\n");
}

function scaleYaml(pods: number): string {
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "scale" } },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "load", namespace: "scale" },
      spec: {
        replicas: pods,
        selector: { matchLabels: { app: "load" } },
        template: {
          metadata: { labels: { app: "load" } },
          spec: { containers: [{ name: "load", image: "registry.example/scale/load:1.0.0" }] },
        },
      },
    },
  ]
    .map((o) => stringify(o))
    .join("---\n");
}

const file = (f: string) => join(FIXTURES_DIR, f);

export type Helm = (args: string[], env?: Record<string, string>) => Promise<string>;

/** The bed's helm bound to one kubeconfig, with its cache and config kept beside it (never ~/.helm). */
export function helmFor(bin: string, kubeconfig: string): Helm {
  const home = join(dirname(kubeconfig), "helm");
  mkdirSync(home, { recursive: true });
  const base = {
    // helm's client-go caches discovery under $HOME/.kube: the bed's own directory, not the caller's cwd.
    HOME: home,
    HELM_CACHE_HOME: join(home, "cache"),
    HELM_CONFIG_HOME: join(home, "config"),
    HELM_DATA_HOME: join(home, "data"),
  };
  return (args, env = {}) =>
    new Promise((resolve, reject) => {
      execFile(
        join(bin, "helm"),
        ["--kubeconfig", kubeconfig, ...args],
        { env: { PATH: process.env.PATH, ...base, ...env }, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => {
          if (err) reject(new Error(`helm ${args.join(" ")}: ${stderr.trim() || err.message}`));
          else resolve(stdout);
        },
      );
    });
}

/** The chart with secret values (canaries in its defaults and in the install's values file). */
export const VAULT_CHART = join(FIXTURES_DIR, "charts", "kmcp-vault");
export const VAULT_VALUES = join(FIXTURES_DIR, "charts", "kmcp-vault.values.yaml");
/** One release per Helm storage driver, both in namespace vault. */
export const HELM_RELEASES = [
  { name: "vault-secret", driver: "secret" },
  { name: "vault-cm", driver: "configmap" },
] as const;

async function installReleases(helm: Helm): Promise<void> {
  for (const { name, driver } of HELM_RELEASES) {
    const env = { HELM_DRIVER: driver };
    const deployed = await helm(["status", name, "-n", "vault", "-o", "json"], env).then(
      (out) => (JSON.parse(out) as { info?: { status?: string } }).info?.status === "deployed",
      () => false,
    );
    if (deployed) continue;
    await helm(["upgrade", "--install", name, VAULT_CHART, "-n", "vault", "-f", VAULT_VALUES], env);
  }
}

export async function applyFixtures(kubectl: Kubectl, cluster: string, helm?: Helm): Promise<void> {
  const ssa = (args: string[], input?: string) =>
    kubectl(
      ["apply", "--server-side", "--field-manager=kube-mcp-testbed", ...args],
      input === undefined ? {} : { input },
    );
  await ssa(["-f", file("00-namespaces.yaml")]);
  for (const ns of ["shop", "data", "ops"]) {
    await kubectl(["wait", "--for=create", `serviceaccount/default`, "-n", ns, "--timeout=60s"]);
  }
  const files = readdirSync(FIXTURES_DIR).filter(
    (f) => /^[1-3]\d-.*\.yaml$/.test(f) || ["40-crd.yaml", "51-secrets.yaml", "60-vault.yaml"].includes(f),
  );
  await ssa(files.flatMap((f) => ["-f", file(f)]));
  await kubectl(["wait", "--for=create", "serviceaccount/default", "-n", "vault", "--timeout=60s"]);
  // Client-side apply on purpose: it writes the last-applied annotation with the secret in it.
  await kubectl(["apply", "-f", file("50-secrets-applied.yaml")]);
  await kubectl(["wait", "--for=condition=Established", "crd/widgets.demo.kube-mcp.io", "--timeout=60s"]);
  await ssa(["-f", file("41-widgets.yaml")]);
  // Events and cluster-info were once created with `kubectl create`: force takes their fields over.
  await ssa(["--force-conflicts", "-f", "-"], warningEvents());
  await ssa(
    ["--force-conflicts", "-f", "-"],
    stringify({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cluster-info", namespace: "default" },
      data: { cluster },
    }),
  );
  // The token controller fills it in; tests read it to prove no output ever shows it.
  await kubectl([
    "wait",
    "--for=jsonpath={.data.token}",
    "-n",
    "vault",
    "secret/reporter-token",
    "--timeout=60s",
  ]);
  if (helm) await installReleases(helm);
  await kubectl(["rollout", "status", "-n", "shop", "deployment/web", "deployment/api", "--timeout=120s"]);
  await kubectl(["rollout", "status", "-n", "data", "statefulset/db", "--timeout=120s"]);
  await kubectl(["rollout", "status", "-n", "ops", "daemonset/node-agent", "--timeout=120s"]);
  await kubectl(["rollout", "status", "-n", "vault", "statefulset/keeper", "--timeout=120s"]);
  if (helm) {
    const deployments = HELM_RELEASES.map((r) => `deployment/${r.name}`);
    await kubectl(["rollout", "status", "-n", "vault", ...deployments, "--timeout=120s"]);
  }
  await kubectl(["wait", "--for=condition=Complete", "-n", "ops", "job/migrate", "--timeout=120s"]);
}

/** The benchmark size knob: `pods` running pods in namespace `scale` (0 removes it). */
export async function applyScale(kubectl: Kubectl, pods: number): Promise<void> {
  if (pods <= 0) {
    await kubectl(["delete", "namespace", "scale", "--ignore-not-found", "--wait=false"]);
    return;
  }
  await kubectl(["apply", "--server-side", "--field-manager=kube-mcp-testbed", "-f", "-"], {
    input: scaleYaml(pods),
  });
  const timeout = Math.max(120, Math.ceil(pods / 20));
  await kubectl(["rollout", "status", "-n", "scale", "deployment/load", `--timeout=${timeout}s`], {
    timeoutMs: (timeout + 30) * 1000,
  });
}

// Cluster API on the bed: `alpha` as the management cluster (the real Cluster CRD, pinned, from
// testbed/fetch-capi.sh; no CAPI controllers, so a test writes Clusters, their status and their Secrets
// itself) and `beta` as what a workload cluster's Secret points at. Each suite uses its own namespace.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { expect } from "vitest";
import { run } from "./run.js";

export function capiBed(kubeconfig: string, bin: string, ns: string) {
  const kubectl = async (args: string[], input?: string) => {
    const r = await run(join(bin, "kubectl"), ["--kubeconfig", kubeconfig, "--context", "alpha", ...args], {
      ...(input !== undefined ? { input } : {}),
    });
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };
  const json = (o: unknown) => kubectl(["apply", "-f", "-"], JSON.stringify(o));
  return {
    kubectl,
    /** Installs the CRD (idempotent; never removed from the shared bed) and creates the namespace. */
    async setUp() {
      const crd = execFileSync(join(import.meta.dirname, "..", "..", "testbed", "fetch-capi.sh"), {
        encoding: "utf8",
      })
        .trim()
        .split("\n")
        .pop() as string;
      await kubectl(["apply", "--server-side", "-f", crd]);
      await kubectl([
        "wait",
        "--for=condition=Established",
        "crd/clusters.cluster.x-k8s.io",
        "--timeout=60s",
      ]);
      await kubectl(["create", "namespace", ns]);
    },
    tearDown: () =>
      run(join(bin, "kubectl"), [
        "--kubeconfig",
        kubeconfig,
        "--context",
        "alpha",
        "delete",
        "ns",
        ns,
        "--wait=false",
      ]),
    /** beta's admin kubeconfig, inline, as CAPI stores a workload cluster's. */
    beta: () =>
      execFileSync(
        join(bin, "kubectl"),
        ["--kubeconfig", kubeconfig, "config", "view", "--raw", "--minify", "--flatten", "--context", "beta"],
        { encoding: "utf8" },
      ),
    /** A provisioned Cluster (its status written as CAPI's controller would). */
    async cluster(name: string, spec: Record<string, unknown> = {}) {
      await json({
        apiVersion: "cluster.x-k8s.io/v1beta1",
        kind: "Cluster",
        metadata: { name, namespace: ns },
        spec: {
          infrastructureRef: {
            apiVersion: "infrastructure.cluster.x-k8s.io/v1beta1",
            kind: "DockerCluster",
            name,
          },
          ...spec,
        },
      });
      const status = JSON.stringify({ status: { phase: "Provisioned" } });
      await kubectl([
        "patch",
        "clusters.cluster.x-k8s.io",
        name,
        "-n",
        ns,
        "--subresource=status",
        "--type=merge",
        "-p",
        status,
      ]);
    },
    secret: (name: string, data: Record<string, string>) =>
      json({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name, namespace: ns },
        data: Object.fromEntries(
          Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")]),
        ),
      }),
  };
}

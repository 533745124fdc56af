// One control plane on loopback: etcd → kube-apiserver → controller-manager, scheduler, kwok, then
// simulated nodes. Any failure stops what this cluster started before the error propagates.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { httpOk, httpsGet, kubectlFor } from "./kube.js";
import { writeKubeconfig } from "./kubeconfig.js";
import { makePki, type Pki } from "./pki.js";
import { freePorts } from "./ports.js";
import { alive, type Started, startDetached, stopAll, waitFor } from "./proc.js";
import { kwokConfigYaml, writeSim } from "./sim.js";

export interface ClusterState {
  name: string;
  server: string;
  dir: string;
  pki: Pki;
  procs: Started[];
  nodes: number;
}

export class PortClash extends Error {}

/** Nodes sized like a real cluster: 110 pods each, at least three. */
export const nodesFor = (pods: number) => Math.max(3, Math.ceil(pods / 100));

export function nodesYaml(count: number): string {
  const nodes = Array.from({ length: count }, (_, i) => ({
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: `kwok-node-${i}`,
      annotations: { "node.alpha.kubernetes.io/ttl": "0", "kwok.x-k8s.io/node": "fake" },
      labels: {
        "kubernetes.io/hostname": `kwok-node-${i}`,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "node.kubernetes.io/instance-type": "kwok.small",
        "topology.kubernetes.io/zone": `zone-${"abc"[i % 3]}`,
        type: "kwok",
      },
    },
    status: {
      allocatable: { cpu: "8", memory: "32Gi", pods: "110" },
      capacity: { cpu: "8", memory: "32Gi", pods: "110" },
      nodeInfo: { kubeletVersion: "fake", architecture: "amd64", operatingSystem: "linux" },
    },
  }));
  return nodes.map((n) => stringify(n)).join("---\n");
}

function failedEarly(procs: Started[]): Started | undefined {
  return procs.find((p) => !alive(p.pid));
}

function diagnose(p: Started): Error {
  const tail = readFileSync(p.log, "utf8").split("\n").slice(-15).join("\n");
  const msg = `${p.name} exited during start-up; last log lines (${p.log}):\n${tail}`;
  return /address already in use|bind: address/i.test(tail) ? new PortClash(msg) : new Error(msg);
}

async function waitUp(
  what: string,
  procs: Started[],
  check: () => Promise<boolean>,
  ms: number,
): Promise<void> {
  await waitFor(what, check, ms, 250, () => {
    const dead = failedEarly(procs);
    return dead ? diagnose(dead) : undefined;
  });
}

export async function startCluster(
  name: string,
  dir: string,
  bin: string,
  nodes: number,
): Promise<ClusterState> {
  rmSync(dir, { recursive: true, force: true });
  const pki = await makePki(join(dir, "pki"), name);
  const [etcdPort, peerPort, apiPort, kwokPort] = (await freePorts(4)) as [number, number, number, number];
  const logs = (c: string) => join(dir, `${c}.log`);
  const procs: Started[] = [];
  const server = `https://127.0.0.1:${apiPort}`;
  const state: ClusterState = { name, server, dir, pki, procs, nodes };
  try {
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    procs.push(
      startDetached(
        "etcd",
        join(bin, "etcd"),
        [
          "--name=node0",
          `--data-dir=${join(dir, "etcd")}`,
          `--listen-client-urls=${etcdUrl}`,
          `--advertise-client-urls=${etcdUrl}`,
          `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
          `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
          `--initial-cluster=node0=http://127.0.0.1:${peerPort}`,
          "--auto-compaction-retention=1",
          "--quota-backend-bytes=8589934592",
          "--unsafe-no-fsync=true",
          "--log-level=warn",
        ],
        logs("etcd"),
        dir,
      ),
    );
    await waitUp(`etcd of ${name}`, procs, () => httpOk(`${etcdUrl}/health`), 30_000);

    procs.push(
      startDetached(
        "kube-apiserver",
        join(bin, "kube-apiserver"),
        [
          `--etcd-servers=${etcdUrl}`,
          "--bind-address=127.0.0.1",
          `--secure-port=${apiPort}`,
          "--advertise-address=127.0.0.1",
          "--endpoint-reconciler-type=none",
          `--cert-dir=${join(dir, "pki")}`,
          `--tls-cert-file=${pki.serverCert}`,
          `--tls-private-key-file=${pki.serverKey}`,
          `--client-ca-file=${pki.caCert}`,
          "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
          `--service-account-key-file=${pki.saPub}`,
          `--service-account-signing-key-file=${pki.saKey}`,
          "--service-cluster-ip-range=10.96.0.0/16",
          "--authorization-mode=Node,RBAC",
          "--allow-privileged=true",
          "--kubelet-preferred-address-types=InternalIP,Hostname",
          `--proxy-client-cert-file=${pki.adminCert}`,
          `--proxy-client-key-file=${pki.adminKey}`,
          "--max-requests-inflight=1000",
          // Fixture events must outlive a long-running bed (the default TTL is one hour).
          "--event-ttl=168h",
          "--max-mutating-requests-inflight=500",
        ],
        logs("kube-apiserver"),
        dir,
      ),
    );
    await waitUp(
      `kube-apiserver of ${name}`,
      procs,
      async () => {
        return (await httpsGet(`${server}/readyz`, pki)).status === 200;
      },
      120_000,
    );

    const kc = join(dir, "admin.kubeconfig");
    writeKubeconfig(kc, [{ name, server, pki }], name);
    const schedConfig = join(dir, "scheduler.yaml");
    writeFileSync(
      schedConfig,
      stringify({
        apiVersion: "kubescheduler.config.k8s.io/v1",
        kind: "KubeSchedulerConfiguration",
        clientConnection: { kubeconfig: kc, qps: 1000, burst: 2000 },
        leaderElection: { leaderElect: false },
      }),
    );
    const sim = writeSim(dir);
    const kwokConfig = join(dir, "kwok.yaml");
    writeFileSync(
      kwokConfig,
      kwokConfigYaml({
        port: kwokPort,
        certFile: pki.serverCert,
        keyFile: pki.serverKey,
        stagesDir: join(bin, "..", "stages"),
        ...sim,
      }),
    );
    procs.push(
      startDetached(
        "kube-controller-manager",
        join(bin, "kube-controller-manager"),
        [
          `--kubeconfig=${kc}`,
          "--leader-elect=false",
          "--secure-port=0",
          `--service-account-private-key-file=${pki.saKey}`,
          `--root-ca-file=${pki.caCert}`,
          `--cluster-signing-cert-file=${pki.caCert}`,
          `--cluster-signing-key-file=${pki.caKey}`,
          "--service-cluster-ip-range=10.96.0.0/16",
          "--use-service-account-credentials=false",
          "--node-monitor-grace-period=3m20s",
          "--kube-api-qps=1000",
          "--kube-api-burst=2000",
          "--concurrent-replicaset-syncs=10",
          "--concurrent-deployment-syncs=10",
        ],
        logs("kube-controller-manager"),
        dir,
      ),
      startDetached(
        "kube-scheduler",
        join(bin, "kube-scheduler"),
        [`--config=${schedConfig}`, "--secure-port=0"],
        logs("kube-scheduler"),
        dir,
      ),
      startDetached(
        "kwok",
        join(bin, "kwok"),
        [`--kubeconfig=${kc}`, `--config=${kwokConfig}`],
        logs("kwok"),
        sim.workDir,
      ),
    );

    const kubectl = kubectlFor(bin, kc);
    await kubectl(["apply", "-f", "-"], { input: nodesYaml(nodes) });
    await waitUp(
      `${nodes} Ready nodes in ${name}`,
      procs,
      async () => {
        const out = await kubectl([
          "get",
          "nodes",
          "-o",
          'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
        ]);
        return out.split("\n").filter((s) => s === "True").length === nodes;
      },
      60_000,
    );
    await waitUp(
      `the default ServiceAccount in ${name}`,
      procs,
      async () => {
        await kubectl(["get", "serviceaccount", "default", "-n", "default"]);
        return true;
      },
      60_000,
    );
    return state;
  } catch (err) {
    await stopAll(procs.map((p) => p.pid));
    throw err;
  }
}

/** Retries a start that lost a port race with fresh ports; other failures surface at once. */
export async function startClusterWithRetry(
  name: string,
  dir: string,
  bin: string,
  nodes: number,
): Promise<ClusterState> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startCluster(name, dir, bin, nodes);
    } catch (err) {
      if (!(err instanceof PortClash) || attempt >= 3) throw err;
      process.stderr.write(`testbed: ${name} lost a port race, retrying with new ports\n`);
    }
  }
}

// What kwok's simulated "containers" do: the log file every container shows, the host directory exec
// runs in, and what a port-forward connects to (port 7 echoes; any other port answers one HTTP request).
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";

export const LOG_LINES = [
  "starting kube-mcp testbed container",
  'level=info msg="listening" addr=:8080',
  'level=warn msg="slow request" path=/api/orders duration=2.3s',
  'level=error msg="upstream unavailable" upstream=db attempt=3',
  'level=info msg="request served" path=/healthz status=200',
];

const HTTP_RESPONDER = `#!/bin/sh
# One HTTP/1.0 exchange: read the request line, answer, close.
read -r _line
body="hello from kube-mcp testbed"
printf 'HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\nContent-Length: %d\\r\\nConnection: close\\r\\n\\r\\n%s' "\${#body}" "$body"
`;

export function writeSim(dir: string): { workDir: string; logFile: string; responder: string } {
  const workDir = join(dir, "sim");
  mkdirSync(workDir, { recursive: true });
  const logFile = join(workDir, "container.log");
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  const lines = LOG_LINES.map((l, i) => `${new Date(t0 + i * 1000).toISOString()} stdout F ${l}`);
  writeFileSync(logFile, `${lines.join("\n")}\n`);
  const responder = join(workDir, "http-responder.sh");
  writeFileSync(responder, HTTP_RESPONDER);
  chmodSync(responder, 0o755);
  writeFileSync(
    join(workDir, "README"),
    "kwok exec runs commands here, on the host, as the test bed's user.\n",
  );
  return { workDir, logFile, responder };
}

/**
 * kwok's stages never start ephemeral containers; this one reports every ephemeral container of a
 * running pod as running (what pods_debug waits for), once per container added.
 */
const EPHEMERAL_STAGE = {
  kind: "Stage",
  apiVersion: "kwok.x-k8s.io/v1alpha1",
  metadata: { name: "pod-ephemeral-running" },
  spec: {
    resourceRef: { apiGroup: "v1", kind: "Pod" },
    selector: {
      matchExpressions: [
        { key: ".metadata.deletionTimestamp", operator: "DoesNotExist" },
        { key: ".status.phase", operator: "In", values: ["Running"] },
        {
          key: "([.spec.ephemeralContainers[]?.name] - [.status.ephemeralContainerStatuses[]?.name]) | length > 0",
          operator: "In",
          values: ["true"],
        },
      ],
    },
    next: {
      statusTemplate: [
        "{{ $now := Now }}",
        "ephemeralContainerStatuses:",
        "{{ range .spec.ephemeralContainers }}",
        "- image: {{ .image | Quote }}",
        "  name: {{ .name | Quote }}",
        "  ready: false",
        "  restartCount: 0",
        "  state:",
        "    running:",
        "      startedAt: {{ $now | Quote }}",
        "{{ end }}",
      ].join("\n"),
    },
  },
};

export interface KwokOptions {
  port: number;
  certFile: string;
  keyFile: string;
  workDir: string;
  logFile: string;
  responder: string;
  /** Directory of kwok Stage manifests (node init/heartbeat, pod ready/complete/delete) from build.sh. */
  stagesDir: string;
}

export function kwokConfigYaml(o: KwokOptions): string {
  const docs = [
    {
      kind: "KwokConfiguration",
      apiVersion: "config.kwok.x-k8s.io/v1alpha1",
      options: {
        cidr: "10.0.0.1/16",
        nodeIP: "127.0.0.1",
        nodeName: "localhost",
        nodePort: o.port,
        serverAddress: `127.0.0.1:${o.port}`,
        tlsCertFile: o.certFile,
        tlsPrivateKeyFile: o.keyFile,
        manageAllNodes: true,
        enableDebuggingHandlers: true,
        nodeLeaseDurationSeconds: 40,
        // Spelled out: with a config file, kwok v0.8.0 leaves these at 0 and refuses to start.
        nodeLeaseParallelism: 4,
        podPlayStageParallelism: 8,
        nodePlayStageParallelism: 4,
        podsOnNodeSyncParallelism: 2,
      },
    },
    {
      kind: "ClusterLogs",
      apiVersion: "kwok.x-k8s.io/v1alpha1",
      metadata: { name: "testbed-logs" },
      spec: { logs: [{ logsFile: o.logFile, previousLogsFile: o.logFile, follow: true }] },
    },
    {
      kind: "ClusterExec",
      apiVersion: "kwok.x-k8s.io/v1alpha1",
      metadata: { name: "testbed-exec" },
      spec: { execs: [{ local: { workDir: o.workDir, envs: [{ name: "KUBE_MCP_TESTBED", value: "1" }] } }] },
    },
    {
      kind: "ClusterPortForward",
      apiVersion: "kwok.x-k8s.io/v1alpha1",
      metadata: { name: "testbed-port-forward" },
      spec: { forwards: [{ ports: [7], command: ["cat"] }, { command: [o.responder] }] },
    },
  ];
  const stages = readdirSync(o.stagesDir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => readFileSync(join(o.stagesDir, f), "utf8").trim());
  return [...[...docs, EPHEMERAL_STAGE].map((d) => stringify(d).trim()), ...stages].join("\n---\n");
}

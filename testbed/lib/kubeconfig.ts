// Writes kubeconfigs with embedded credentials, so the file alone is enough to reach a cluster.
import { readFileSync, writeFileSync } from "node:fs";
import { stringify } from "yaml";
import type { Pki } from "./pki.js";

export interface Endpoint {
  name: string;
  server: string;
  pki: Pki;
}

const b64 = (file: string) => readFileSync(file).toString("base64");

export function kubeconfigYaml(endpoints: Endpoint[], current: string): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: endpoints.map((e) => ({
      name: e.name,
      cluster: { server: e.server, "certificate-authority-data": b64(e.pki.caCert) },
    })),
    users: endpoints.map((e) => ({
      name: `${e.name}-admin`,
      user: { "client-certificate-data": b64(e.pki.adminCert), "client-key-data": b64(e.pki.adminKey) },
    })),
    contexts: endpoints.map((e) => ({
      name: e.name,
      context: { cluster: e.name, user: `${e.name}-admin`, namespace: "default" },
    })),
    "current-context": current,
    preferences: {},
  });
}

export function writeKubeconfig(file: string, endpoints: Endpoint[], current: string): void {
  writeFileSync(file, kubeconfigYaml(endpoints, current), { mode: 0o600 });
}

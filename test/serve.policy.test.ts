// Namespace and kind policy on a real API server: cluster alpha hides kube-* and this file's "hidden"
// namespace, and the kinds secrets and rbac.authorization.k8s.io/*; beta has no policy. Typed tools
// and the kubectl passthrough meet the same policy: requests for hidden things are refused, lists across
// namespaces lose their hidden rows, writes and streams into hidden namespaces are refused.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { call, type Session, stdioSession } from "./helpers/mcp.js";
import { run } from "./helpers/run.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const dir = mkdtempSync(join(tmpdir(), "kube-mcp-policy-"));
const suffix = process.pid % 100_000;
const SHOWN = `pol-shown-${suffix}`;
const HIDDEN = `pol-hidden-${suffix}`;

const admin = (input: string | undefined, ...args: string[]) =>
  run(join(bin, "kubectl"), ["--kubeconfig", kubeconfig, "--context", "alpha", ...args], {
    ...(input ? { input } : {}),
  });
const pod = (name: string, ns: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: ns },
  spec: { containers: [{ name: "app", image: "registry.example/shop/web:1.4.2" }] },
});

let s: Session;

beforeAll(async () => {
  for (const ns of [SHOWN, HIDDEN]) expect((await admin(undefined, "create", "namespace", ns)).code).toBe(0);
  const objects = {
    apiVersion: "v1",
    kind: "List",
    items: [
      pod("web-shown", SHOWN),
      pod("web-hidden", HIDDEN),
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "creds", namespace: SHOWN },
        stringData: { a: "b" },
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: "reader", namespace: SHOWN },
        rules: [],
      },
    ],
  };
  const applied = await admin(JSON.stringify(objects), "apply", "-f", "-");
  expect(applied.code, applied.stderr).toBe(0);
  const config = join(dir, "policy.json");
  writeFileSync(
    config,
    JSON.stringify({
      clusters: {
        alpha: {
          namespaces: { deny: ["kube-*", "pol-hidden-*"] },
          kinds: { deny: ["secrets", "rbac.authorization.k8s.io/*"] },
        },
      },
    }),
  );
  s = await stdioSession({
    args: ["--mode", "full", "--config", config],
    env: { KUBECONFIG: kubeconfig, PATH: `${bin}:${process.env.PATH}` },
  });
}, 60_000);

afterAll(async () => {
  await s?.close();
  await admin(undefined, "delete", "namespace", SHOWN, HIDDEN, "--wait=false");
});

const rows = (r: { structured: unknown }) => (r.structured as { rows: string[][] }).rows;
const kubectl = (command: string, cluster = "alpha") => call(s.client, "kubectl", { command, cluster });

describe("typed tools", () => {
  it("lists across namespaces without the hidden ones", async () => {
    const r = await call(s.client, "resources_list", { kind: "pods", cluster: "alpha" });
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toContain("web-shown");
    expect(r.text).not.toContain("web-hidden");
    expect(r.text).not.toMatch(/kube-system/);
    const ns = await call(s.client, "resources_list", { kind: "namespaces", cluster: "alpha" });
    expect(rows(ns).map((x) => x[0])).toContain(SHOWN);
    expect(ns.text).not.toMatch(/kube-system|pol-hidden/);
  });

  it("refuses a hidden namespace, saying it is policy", async () => {
    const r = await call(s.client, "resources_list", { kind: "pods", namespace: HIDDEN, cluster: "alpha" });
    expect(r.isError).toBe(true);
    expect(r.text).toContain(
      `Hidden by policy: namespace ${HIDDEN} is hidden on cluster alpha (namespaces.deny pol-hidden-*)`,
    );
    const get = await call(s.client, "resources_get", {
      kind: "namespace",
      name: "kube-system",
      cluster: "alpha",
    });
    expect(get.text).toContain("namespace kube-system is hidden");
    const logs = await call(s.client, "pods_logs", {
      namespace: HIDDEN,
      name: "web-hidden",
      cluster: "alpha",
    });
    expect(logs.text).toContain("Hidden by policy");
  });

  it("leaves hidden kinds out of api_resources", async () => {
    const r = await call(s.client, "api_resources", { cluster: "alpha" });
    const names = rows(r).map((x) => x[0]);
    expect(names).toContain("pods");
    expect(names).not.toContain("secrets");
    expect(names).not.toContain("roles");
  });

  it("refuses hidden kinds, by any name", async () => {
    for (const kind of ["secrets", "Secret", "roles.rbac.authorization.k8s.io"]) {
      const r = await call(s.client, "resources_list", { kind, namespace: SHOWN, cluster: "alpha" });
      expect(r.isError, kind).toBe(true);
      expect(r.text, kind).toMatch(/Hidden by policy: .* is hidden on cluster alpha \(kinds.deny /);
    }
  });

  it("answers can_i with the policy and the mode before RBAC", async () => {
    const can = async (verb: string, kind: string, namespace: string) =>
      rows(await call(s.client, "can_i", { verb, kind, namespace, cluster: "alpha" }))[0];
    expect(await can("get", "secrets", SHOWN)).toEqual([
      "get",
      "secrets",
      SHOWN,
      "no",
      "kube-mcp's policy: secrets is hidden on cluster alpha (kinds.deny secrets)",
    ]);
    expect((await can("list", "pods", HIDDEN))?.[4]).toContain(`namespace ${HIDDEN} is hidden`);
    expect((await can("delete", "pods", SHOWN))?.slice(3)).toEqual(["yes", "RBAC for kube-mcp's identity"]);
  });

  it("refuses writes and streams into hidden namespaces", async () => {
    const manifest = JSON.stringify({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "x", namespace: HIDDEN },
      data: { a: "b" },
    });
    const w = await call(s.client, "resources_apply", { manifest, cluster: "alpha" });
    expect(w.isError).toBe(true);
    expect(w.text).toContain("Hidden by policy");
    const e = await call(s.client, "pods_exec", {
      namespace: HIDDEN,
      name: "web-hidden",
      command: ["true"],
      cluster: "alpha",
    });
    expect(e.isError).toBe(true);
    expect(e.text).toContain("Hidden by policy");
  });

  it("leaves a cluster without policy as it was, and shows each policy in clusters_list", async () => {
    const r = await call(s.client, "resources_list", {
      kind: "pods",
      namespace: "kube-system",
      cluster: "beta",
    });
    expect(r.isError, r.text).toBe(false);
    const list = rows(await call(s.client, "clusters_list"));
    expect(list.find((x) => x[0]?.startsWith("alpha"))?.at(-1)).toBe(
      "namespaces deny kube-*,pol-hidden-*; kinds deny secrets,rbac.authorization.k8s.io/*",
    );
    expect(list.find((x) => x[0]?.startsWith("beta"))?.at(-1)).toBe("-");
  });
});

describe("the kubectl passthrough", () => {
  it("lists across namespaces without the hidden ones (-A)", async () => {
    const r = await kubectl("get pods -A");
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toContain("web-shown");
    expect(r.text).not.toMatch(/web-hidden|kube-system/);
    const json = await kubectl("get namespaces -o json");
    expect(json.text).toContain(SHOWN);
    expect(json.text).not.toMatch(/"kube-system"|pol-hidden/);
  });

  it("refuses hidden namespaces and kinds, short names included", async () => {
    const ns = await kubectl(`get pods -n ${HIDDEN}`);
    expect(ns.isError).toBe(true);
    expect(ns.text).toContain(`namespace ${HIDDEN} is hidden on cluster alpha`);
    for (const cmd of [
      `get secrets -n ${SHOWN}`,
      `get secret creds -n ${SHOWN} -o yaml`,
      `get roles -n ${SHOWN}`,
    ]) {
      const r = await kubectl(cmd);
      expect(r.isError, cmd).toBe(true);
      expect(r.text, cmd).toMatch(/is hidden on cluster alpha \(kinds.deny/);
    }
    const all = await kubectl("get secrets -A");
    expect(all.isError).toBe(true);
  });

  it("refuses writes into a hidden namespace", async () => {
    const r = await kubectl(`annotate pod web-hidden -n ${HIDDEN} touched=yes`);
    expect(r.isError).toBe(true);
    expect(r.text).toContain("Hidden by policy");
    const live = await admin(undefined, "get", "pod", "web-hidden", "-n", HIDDEN, "-o", "json");
    expect(JSON.parse(live.stdout).metadata.annotations?.touched).toBeUndefined();
    // kubectl's imperative creations too: a Namespace the policy hides, an object inside one.
    for (const cmd of [
      `create namespace pol-hidden-${suffix}-x`,
      `create configmap x -n ${HIDDEN} --from-literal=a=b`,
    ]) {
      const c = await kubectl(cmd);
      expect(c.isError, cmd).toBe(true);
      expect(c.text, cmd).toContain("Hidden by policy");
    }
    expect((await admin(undefined, "get", "namespace", `pol-hidden-${suffix}-x`)).code).not.toBe(0);
    expect((await admin(undefined, "get", "configmap", "x", "-n", HIDDEN)).code).not.toBe(0);
  });

  it("streams watches through its proxy, and refuses exec there", async () => {
    const status = await kubectl("rollout status deployment/web -n shop --timeout=20s");
    expect(status.isError, status.text).toBe(false);
    expect(status.text).toMatch(/successfully rolled out/);
    const exec = await kubectl(`exec web-shown -n ${SHOWN} -- true`);
    expect(exec.isError).toBe(true);
    expect(exec.text).toMatch(/exec, attach and port-forward are not available through the passthrough/);
  });

  it("works as before on a cluster without policy", async () => {
    const r = await kubectl("get pods -n kube-system", "beta");
    expect(r.isError, r.text).toBe(false);
  });
});

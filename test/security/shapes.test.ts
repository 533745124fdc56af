// Class 5 of the security suite: credentials in release and revision shapes. Helm release records in
// both storage drivers, helm's own release JSON, StatefulSet history (ControllerRevisions), a
// ConfigMap with credential-named keys and a ServiceAccount token Secret, read through every typed
// and passthrough path a real MCP client has, in every mode. No planted value (raw or base64) and not
// the live token may come back; names, keys and chart identities must.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { leaks } from "../helpers/canary.js";
import { type CallOutcome, call, type Session, stdioSession } from "../helpers/mcp.js";
import { run } from "../helpers/run.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const NS = "vault";
const MODES = ["read-only", "non-destructive", "full"] as const;
type Mode = (typeof MODES)[number];
const sessions = new Map<Mode, Session>();
const outputs: { what: string; text: string }[] = [];
let saToken = "";
let revision = "";

const kubectl = async (...args: string[]) => {
  const r = await run(join(bin, "kubectl"), ["--kubeconfig", kubeconfig, "--context", "alpha", ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};

beforeAll(async () => {
  saToken = Buffer.from(
    await kubectl("get", "secret", "reporter-token", "-n", NS, "-o", "jsonpath={.data.token}"),
    "base64",
  ).toString("utf8");
  revision = (await kubectl("get", "controllerrevision", "-n", NS, "-l", "app=keeper", "-o", "name"))
    .split("\n")[0]
    ?.replace(/^.*\//, "") as string;
  const env = { KUBECONFIG: kubeconfig, PATH: `${bin}:${process.env.PATH}` };
  await Promise.all(
    MODES.map(async (mode) =>
      sessions.set(
        mode,
        await stdioSession({ args: mode === "non-destructive" ? [] : ["--mode", mode], env }),
      ),
    ),
  );
});
afterAll(async () => {
  await Promise.all([...sessions.values()].map((s) => s.close()));
});

async function tool(mode: Mode, name: string, args: Record<string, unknown>): Promise<CallOutcome> {
  const r = await call((sessions.get(mode) as Session).client, name, { cluster: "alpha", ...args });
  outputs.push({
    what: `${mode} ${name} ${JSON.stringify(args)}`,
    text: `${r.text}\n${JSON.stringify(r.structured ?? null)}`,
  });
  return r;
}
const kc = (mode: Mode, ...args: string[]) => tool(mode, "kubectl", { args });
const helm = (mode: Mode, ...args: string[]) => tool(mode, "helm", { args });

/** Every leak in what was read so far: canaries in any encoding, and the live ServiceAccount token. */
function leaked(): string[] {
  const token = [saToken, Buffer.from(saToken).toString("base64"), saToken.split(".")[2] ?? saToken];
  return outputs.flatMap(({ what, text }) =>
    [...leaks(text), ...token.filter((t) => t.length > 16 && text.includes(t))].map((l) => `${what}: ${l}`),
  );
}

describe.each(MODES)("release and revision shapes in %s mode", (mode) => {
  it("typed tools show the Helm release records as a summary in both storage drivers", async () => {
    for (const [kind, name] of [
      ["secret", "sh.helm.release.v1.vault-secret.v1"],
      ["configmap", "sh.helm.release.v1.vault-cm.v1"],
    ]) {
      for (const output of ["yaml", "json"]) {
        const r = await tool(mode, "resources_get", { kind, name, namespace: NS, output });
        expect(r.isError, r.text).toBe(false);
        expect(r.text).toContain("kmcp-vault-0.3.1");
        expect(r.text).toContain("Helm release record");
      }
      await tool(mode, "resources_describe", { kind, name, namespace: NS });
    }
    for (const kind of ["secrets", "configmaps", "controllerrevisions", "statefulsets"])
      expect((await tool(mode, "resources_list", { kind, namespace: NS, wide: true })).isError).toBe(false);
  });

  it("typed tools mask the StatefulSet, its history, the ConfigMap and the token Secret", async () => {
    const rev = await tool(mode, "resources_get", {
      kind: "controllerrevision",
      name: revision,
      namespace: NS,
    });
    expect(rev.text).toContain("KEEPER_MODE");
    expect(rev.text).toContain("ADMIN_PW");
    const cm = await tool(mode, "resources_get", {
      kind: "configmap",
      name: "keeper-config",
      namespace: NS,
      output: "json",
    });
    for (const key of ["DB_PWD", "credentials", "masterKey", "storage"]) expect(cm.text).toContain(key);
    for (const [kind, name] of [
      ["statefulset", "keeper"],
      ["secret", "reporter-token"],
      ["secret", "vault-secret-auth"],
      ["controllerrevision", revision],
      ["configmap", "keeper-config"],
      ["configmap", "vault-secret-bootstrap"],
    ]) {
      await tool(mode, "resources_get", { kind, name, namespace: NS, output: "json" });
      await tool(mode, "resources_describe", { kind, name, namespace: NS });
    }
  });

  it("kubectl passthrough redacts the same shapes in yaml, json and jsonpath", async () => {
    for (const kind of ["secret", "configmap", "controllerrevision", "statefulset"]) {
      for (const o of ["yaml", "json", "jsonpath={.items[*].data}"]) {
        const r = await kc(mode, "get", kind, "-n", NS, "-o", o);
        expect(r.isError, r.text).toBe(false);
      }
    }
    const rel = await kc(
      mode,
      "get",
      "secret",
      "sh.helm.release.v1.vault-secret.v1",
      "-n",
      NS,
      "-o",
      "jsonpath={.data.release}",
    );
    expect(rel.text).toContain("kmcp-vault-0.3.1");
    await kc(
      mode,
      "get",
      "configmap",
      "sh.helm.release.v1.vault-cm.v1",
      "-n",
      NS,
      "-o",
      "jsonpath={.data.release}",
    );
    await kc(mode, "get", "secret", "reporter-token", "-n", NS, "-o", "jsonpath={.data.token}");
    await kc(mode, "rollout", "history", "statefulset/keeper", "-n", NS, "--revision", "1");
    await kc(mode, "describe", "statefulset", "keeper", "-n", NS);
    await kc(mode, "describe", "secret", "reporter-token", "-n", NS);
  });

  it("helm passthrough redacts the release JSON, values, manifests, hooks and notes", async () => {
    const rel = "vault-secret";
    for (const o of ["json", "yaml"]) {
      const r = await helm(mode, "status", rel, "-n", NS, "-o", o);
      expect(r.isError, r.text).toBe(false);
      expect(r.text).toContain("vault-secret-auth"); // the manifest's object names survive
      expect(r.text).toContain("DB_PWD");
    }
    expect((await helm(mode, "status", rel, "-n", NS)).text).toContain("STATUS: deployed");
    const values = await helm(mode, "get", "values", rel, "-n", NS);
    expect(values.text).toMatch(/USER-SUPPLIED VALUES:[\s\S]*apiToken: <redacted/);
    await helm(mode, "get", "values", rel, "-n", NS, "-o", "yaml");
    for (const refused of [
      ["get", "values", rel, "-n", NS, "--all"],
      ["get", "values", rel, "-n", NS, "-o", "json"],
      ["get", "all", rel, "-n", NS],
    ])
      expect((await helm(mode, ...refused)).structured, refused.join(" ")).toMatchObject({ refused: true });
    const manifest = await helm(mode, "get", "manifest", rel, "-n", NS);
    expect(manifest.text).toContain("kind: Secret");
    await helm(mode, "get", "hooks", rel, "-n", NS);
    await helm(mode, "get", "notes", rel, "-n", NS);
    await helm(mode, "get", "metadata", rel, "-n", NS, "-o", "json");
    expect((await helm(mode, "history", rel, "-n", NS)).text).toContain("kmcp-vault-0.3.1");
    await helm(mode, "history", rel, "-n", NS, "-o", "json");
    const list = await helm(mode, "list", "-n", NS, "-o", "json");
    expect(list.text).toContain("kmcp-vault-0.3.1");
    await helm(mode, "list", "-A");
    // The ConfigMap driver's release is invisible to kube-mcp's helm (no driver switch), and says so.
    await helm(mode, "status", "vault-cm", "-n", NS, "-o", "json");
  });

  it("plans a rollback, and refuses one that writes the chart's Secret below full mode", async () => {
    // A real rollback is sent only where the guard refuses it: it would change the shared fixture.
    const dry = await helm(mode, "rollback", "vault-secret", "1", "-n", NS, "--dry-run");
    expect(dry.isError, dry.text).toBe(mode === "read-only");
    if (mode !== "read-only") expect(dry.text).toContain("Plan for rollback vault-secret");
    if (mode === "full") return;
    const r = await helm(mode, "rollback", "vault-secret", "1", "-n", NS);
    expect(r.isError).toBe(true);
    if (mode === "non-destructive") expect(r.text).toMatch(/Secret\/vault-secret-auth.*rule secrets/);
  });
});

it("no planted value and not the ServiceAccount token came back on any path", () => {
  expect(outputs.length).toBeGreaterThan(150);
  expect(saToken.length).toBeGreaterThan(100);
  expect(leaked()).toEqual([]);
});

// The kubectl passthrough through a real MCP client against the test bed: allowed commands run with
// kube-mcp's pinned identity, refusals are marked as such, CLI failures are not, output is redacted,
// filters replace pipes, and the deadline kills the process.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { leaks } from "./helpers/canary.js";
import { type CallOutcome, call, hints, type Session, stdioSession } from "./helpers/mcp.js";
import { run } from "./helpers/run.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const outputs: string[] = [];
let ro: Session;
let full: Session;

const env = { KUBECONFIG: kubeconfig, PATH: `${bin}:${process.env.PATH}` };
async function kc(s: Session, args: Record<string, unknown>): Promise<CallOutcome> {
  const r = await call(s.client, "kubectl", args);
  outputs.push(r.text, JSON.stringify(r.structured ?? null));
  return r;
}
async function real(...args: string[]): Promise<string> {
  const r = await run(join(bin, "kubectl"), ["--kubeconfig", kubeconfig, "--context", "alpha", ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

beforeAll(async () => {
  ro = await stdioSession({ args: ["--mode", "read-only"], env });
  full = await stdioSession({ args: ["--mode", "full"], env });
});
afterAll(async () => {
  await ro?.close();
  await full?.close();
});

describe("kubectl passthrough", () => {
  it("is advertised read-only in read-only mode and destructive in full mode", async () => {
    const tool = async (s: Session) => (await s.client.listTools()).tools.find((t) => t.name === "kubectl");
    expect(hints((await tool(ro))?.annotations)).toMatchObject({
      readOnlyHint: true,
      destructiveHint: false,
    });
    expect(hints((await tool(full))?.annotations)).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
    });
  });

  it("runs get against the chosen cluster, matching kubectl itself", async () => {
    const r = await kc(ro, { args: ["get", "pods", "-n", "shop", "-o", "name"], cluster: "alpha" });
    expect(r.isError).toBe(false);
    expect(r.text).toContain(await real("get", "pods", "-n", "shop", "-o", "name"));
  });

  it("accepts one command string and fans out", async () => {
    const r = await kc(ro, { command: "get deploy -n shop --no-headers -o name", cluster: "*" });
    expect(r.text).toContain("== cluster alpha ==");
    expect(r.text).toContain("== cluster beta ==");
    expect(r.text.match(/deployment\.apps\/web/g)).toHaveLength(2);
  });

  it("runs describe, logs, explain, api-resources, auth can-i and events", async () => {
    for (const args of [
      ["describe", "deploy", "web", "-n", "shop"],
      ["logs", "deploy/web", "-n", "shop", "--tail=2"],
      ["explain", "deployment.spec.replicas"],
      ["api-resources", "--api-group=demo.kube-mcp.io"],
      ["auth", "can-i", "list", "pods", "-n", "shop"],
      ["events", "-n", "ops", "--types=Warning"],
    ]) {
      const r = await kc(ro, { args });
      expect(r.isError, `${args.join(" ")}: ${r.text}`).toBe(false);
    }
    expect((await kc(ro, { args: ["auth", "can-i", "list", "pods", "-n", "shop"] })).text).toContain("yes");
  });

  it("filters instead of pipes, after redaction", async () => {
    const names = await kc(ro, {
      args: ["get", "pods", "-A", "-o", "json"],
      filter: `jq -r '.items[] | select(.metadata.namespace == "shop") | .metadata.name' | sort`,
    });
    const expected = (await real("get", "pods", "-n", "shop", "-o", "jsonpath={.items[*].metadata.name}"))
      .split(" ")
      .sort();
    expect(names.text).toContain(expected.join("\n"));
    const count = await kc(ro, {
      args: ["get", "pods", "-A", "--no-headers"],
      filter: "grep Running | wc -l",
    });
    expect(count.text).toMatch(/\b\d+\b/);
  });

  it("renders jsonpath and custom-columns like kubectl, from redacted objects", async () => {
    for (const o of [
      "jsonpath={.items[*].metadata.name}",
      'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.spec.nodeName}{"\\n"}{end}',
      "custom-columns=NAME:.metadata.name,NODE:.spec.nodeName",
    ]) {
      const r = await kc(ro, { args: ["get", "pods", "-n", "shop", "-o", o], cluster: "alpha" });
      expect(r.isError, r.text).toBe(false);
      const body = r.text.split("\n").slice(1, -1).join("\n").trim();
      expect(body, o).toBe((await real("get", "pods", "-n", "shop", "-o", o)).trim());
    }
    const secret = await kc(ro, {
      args: ["get", "secret", "db-admin", "-n", "data", "-o", "jsonpath={.data.password}"],
    });
    expect(secret.text).toContain("<redacted:");
    const env = await kc(ro, { args: ["get", "deploy", "web", "-n", "shop", "-o", "jsonpath={..env}"] });
    expect(env.text).toContain("DB_PASSWORD");
  });

  it("shows help for any allowed or refused-in-this-mode command", async () => {
    const r = await kc(ro, { args: ["delete", "--help"] });
    expect(r.isError).toBe(false);
    expect(r.text).toContain("Delete resources by");
  });

  it("marks a refusal as refused, with the reason", async () => {
    const r = await call(ro.client, "kubectl", { args: ["get", "pods", "--server=https://127.0.0.1:1"] });
    expect(r.isError).toBe(true);
    expect(r.structured).toEqual({
      refused: true,
      reason: expect.stringContaining("--server is never allowed"),
    });
    const del = await call(ro.client, "kubectl", { command: "delete pod web-0 -n shop" });
    expect(del.structured).toMatchObject({
      refused: true,
      reason: expect.stringContaining("not allowed in read-only mode"),
    });
    const pipe = await call(ro.client, "kubectl", { command: "get pods | grep web" });
    expect(pipe.structured).toMatchObject({
      refused: true,
      reason: expect.stringContaining("use the `filter` parameter"),
    });
  });

  it("does not mark a failing CLI as refused", async () => {
    const r = await call(ro.client, "kubectl", { args: ["get", "pod", "no-such-pod", "-n", "shop"] });
    expect(r.isError).toBe(true);
    expect(r.structured).not.toMatchObject({ refused: true });
    expect(r.text).toContain('pods "no-such-pod" not found');
  });

  it("runs top, which fails honestly without metrics-server and is not a refusal", async () => {
    const r = await call(ro.client, "kubectl", { args: ["top", "nodes"] });
    expect(r.isError).toBe(true);
    expect(r.structured).not.toMatchObject({ refused: true });
    expect(r.text).toContain("kubectl exited with code 1");
    expect(r.text).toMatch(/Metrics API not available/i);
  });

  it("says when istioctl or argocd is not installed, without calling it a refusal", async () => {
    for (const tool of ["istioctl", "argocd"]) {
      const r = await call(ro.client, tool, { args: ["version"] });
      expect(r.isError, tool).toBe(true);
      expect(r.structured, tool).not.toMatchObject({ refused: true });
      expect(r.text).toContain(`${tool} is not installed on the kube-mcp host`);
    }
  });

  it("answers auth can-i about another subject with a SubjectAccessReview, not by impersonating it", async () => {
    const no = await kc(ro, { command: "auth can-i list secrets -n shop --as someone-else" });
    expect(no.isError, no.text).toBe(false);
    expect(no.text).toMatch(/^no\n\(user someone-else; a SubjectAccessReview/m);
    const yes = await kc(ro, {
      command: "auth can-i delete pods -A --as someone-else --as-group system:masters",
    });
    expect(yes.text).toMatch(/^yes\n\(user someone-else, groups system:masters; a SubjectAccessReview/m);
    // --as stays refused everywhere else: it would make kubectl act as someone else.
    const get = await kc(ro, { command: "get pods -n shop --as someone-else" });
    expect(get.isError).toBe(true);
    expect(get.text).toMatch(/--as is never allowed/);
    const list = await kc(ro, { command: "auth can-i --list --as someone-else" });
    expect(list.text).toMatch(/--list with --as is not offered/);
  });

  it("kills the process at the deadline", async () => {
    const r = await call(full.client, "kubectl", {
      args: ["wait", "--for=condition=Ready", "pod/stuck-pending", "-n", "ops", "--timeout=60s"],
      timeout: 2,
    });
    expect(r.isError).toBe(true);
    expect(r.text).toContain("kubectl was stopped after 2 s");
  });

  it("runs an allowed write in full mode", async () => {
    const r = await kc(full, {
      args: ["exec", "deploy/web", "-n", "shop", "-c", "web", "--", "printenv", "KUBE_MCP_TESTBED"],
      cluster: "beta",
    });
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toContain("\n1\n");
  });
});

describe("kubectl passthrough never leaks secrets", () => {
  it.each(
    [
      ["get", "secret", "db-credentials", "-n", "shop", "-o", "yaml"],
      ["get", "secret", "db-admin", "-n", "data", "-o", "json"],
      ["get", "secrets", "-A", "-o", "yaml"],
      ["get", "SECRETS", "-A", "-o", "json"],
      ["get", "secret/registry-pull", "-n", "shop", "-o", "yaml"],
      ["get", "secrets.v1.", "-A", "-o", "json"],
      ["get", "all,secrets", "-n", "ops", "-o", "yaml"],
      ["describe", "secret", "api-token", "-n", "ops"],
      ["get", "deploy", "web", "-n", "shop", "-o", "yaml"],
      ["get", "pods", "-n", "shop", "-l", "app=web", "-o", "json"],
      ["describe", "pods", "-n", "shop", "-l", "app=web"],
      ["get", "rs", "-n", "shop", "-o", "yaml"],
      ["get", "secrets", "-A", "-o", "jsonpath={.items[*].data}"],
      ["get", "secrets", "-A", "-o", "custom-columns=N:.metadata.name,D:.data,A:.metadata.annotations"],
      ["get", "pods", "-A", "-o", "jsonpath={..env}"],
      ["get", "deploy", "-A", "-o", "jsonpath={..value}"],
    ].map((a) => [a.join(" "), a] as const),
  )("%s", async (_label, args) => {
    const r = await kc(ro, { args: [...args], cluster: "*" });
    expect(r.isError, r.text).toBe(false);
  });

  it("in any output of this suite", () => {
    expect(outputs.length).toBeGreaterThan(20);
    expect(outputs.flatMap(leaks)).toEqual([]);
  });
});

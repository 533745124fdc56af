// Users of the other Kubernetes MCP servers: kube-mcp started the way each of their READMEs shows (their
// environment or flags, kube-mcp as the command), driven by a real MCP client against the test bed.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, SSEClientTransport } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, inject, it } from "vitest";
import { ALL_TOOLS } from "../src/tools/index.js";
import { freePort } from "../testbed/lib/ports.js";
import { CLI, call, httpSession, type Session, stdioSession } from "./helpers/mcp.js";
import { type Proc, spawnRole } from "./helpers/proc.js";
import { run } from "./helpers/run.js";

const kubeconfig = inject("kubeconfig");
const TOKEN = "flux-token-0123456789abcdef";
const CHANGES = ALL_TOOLS.filter((t) => t.safety !== "read").map((t) => t.name);
const DESTRUCTIVE = ALL_TOOLS.filter((t) => t.safety === "destructive").map((t) => t.name);

let session: Session | undefined;
let proc: Proc | undefined;
afterEach(async () => {
  await session?.close();
  if (proc) expect(await proc.stop()).toBe(0);
  session = undefined;
  proc = undefined;
});

const names = async (s: Session) => (await s.client.listTools()).tools.map((t) => t.name);

/** `kube-mcp serve` over HTTP configured only by a peer's names; resolves with its URL. */
async function httpServe(args: string[], env: Record<string, string>): Promise<string> {
  proc = spawnRole("serve", args, { KUBECONFIG: kubeconfig, MCP_API_KEY: "", ...env });
  return /"url":"(http:[^"]+)"/.exec(await proc.waitFor(/"url":"http:[^"]+"/))?.[1] as string;
}

const serveFails = (env: Record<string, string>, args: string[] = []) =>
  run(process.execPath, [CLI, "serve", ...args], { env: { ...process.env, KUBECONFIG: kubeconfig, ...env } });

describe("coming from mcp-server-kubernetes", () => {
  it("ALLOW_ONLY_READONLY_TOOLS=true lists no tool that changes anything, and reads still work", async () => {
    session = await stdioSession({ env: { KUBECONFIG: kubeconfig, ALLOW_ONLY_READONLY_TOOLS: "true" } });
    const listed = await names(session);
    expect(listed).toContain("resources_list");
    expect(listed.filter((n) => CHANGES.includes(n))).toEqual([]);
    const r = await call(session.client, "resources_list", { kind: "pods", namespace: "shop" });
    expect(r.isError).toBe(false);
  });

  it("ALLOWED_TOOLS=resources_list,pods_logs lists exactly those", async () => {
    session = await stdioSession({
      env: { KUBECONFIG: kubeconfig, ALLOWED_TOOLS: "resources_list,pods_logs" },
    });
    expect((await names(session)).sort()).toEqual(["pods_logs", "resources_list"]);
  });

  it("ALLOWED_TOOLS in mcp-server-kubernetes' own names lists the kube-mcp tools that do that work", async () => {
    session = await stdioSession({
      env: { KUBECONFIG: kubeconfig, ALLOWED_TOOLS: "kubectl_get,kubectl_logs,kubectl_rollout,ping" },
    });
    expect((await names(session)).sort()).toEqual([
      "clusters_list",
      "pods_logs",
      "resources_get",
      "resources_list",
      "rollout_change",
      "rollout_status",
    ]);
  });

  it("ALLOWED_TOOLS with a name kube-mcp does not have stops start-up and lists the valid names", async () => {
    const r = await serveFails({ ALLOWED_TOOLS: "resources_list,kubectl_cp" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /unknown tool or toolset names in the tool lists .*ALLOWED_TOOLS\): kubectl_cp\. Toolsets: .*Tools: .*pods_logs/,
    );
    expect(r.stdout).toBe("");
  });

  it("ENABLE_UNSAFE_STREAMABLE_HTTP_TRANSPORT with HOST, PORT and MCP_AUTH_TOKEN: X-MCP-AUTH authenticates", async () => {
    const url = await httpServe([], {
      ENABLE_UNSAFE_STREAMABLE_HTTP_TRANSPORT: "1",
      HOST: "127.0.0.1",
      PORT: "0",
      MCP_AUTH_TOKEN: TOKEN,
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    await expect(httpSession(url)).rejects.toThrow(/401|API key/);
    await expect(httpSession(url, { headers: { "X-MCP-AUTH": "wrong-token-0123456789" } })).rejects.toThrow(
      /401|API key/,
    );
    session = await httpSession(url, { headers: { "X-MCP-AUTH": TOKEN } });
    expect(await names(session)).toContain("resources_list");
  });

  it("MASK_SECRETS=false reveals no Secret value where no cluster policy allows it", async () => {
    session = await stdioSession({ env: { KUBECONFIG: kubeconfig, MASK_SECRETS: "false" } });
    const r = await call(session.client, "resources_get", {
      kind: "secrets",
      namespace: "shop",
      name: "db-credentials",
    });
    expect(r.isError).toBe(false);
    expect(r.text).toContain("db-credentials");
    expect(r.text).not.toContain("kmcp-canary");
    expect(r.text).not.toContain(Buffer.from("kmcp-canary-applied-password-8c2a").toString("base64"));
  });
});

describe("coming from k8s-mcp-server", () => {
  it("K8S_MCP_SECURITY_MODE=strict lists writes but nothing destructive", async () => {
    session = await stdioSession({ env: { KUBECONFIG: kubeconfig, K8S_MCP_SECURITY_MODE: "strict" } });
    const listed = await names(session);
    expect(listed).toContain("resources_apply");
    expect(listed.filter((n) => DESTRUCTIVE.includes(n))).toEqual([]);
  });

  it("K8S_MCP_SECURITY_CONFIG adds its rules' refusals, with their messages, to what kube-mcp allows", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kube-mcp-rules-"));
    const rules = join(dir, "security.yaml");
    writeFileSync(
      rules,
      [
        "dangerous_commands:",
        '  kubectl: ["kubectl describe"]',
        "safe_patterns:",
        '  kubectl: ["kubectl describe deployment"]',
        "regex_rules:",
        "  kubectl:",
        '    - pattern: "get\\\\s+(secrets?|configmaps?)\\\\b"',
        '      description: "no config listings"',
        '      error_message: "Config objects are off limits on this workstation."',
        "",
      ].join("\n"),
    );
    session = await stdioSession({ env: { KUBECONFIG: kubeconfig, K8S_MCP_SECURITY_CONFIG: rules } });
    const kc = (command: string) =>
      call((session as Session).client, "kubectl", { command, cluster: "beta" });
    const secrets = await kc("get configmaps -n shop");
    expect(secrets.isError).toBe(true);
    expect(secrets.text).toContain("Config objects are off limits on this workstation.");
    const describe = await kc("describe pod -n shop");
    expect(describe.isError).toBe(true);
    expect(describe.text).toMatch(/kubectl describe\) is restricted by the operator's rule file/);
    expect((await kc("describe deployment web -n shop")).isError).toBe(false);
    expect((await kc("get pods -n shop")).isError).toBe(false);
    // It adds refusals only: what kube-mcp refuses stays refused, whatever the file calls safe.
    const exec = await kc("exec -it web -- sh");
    expect(exec.isError).toBe(true);
  });

  it("K8S_MCP_TRANSPORT=sse serves an SSE-only (2024-11-05) client: it connects, lists tools and calls one", async () => {
    const port = String(await freePort());
    const url = await httpServe([], {
      K8S_MCP_TRANSPORT: "sse",
      K8S_MCP_HOST: "127.0.0.1",
      K8S_MCP_PORT: port,
      KUBE_MCP_TOOLSETS: "",
    });
    const base = url.replace(/\/mcp$/, "");
    // A client of the 2024-11-05 era, by hand: the stream names the endpoint, the answer comes back on it.
    const stream = await fetch(`${base}/sse`);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    let seen = "";
    const next = async (re: RegExp) => {
      while (!re.test(seen)) seen += new TextDecoder().decode((await reader.read()).value);
      return re.exec(seen)?.[1] as string;
    };
    const endpoint = await next(/event: endpoint\ndata: (\S+)\n/);
    const posted = await fetch(`${base}${endpoint}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: {
          protocolVersion: "2024-11-05",
          capabilities: {},
          clientInfo: { name: "old", version: "0" },
        },
      }),
    });
    expect(posted.status).toBe(202);
    expect(await next(/"protocolVersion":"([^"]+)"/)).toBe("2024-11-05");
    await reader.cancel();
    // The SDK's SSE client transport connects, lists tools and calls one.
    const client = new Client({ name: "sse-only", version: "0" });
    await client.connect(new SSEClientTransport(new URL(`${base}/sse`)));
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toContain("resources_list");
      const r = await client.callTool({
        name: "resources_list",
        arguments: { kind: "namespaces", cluster: "beta" },
      });
      expect(r.isError).toBeFalsy();
      expect((r.content as { text: string }[])[0]?.text).toContain("shop");
    } finally {
      await client.close();
    }
    // A POST to a session that is not the caller's, or does not exist, finds nothing.
    const stray = await fetch(url.replace(/\/mcp$/, "/messages?sessionId=nope"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
    });
    expect(stray.status).toBe(404);
  });
});

describe("coming from mcp-kubernetes", () => {
  it("serve --non-destructive --transport streamable-http --http-addr --http-endpoint", async () => {
    const url = await httpServe(
      [
        "--non-destructive",
        "--transport",
        "streamable-http",
        "--http-addr",
        "127.0.0.1:0",
        "--http-endpoint",
        "/mcp",
      ],
      {},
    );
    session = await httpSession(url);
    const listed = await names(session);
    expect(listed).toContain("resources_apply");
    expect(listed.filter((n) => DESTRUCTIVE.includes(n))).toEqual([]);
    const r = await call(session.client, "resources_list", { kind: "pods", namespace: "shop" });
    expect(r.isError).toBe(false);
  });
});

describe("serve --help", () => {
  it("points users of the other servers at the mapping", async () => {
    const r = await run(process.execPath, [CLI, "serve", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Coming from another Kubernetes MCP server: .*ALLOWED_TOOLS/);
  });
});

describe("precedence", () => {
  it("kube-mcp's own name wins, in one start-up warning line on stderr", async () => {
    const url = await httpServe(["--transport", "streamable-http", "--http-addr", "127.0.0.1:0"], {
      ALLOW_ONLY_READONLY_TOOLS: "true",
      KUBE_MCP_MODE: "full",
    });
    session = await httpSession(url);
    expect(await names(session)).toContain("resources_delete");
    const warnings = (proc?.log() ?? "").split("\n").filter((l) => l.includes("own settings win"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("ALLOW_ONLY_READONLY_TOOLS (mode)");
  });
});

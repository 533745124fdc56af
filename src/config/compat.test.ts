import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compatTables, PEERS } from "./compat.js";
import { loadConfig } from "./load.js";

const load = (env: Record<string, string>, argv: string[] = []) => loadConfig(argv, env, "non-destructive");
const KEY = "flux-token-0123456789";

describe("mcp-server-kubernetes variables", () => {
  it.each([
    [{ ALLOWED_TOOLS: "resources_list, pods_logs" }, { tools: { allow: ["resources_list", "pods_logs"] } }],
    [{ ALLOW_ONLY_READONLY_TOOLS: "true" }, { mode: "read-only" }],
    [{ ALLOW_ONLY_READONLY_TOOLS: "false" }, { mode: "non-destructive" }],
    [{ ALLOW_ONLY_NON_DESTRUCTIVE_TOOLS: "true" }, { mode: "non-destructive" }],
    [{ ALLOW_ONLY_READONLY_TOOLS: "true", ALLOW_ONLY_NON_DESTRUCTIVE_TOOLS: "true" }, { mode: "read-only" }],
    [{ ENABLE_UNSAFE_STREAMABLE_HTTP_TRANSPORT: "1" }, { http: { listen: "localhost:3000" } }],
    [
      { ENABLE_UNSAFE_STREAMABLE_HTTP_TRANSPORT: "true", HOST: "0.0.0.0", PORT: "3001" },
      { http: { listen: "0.0.0.0:3001" } },
    ],
    [{ HOST: "0.0.0.0", PORT: "3001" }, { http: { path: "/mcp" } }],
    [{ MCP_AUTH_TOKEN: KEY }, { http: { apiKey: KEY } }],
    [{ DNS_REBINDING_ALLOWED_HOST: "MCP.example.com:3001" }, { http: { allowedHosts: ["mcp.example.com"] } }],
    [{ SPAWN_MAX_BUFFER: "10485760" }, { cli: { maxOutputBytes: 10_485_760 } }],
  ] as const)("%j → %j", (env, expected) => {
    const { config, warnings } = load({ ...env });
    expect(config).toMatchObject(expected);
    expect(warnings).toEqual([]);
  });

  it("MASK_SECRETS=false reveals nothing globally and warns, naming the per-cluster setting", () => {
    const { config, warnings } = load({ MASK_SECRETS: "false" });
    expect(config.revealSecrets).toBe(false);
    expect(warnings).toEqual([expect.stringMatching(/clusters\.<name>\.revealSecrets/)]);
    expect(load({ MASK_SECRETS: "true" }).warnings).toEqual([]);
  });

  it("DNS_REBINDING_PROTECTION=false is not honoured and says what to use", () => {
    const { config, warnings } = load({ DNS_REBINDING_PROTECTION: "false" });
    expect(config.http.allowedHosts).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/always checks the Host header.*--allowed-hosts/)]);
    expect(load({ DNS_REBINDING_PROTECTION: "true" }).warnings).toEqual([]);
  });

  it.each([
    [{ MCP_AUTH_TOKEN: "short" }, /MCP_AUTH_TOKEN: .*at least 16 characters \(MCP_API_KEY\)/],
    [
      { ALLOW_ONLY_READONLY_TOOLS: "maybe" },
      /ALLOW_ONLY_READONLY_TOOLS: expected true or false, got "maybe"/,
    ],
    [{ SPAWN_MAX_BUFFER: "1MB" }, /SPAWN_MAX_BUFFER: expected a whole number.*cli\.maxOutputBytes/],
    [{ SPAWN_MAX_BUFFER: "1" }, /cli\.maxOutputBytes: Too small/],
  ] as const)("stops start-up on %j", (env, message) => {
    expect(() => load({ ...env })).toThrow(message);
  });
});

describe("k8s-mcp-server variables", () => {
  it.each([
    [{ K8S_MCP_TIMEOUT: "120" }, { cli: { timeoutSeconds: 120 } }],
    [{ K8S_MCP_MAX_OUTPUT: "50000" }, { output: { maxBytes: 50_000 } }],
    [{ K8S_MCP_TRANSPORT: "stdio" }, { http: { path: "/mcp" } }],
    [{ K8S_MCP_TRANSPORT: "streamable-http" }, { http: { listen: "0.0.0.0:8000" } }],
    [
      { K8S_MCP_TRANSPORT: "streamable-http", K8S_MCP_HOST: "127.0.0.1", K8S_MCP_PORT: "8091" },
      { http: { listen: "127.0.0.1:8091" } },
    ],
    [{ K8S_MCP_SECURITY_MODE: "strict" }, { mode: "non-destructive" }],
    [{ K8S_MCP_SECURITY_MODE: "permissive" }, { mode: "full" }],
  ] as const)("%j → %j", (env, expected) => {
    expect(load({ ...env }).config).toMatchObject(expected);
  });

  it("ALLOWED_TOOLS translates mcp-server-kubernetes' tool names and says how", () => {
    const { config, warnings } = load({
      ALLOWED_TOOLS: "kubectl_get, pods_logs, install_helm_chart, cleanup",
    });
    expect(config.tools.allow).toEqual(["resources_list", "resources_get", "pods_logs", "helm_install"]);
    expect(warnings).toEqual([
      "ALLOWED_TOOLS: mcp-server-kubernetes names translated: kubectl_get → resources_list, resources_get; install_helm_chart → helm_install; cleanup → (nothing: kube-mcp needs no such tool)",
    ]);
  });

  it("mcp-kubernetes' --qps-limit and --burst-limit set the per-cluster rate limit", () => {
    const { config } = load({}, ["--qps-limit", "20", "--burst-limit", "40"]);
    expect(config.kube).toMatchObject({ qps: 20, burst: 40 });
    expect(() => load({}, ["--qps-limit", "lots"])).toThrow(/--qps-limit: expected a whole number.*--qps/);
  });

  it.each([
    [{ ENABLE_UNSAFE_SSE_TRANSPORT: "1", PORT: "3009" }, [], "localhost:3009"],
    [{ K8S_MCP_TRANSPORT: "sse" }, [], "0.0.0.0:8000"],
    [{}, ["--transport", "sse", "--http-addr", ":9090"], "0.0.0.0:9090"],
  ] as const)("%j %j serve the legacy SSE transport on %s", (env, argv, listen) => {
    const { config } = load({ ...env }, [...argv]);
    expect(config.http).toMatchObject({ listen, sse: true });
  });

  it("stdio leaves HTTP off", () => {
    expect(load({ K8S_MCP_TRANSPORT: "stdio", K8S_MCP_PORT: "9" }).config.http.listen).toBeUndefined();
  });

  it.each([
    [{ K8S_MCP_TRANSPORT: "grpc" }, /K8S_MCP_TRANSPORT: expected stdio, sse or streamable-http, got "grpc"/],
    [{ K8S_MCP_SECURITY_MODE: "lax" }, /K8S_MCP_SECURITY_MODE: expected strict or permissive.*--mode/],
    [
      { K8S_MCP_SECURITY_CONFIG: "/nonexistent/rules.yaml" },
      /CLI rule file: cannot read \/nonexistent\/rules\.yaml: ENOENT/,
    ],
    [{ K8S_MCP_TIMEOUT: "soon" }, /K8S_MCP_TIMEOUT: expected a whole number.*cli\.timeoutSeconds/],
  ] as const)("stops start-up on %j", (env, message) => {
    expect(() => load({ ...env })).toThrow(message);
  });

  it("reports every name it cannot honour at once", () => {
    expect(() => load({ K8S_MCP_TRANSPORT: "udp", K8S_MCP_SECURITY_MODE: "lax" })).toThrow(
      /K8S_MCP_TRANSPORT: expected .*; K8S_MCP_SECURITY_MODE/,
    );
  });
});

describe("mcp-kubernetes flags", () => {
  it.each([
    [["--non-destructive"], { mode: "non-destructive" }],
    [["--non-destructive=false"], { mode: "full" }],
    [["--dry-run"], { dryRun: true }],
    [["--in-cluster"], { kube: { contexts: ["in-cluster"] } }],
    [["--transport", "streamable-http"], { http: { listen: "0.0.0.0:8080" } }],
    [
      ["--transport=streamable-http", "--http-addr", "127.0.0.1:9090"],
      { http: { listen: "127.0.0.1:9090" } },
    ],
    [["--transport", "streamable-http", "--http-addr=:9090"], { http: { listen: "0.0.0.0:9090" } }],
    [["--http-endpoint", "/kube"], { http: { path: "/kube" } }],
    [["--debug"], { logLevel: "debug" }],
    [["--debug=false"], { logLevel: "info" }],
  ] as const)("%j → %j", (argv, expected) => {
    expect(load({}, [...argv]).config).toMatchObject(expected);
  });

  it("stdio leaves HTTP off, and kube-mcp's own flags still parse beside the peer's", () => {
    const { config } = load({}, ["--transport", "stdio", "--max-rows", "50", "--debug"]);
    expect(config.http.listen).toBeUndefined();
    expect(config).toMatchObject({ logLevel: "debug", output: { maxRows: 50 } });
  });

  it.each([
    [["--transport", "udp"], /--transport: expected stdio, sse or streamable-http, got "udp"/],
    [["--transport"], /--transport needs a value/],
    [["--in-cluster=perhaps"], /--in-cluster: expected true or false/],
  ] as const)("stops start-up on %j", (argv, message) => {
    expect(() => load({}, [...argv])).toThrow(message);
  });
});

describe("precedence", () => {
  it("kube-mcp's own environment and flags win, in one warning line naming what was ignored", () => {
    const { config, warnings } = load(
      { ALLOW_ONLY_READONLY_TOOLS: "true", KUBE_MCP_MODE: "full", MCP_AUTH_TOKEN: KEY, K8S_MCP_TIMEOUT: "9" },
      ["--transport", "streamable-http", "--http", "127.0.0.1:7000"],
    );
    expect(config).toMatchObject({
      mode: "full",
      http: { listen: "127.0.0.1:7000", apiKey: KEY },
      cli: { timeoutSeconds: 9 },
    });
    expect(warnings).toEqual([
      "kube-mcp's own settings win over another server's names: ignoring ALLOW_ONLY_READONLY_TOOLS (mode), --transport (http.listen)",
    ]);
  });

  it("a peer's name wins over the config file, as any environment variable does", () => {
    const file = join(mkdtempSync(join(tmpdir(), "kube-mcp-compat-")), "c.yaml");
    writeFileSync(file, "mode: full\n");
    expect(load({ KUBE_MCP_CONFIG: file, ALLOW_ONLY_READONLY_TOOLS: "yes" }).config.mode).toBe("read-only");
  });

  it("of several peer names asking for a mode, the strictest wins", () => {
    expect(load({ K8S_MCP_SECURITY_MODE: "permissive", ALLOW_ONLY_READONLY_TOOLS: "1" }).config.mode).toBe(
      "read-only",
    );
    expect(load({ ALLOW_ONLY_NON_DESTRUCTIVE_TOOLS: "1" }, ["--non-destructive=false"]).config.mode).toBe(
      "non-destructive",
    );
  });

  it("other roles ignore the peers' names (hub and agent have their own)", () => {
    const hub = loadConfig([], { ALLOW_ONLY_READONLY_TOOLS: "maybe", PORT: "4000" }, "read-only", "hub");
    expect(hub.config.hub.port).toBe(4000);
    expect(() => loadConfig(["--debug"], {}, "read-only", "hub")).toThrow(/Unknown option '--debug'/);
  });
});

describe("the README's Coming from section", () => {
  it("shows the mapping table as it is (npm run docs regenerates it)", () => {
    const readme = readFileSync(join(import.meta.dirname, "..", "..", "README.md"), "utf8");
    const block = /<!-- compat:start -->\n([\s\S]*?)\n<!-- compat:end -->/.exec(readme)?.[1];
    expect(block).toBe(compatTables());
    for (const repo of Object.values(PEERS)) expect(block).toContain(repo);
  });
});

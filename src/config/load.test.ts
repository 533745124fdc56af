import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./load.js";

const dir = mkdtempSync(join(tmpdir(), "kube-mcp-config-"));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe("loadConfig", () => {
  it("uses the role's default mode and the schema defaults", () => {
    const { config } = loadConfig([], {}, "read-only");
    expect(config.mode).toBe("read-only");
    expect(config.output).toEqual({ maxRows: 200, maxBytes: 24_000 });
    expect(config.http.path).toBe("/mcp");
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("takes OCI registry paths from a repeated --helm-registry, or as JSON with plainHttp", () => {
    const flags = [
      "--helm-registry",
      "oci://ghcr.io/org/charts/",
      "--helm-registry",
      "oci://127.0.0.1:5000/c",
    ];
    expect(loadConfig(flags, {}, "full").config.helm.registries).toEqual([
      { url: "oci://ghcr.io/org/charts", plainHttp: false },
      { url: "oci://127.0.0.1:5000/c", plainHttp: false },
    ]);
    const env = { KUBE_MCP_HELM_REGISTRIES: '[{"url":"oci://127.0.0.1:5000/c","plainHttp":true}]' };
    expect(loadConfig([], env, "full").config.helm.registries).toEqual([
      { url: "oci://127.0.0.1:5000/c", plainHttp: true },
    ]);
    expect(() => loadConfig(["--helm-registry", "https://ghcr.io/x"], {}, "full")).toThrow(/oci:\/\/host/);
    expect(() => loadConfig(["--helm-registry", "oci://u:p@ghcr.io/x"], {}, "full")).toThrow(
      /without credentials/,
    );
  });

  it("trusts the user's own Helm repositories on serve unless told not to, never on hub or agent", () => {
    expect(loadConfig([], {}, "full").config.helm.userRepositories).toBe(true);
    expect(loadConfig(["--helm-user-repos", "false"], {}, "full").config.helm.userRepositories).toBe(false);
    expect(
      loadConfig([], { KUBE_MCP_HELM_USER_REPOSITORIES: "false" }, "full").config.helm.userRepositories,
    ).toBe(false);
    const trusting = file("user-repos.yaml", "helm: {userRepositories: true}\n");
    for (const role of ["hub", "agent"] as const)
      expect(loadConfig(["--config", trusting], {}, "read-only", role).config.helm.userRepositories).toBe(
        false,
      );
  });

  it("takes chart repositories from a repeated --helm-repo, or as JSON from the environment", () => {
    const flags = ["--helm-repo", "a=http://127.0.0.1:1", "--helm-repo", "b=https://charts.example/x"];
    expect(loadConfig(flags, {}, "full").config.helm.repositories).toEqual([
      { name: "a", url: "http://127.0.0.1:1" },
      { name: "b", url: "https://charts.example/x" },
    ]);
    const env = { KUBE_MCP_HELM_REPOSITORIES: '[{"name":"c","url":"http://x"}]' };
    expect(loadConfig([], env, "full").config.helm.repositories).toEqual([{ name: "c", url: "http://x" }]);
    expect(() => loadConfig(["--helm-repo", "nourl"], {}, "full")).toThrow(ConfigError);
    expect(() => loadConfig(["--helm-repo", "a=file:///etc"], {}, "full")).toThrow(/http\(s\) URL/);
  });

  it("layers defaults < file < environment < flags", () => {
    const cfg = file("c.yaml", "mode: read-only\noutput:\n  maxRows: 50\n  maxBytes: 9000\nlogLevel: warn\n");
    const env = { KUBE_MCP_CONFIG: cfg, KUBE_MCP_MODE: "full", KUBE_MCP_MAX_ROWS: "60" };
    expect(loadConfig([], env, "non-destructive").config).toMatchObject({
      mode: "full",
      logLevel: "warn",
      output: { maxRows: 60, maxBytes: 9000 },
    });
    const flags = loadConfig(["--mode", "non-destructive", "--max-rows", "70"], env, "full").config;
    expect(flags).toMatchObject({ mode: "non-destructive", output: { maxRows: 70, maxBytes: 9000 } });
  });

  it("reads JSON config files and per-cluster policy", () => {
    const cfg = file(
      "c.json",
      JSON.stringify({
        clusters: { prod: { mode: "read-only", revealSecrets: false } },
        revealSecrets: true,
      }),
    );
    const { config } = loadConfig(["--config", cfg], {}, "full");
    expect(config.clusters.prod).toEqual({ mode: "read-only", revealSecrets: false });
    expect(config.revealSecrets).toBe(true);
  });

  it("parses lists and booleans from the environment", () => {
    const { config } = loadConfig([], { KUBE_MCP_CONTEXTS: "a, b,,c", KUBE_MCP_DRY_RUN: "yes" }, "full");
    expect(config.kube.contexts).toEqual(["a", "b", "c"]);
    expect(config.dryRun).toBe(true);
  });

  it.each([
    [["--max-rows", "lots"], {}, /--max-rows: expected a number, got "lots"/],
    [["--bogus"], {}, /Unknown option '--bogus'.*--help/],
    [["--mode", "yolo"], {}, /mode: Invalid option: expected one of "read-only"\|"non-destructive"\|"full"/],
    [[], { KUBE_MCP_DRY_RUN: "maybe" }, /KUBE_MCP_DRY_RUN: expected true or false/],
    [["--api-key", "short"], {}, /http\.apiKey: the API key must be at least 16 characters/],
    [["--config", join(dir, "missing.yaml")], {}, /cannot read config file .*missing\.yaml: ENOENT/],
  ] as const)("rejects %j with a message naming the option", (argv, env, message) => {
    expect(() => loadConfig([...argv], { ...env }, "full")).toThrow(message);
  });

  it("rejects an invalid config file and unknown keys in it", () => {
    expect(() => loadConfig(["--config", file("bad.yaml", "mode: [")], {}, "full")).toThrow(ConfigError);
    expect(() => loadConfig(["--config", file("typo.yaml", "output:\n  maxRow: 5\n")], {}, "full")).toThrow(
      /output: Unrecognized key: "maxRow"/,
    );
  });
});

describe("the README's configuration example", () => {
  it("is a valid config file", () => {
    const readme = readFileSync(join(import.meta.dirname, "..", "..", "README.md"), "utf8");
    const yaml = /### Configuration file\n\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(yaml).toBeDefined();
    const { config } = loadConfig(["--config", file("readme.yaml", yaml ?? "")], {}, "non-destructive");
    expect(config.clusters.prod?.mode).toBe("read-only");
    expect(config.http.listen).toBe("127.0.0.1:8080");
  });
});

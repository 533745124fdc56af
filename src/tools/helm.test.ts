import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { installArgv, valuesFile } from "./helm.js";
import { helmTimeout } from "./helm-writes.js";

describe("helm_install", () => {
  it("is helm upgrade --install with the flags its arguments name", () => {
    expect(
      installArgv({
        release: "web",
        chart: "local/web",
        namespace: "shop",
        version: "1.2.3",
        wait: true,
        dryRun: true,
      }),
    ).toEqual([
      "upgrade",
      "--install",
      "web",
      "local/web",
      "--namespace",
      "shop",
      "--version",
      "1.2.3",
      "--wait",
      "--dry-run",
    ]);
  });

  it("writes values, as YAML or an object, to a file only its owner reads", () => {
    const dir = mkdtempSync(join(tmpdir(), "kube-mcp-values-"));
    for (const values of ["a: 1\n", { a: 1 }]) {
      const [flag] = valuesFile(values)(dir);
      const path = join(dir, "values.yaml");
      expect(flag).toBe(`--values=${path}`);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readFileSync(path, "utf8")).toMatch(/a/);
    }
  });

  it("refuses values that are not a YAML mapping before anything runs", () => {
    expect(() => valuesFile("- a")).toThrow(/must be a YAML mapping/);
    expect(() => valuesFile("a: [")).toThrow(/not valid YAML/);
    expect(valuesFile("")(mkdtempSync(join(tmpdir(), "kube-mcp-values-")))).toHaveLength(1);
  });
});

describe("helm's --timeout", () => {
  it("stays below the call's deadline, leaving helm time to record a failure", () => {
    expect(helmTimeout(undefined, 55)).toEqual({ seconds: 44, cut: true });
    expect(helmTimeout("2s", 55)).toEqual({ seconds: 2, cut: false });
    expect(helmTimeout("1m30s", 600)).toEqual({ seconds: 90, cut: false });
    expect(helmTimeout("10m", 120)).toEqual({ seconds: 105, cut: true });
    expect(helmTimeout("500ms", 5)).toEqual({ seconds: 1, cut: false });
  });
});

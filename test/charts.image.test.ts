// The Dockerfile the charts deploy, built without a registry by scripts/image.sh (buildah, bases
// assembled from Debian packages, the npm registry and the test bed's kubectl and helm) and run as the
// charts run it: UID 1000, read-only root, only /tmp writable. Needs root and buildah, which .ci/run
// installs; elsewhere the test is skipped unless CI is set.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { run } from "./helpers/run.js";

const ROOT = join(import.meta.dirname, "..");
const hasBuildah = (() => {
  try {
    execFileSync("buildah", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
const canBuild = hasBuildah && process.getuid?.() === 0;

describe.runIf(canBuild || process.env.CI)("container image", () => {
  it("builds from the Dockerfile and runs kube-mcp, kubectl and helm as UID 1000 on a read-only root", async () => {
    expect(canBuild, "the image test needs root and buildah (apt-get install buildah)").toBe(true);
    const r = await run(join(ROOT, "scripts", "image.sh"), ["localhost/kube-mcp:test"], {
      env: { ...process.env, KUBE_MCP_TESTBED_BIN: inject("testbedBin") },
      timeoutMs: 420_000,
    });
    const log = r.stderr
      .split("\n")
      .filter((l) => l.startsWith("image:"))
      .join("\n");
    expect(r.code, `${log}\n${r.stderr.slice(-3000)}`).toBe(0);
    const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;
    expect(log).toContain(`kube-mcp --version: ${version}`);
    expect(log).toMatch(/kubectl: v1\.\d+/);
    expect(log).toMatch(/helm: v3\.\d+/);
    expect(log).toContain("root EROFS, uid 1000, /tmp writable");
    expect(log).toContain("hub /healthz: 200");
  }, 480_000);
});

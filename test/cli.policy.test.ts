// Per-cluster policy in the passthrough: the stricter of the global and the cluster's mode decides,
// per cluster, at call time.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { call, type Session, stdioSession } from "./helpers/mcp.js";

const dir = mkdtempSync(join(tmpdir(), "kube-mcp-policy-"));
let s: Session;

beforeAll(async () => {
  const cfg = join(dir, "policy.yaml");
  writeFileSync(cfg, "mode: full\nclusters:\n  beta:\n    mode: read-only\n");
  s = await stdioSession({
    args: ["--config", cfg],
    env: { KUBECONFIG: inject("kubeconfig"), PATH: `${inject("testbedBin")}:${process.env.PATH}` },
  });
});
afterAll(async () => {
  await s?.close();
});

describe("per-cluster modes in the passthrough", () => {
  it("still reads on the read-only cluster", async () => {
    const r = await call(s.client, "kubectl", {
      args: ["get", "deploy", "-n", "shop", "-o", "name"],
      cluster: "beta",
    });
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toContain("deployment.apps/web");
  });

  const label = ["label", "deploy", "web", "-n", "shop", "reviewed=yes", "--dry-run=server"];

  it("refuses a write on the read-only cluster, marked as refused", async () => {
    const r = await call(s.client, "kubectl", { args: label, cluster: "beta" });
    expect(r.structured).toEqual({
      refused: true,
      reason: expect.stringContaining("not allowed in read-only mode"),
    });
  });

  it("runs it where the cluster allows it and names the refusal beside the result", async () => {
    const r = await call(s.client, "kubectl", { args: label, cluster: "*" });
    expect(r.isError).toBe(false);
    // The plan kubectl made (its server dry run), shown as a diff after the guard passed it.
    expect(r.text).toContain("Deployment/web: would change (dry run)");
    expect(r.text).toContain("+     reviewed: yes");
    expect(r.text).toContain("Cluster beta failed: Refused on cluster beta (read-only mode)");
  });
});

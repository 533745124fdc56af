// helm writes that fail come back as tool errors that say what happened and what to do next: a chart
// that does not render, a version the repository lacks, a repository that cannot be reached, a
// release stuck in a pending state, and a --wait that times out (helm's own timeout is kept below the
// call's deadline, so helm records the failure instead of being killed mid-write).
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { leaks } from "./helpers/canary.js";
import { type HelmBed, helmBed } from "./helpers/helm-bed.js";
import type { Progress, Session } from "./helpers/mcp.js";

const kubeconfig = inject("kubeconfig");
const id = Date.now().toString(36);
const ns = `helm-err-${id}`;
const release = "errs";
const canary = `kmcp-canary-errors-${id}`;
let bed: HelmBed;
let s: Session;

beforeAll(async () => {
  bed = await helmBed({
    kubeconfig,
    bin: inject("testbedBin"),
    charts: ["lifecycle"],
    config: { clusters: { alpha: { allow: ["secrets"] } } },
  });
  // "down" is configured but nothing listens there.
  s = await bed.serve("non-destructive", ["--helm-repo", "down=http://127.0.0.1:1"]);
  expect((await bed.kubectl("create", "namespace", ns)).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await bed?.close();
  await bed?.kubectl("delete", "namespace", ns, "--wait=false", "--ignore-not-found");
}, 120_000);

const h = (args: string[], more?: Record<string, unknown>, onprogress?: (p: Progress) => void) =>
  bed.h(s, [...args, "-n", ns], more, onprogress);
const install = (...extra: string[]) =>
  h(["upgrade", "--install", release, "local/lifecycle", "--set", `auth.password=${canary}`, ...extra]);
const history = async () => {
  const r = await bed.helm(
    "--kubeconfig",
    kubeconfig,
    "--kube-context",
    "alpha",
    "history",
    release,
    "-n",
    ns,
    "-o",
    "json",
  );
  return r.code === 0 ? (JSON.parse(r.stdout) as { revision: number; status: string }[]) : [];
};

describe("helm errors that say what to do next", () => {
  it("a chart that fails to render names the template and changes nothing", async () => {
    const r = await install("--set", "fail=the greeting is required");
    expect(r.isError).toBe(true);
    expect(r.text).toContain("did not render into valid objects");
    expect(r.text).toContain("the greeting is required");
    expect(r.text).toContain("nothing was changed");
    expect(await history()).toEqual([]);
  }, 120_000);

  it("a missing version lists the versions there are", async () => {
    const r = await install("--version", "9.9.9");
    expect(r.isError).toBe(true);
    expect(r.text).toContain("Chart local/lifecycle version 9.9.9 is not in repository local");
    expect(r.text).toContain("Versions of local/lifecycle: 0.1.0.");
  }, 120_000);

  it("a chart the repository lacks lists its charts", async () => {
    const r = await h(["install", release, "local/nope"]);
    expect(r.isError).toBe(true);
    expect(r.text).toContain("its charts: local/lifecycle");
  }, 120_000);

  it("an unreachable repository is the operator's to fix", async () => {
    const r = await h(["install", release, "down/lifecycle"]);
    expect(r.isError).toBe(true);
    expect(r.text).toContain("Chart repository down cannot be reached");
    expect(r.text).toContain("helm.repositories");
  }, 120_000);

  it("a --wait that times out leaves the revision failed, says so and how to roll back", async () => {
    expect((await install()).isError).toBe(false);
    const r = await install("--set", "loadBalancer=true", "--wait", "--timeout", "2s");
    expect(r.isError).toBe(true);
    expect(r.text).toContain("helm's --timeout (2 s) ran out before the release's objects were ready.");
    expect(r.text).toContain("Helm leaves release errs as it failed: revision 2 is failed");
    expect(r.text).toContain("helm rollback errs 1");
    expect((await history()).map((x) => x.status)).toEqual(["deployed", "failed"]);
  }, 120_000);

  it("keeps helm's timeout below the call's deadline, reporting progress while it waits", async () => {
    const seen: Progress[] = [];
    const t = await h(
      ["upgrade", release, "local/lifecycle", "--reuse-values", "--set", "loadBalancer=true", "--wait"],
      { timeout: 12 },
      (p) => seen.push(p),
    );
    expect(t.isError).toBe(true);
    expect(t.text).toMatch(/revision \d+ is failed/);
    expect(t.text).toContain("helm's --timeout (10 s) ran out");
    expect(t.text).toContain("kube-mcp shortened it to end within the call's timeout (12 s)");
    expect(seen.some((p) => /helm upgrade errs: helm is applying it/.test(p.message ?? ""))).toBe(true);
    expect((await history()).some((x) => x.status.startsWith("pending"))).toBe(false);
  }, 120_000);

  it("a cancelled helm write is asked to stop, so helm records it as failed rather than pending", async () => {
    const ctl = new AbortController();
    const call = s.client.callTool(
      {
        name: "helm",
        arguments: {
          cluster: "alpha",
          args: [
            "upgrade",
            release,
            "local/lifecycle",
            "-n",
            ns,
            "--reuse-values",
            "--set",
            "loadBalancer=true",
            "--wait",
          ],
        },
      },
      { signal: ctl.signal },
    );
    setTimeout(() => ctl.abort(), 3000);
    await expect(call).rejects.toThrow();
    let last = "";
    for (let i = 0; i < 60 && !/failed/.test(last); i++) {
      await new Promise((r) => setTimeout(r, 500));
      last = (await history()).at(-1)?.status ?? "";
    }
    expect(last).toBe("failed");
  }, 120_000);

  it("a release left pending is refused with the way out", async () => {
    await markLatest("pending-upgrade");
    const r = await install();
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/Release errs is pending-upgrade at revision \d+/);
    expect(r.text).toContain("helm rollback errs 1");
  }, 120_000);

  it("never shows the --set secret value", () => {
    expect(bed.outputs.filter((o) => o.includes(canary))).toEqual([]);
    expect(bed.outputs.flatMap(leaks)).toEqual([]);
  });
});

/** Rewrites the latest revision's record as helm would leave it when killed mid-write. */
async function markLatest(status: string): Promise<void> {
  const latest = Math.max(...(await history()).map((x) => x.revision));
  const name = `sh.helm.release.v1.${release}.v${latest}`;
  const got = await bed.kubectl("get", "secret", name, "-n", ns, "-o", "json");
  const secret = JSON.parse(got.stdout);
  const body = JSON.parse(
    gunzipSync(Buffer.from(Buffer.from(secret.data.release, "base64").toString(), "base64")).toString(),
  );
  body.info.status = status;
  const encoded = Buffer.from(gzipSync(JSON.stringify(body)).toString("base64")).toString("base64");
  const patch = JSON.stringify({ metadata: { labels: { status } }, data: { release: encoded } });
  const r = await bed.kubectl("patch", "secret", name, "-n", ns, "--type=merge", "-p", patch);
  expect(r.code, r.stderr).toBe(0);
}

// `npm run testbed:up` on a running bed reuses it: same kubeconfig, same API servers, nothing restarted.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { readState } from "../testbed/lib/bed.js";
import { run } from "./helpers/run.js";

describe("testbed:up", () => {
  it("reuses the running bed", async () => {
    const kubeconfig = inject("kubeconfig");
    const before = readState();
    const before_config = readFileSync(kubeconfig, "utf8");
    const tsx = join(import.meta.dirname, "..", "node_modules", ".bin", "tsx");
    const r = await run(tsx, [join(import.meta.dirname, "..", "testbed", "up.ts")], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("reusing the running test bed");
    expect(r.stdout.trim().split("\n").at(-1)).toBe(`KUBECONFIG=${kubeconfig}`);
    const after = readState();
    expect(after?.clusters.map((c) => [c.server, c.procs.map((p) => p.pid)])).toEqual(
      before?.clusters.map((c) => [c.server, c.procs.map((p) => p.pid)]),
    );
    expect(readFileSync(kubeconfig, "utf8")).toBe(before_config);
  });
});

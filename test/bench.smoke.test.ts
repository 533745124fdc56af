// The bench harness, run small: kube-mcp only (the peers are installed for `npm run bench`, not here),
// one cold start and one of each common read against the suite's test bed. A broken harness fails
// `npm test` instead of the next benchmark night.
import { describe, expect, inject, it } from "vitest";
import { markdown } from "../bench/lib/report.js";
import { kubeMcp } from "../bench/lib/servers.js";
import { reads, readsSection } from "../bench/scenarios/reads.js";
import { startup, startupSections } from "../bench/scenarios/startup.js";

const kubeconfig = inject("kubeconfig");

describe("bench harness (smoke)", () => {
  it("times a cold start to tools/list and reads idle memory and the tools/list size", async () => {
    const results = await startup([kubeMcp()], { kubeconfig, reps: 1, idleMs: 200, readOnly: false });
    const sample = results[0]?.samples[0];
    expect(sample).toMatchObject({ ok: true, status: "ok" });
    expect(sample?.ms).toBeGreaterThan(0);
    expect(sample?.cpuMs).toBeGreaterThan(0);
    expect(sample?.rssMB).toBeGreaterThan(10);
    expect(sample?.tools).toBeGreaterThan(5);
    expect(sample?.bytes).toBeGreaterThan(1_000);
    const [start, size] = startupSections(results);
    expect(start?.rows[0]?.slice(0, 4)).toEqual([
      "kube-mcp",
      "1",
      expect.stringMatching(/^\d+ ms$/),
      "1.00×",
    ]);
    // The build made the code cache this Node uses (src/bin.ts): the configuration says so.
    expect(start?.rows[0]?.[8]).toContain("code cache from the build");
    expect(markdown(size as NonNullable<typeof size>)).toContain("| kube-mcp | ");
  });

  it("times each common read and its raw API floor, and records the answer size", async () => {
    const res = await reads([kubeMcp()], {
      kubeconfig,
      reps: 1,
      spec: {
        listNamespace: "shop",
        deployment: { namespace: "shop", name: "web" },
        logs: { namespace: "shop", labelSelector: "app=web", tail: 200 },
      },
    });
    expect(res.reads.map((r) => r.key)).toEqual(["list", "get", "logs"]);
    for (const floor of res.reads) {
      expect(floor.floorMs).toBeGreaterThan(0);
      expect(floor.floorBytes).toBeGreaterThan(0);
    }
    for (const s of res.stats) {
      expect(s, s.status).toMatchObject({ server: "kube-mcp", ok: 1, runs: 1, status: "ok" });
      expect(s.medianMs).toBeGreaterThan(0);
      expect(s.bytes).toBeGreaterThan(0);
    }
    expect(readsSection(res).rows).toHaveLength(6);
  });
});

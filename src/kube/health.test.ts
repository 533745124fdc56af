import { describe, expect, it } from "vitest";
import { healthReport } from "./health.js";
import { answer, fakeApi } from "./testdata/fake-api.js";

const signal = new AbortController().signal;
const node = (name: string, conditions: [string, string][], unschedulable = false) => ({
  metadata: { name },
  spec: { unschedulable },
  status: { conditions: conditions.map(([type, status]) => ({ type, status })) },
});
const warning = (reason: string, count: number) => ({
  metadata: { namespace: "shop" },
  involvedObject: { kind: "Pod", name: `p-${reason}-${count}` },
  reason,
  message: reason,
  type: "Warning",
  count,
});

describe("healthReport", () => {
  it("puts version, checks, nodes, pods not running and frequent warnings in one page", async () => {
    const { api } = fakeApi((req) => {
      if (req.path === "/version") return { gitVersion: "v1.36.3" };
      if (req.path === "/readyz") return "[+]ping ok\n[-]etcd failed: reason withheld\nreadyz check failed";
      if (req.path === "/livez") return answer(500, "boom");
      if (req.path === "/api/v1/nodes")
        return {
          items: [
            node("n1", [["Ready", "True"]]),
            node(
              "n2",
              [
                ["Ready", "False"],
                ["MemoryPressure", "True"],
              ],
              true,
            ),
          ],
        };
      if (req.path === "/api/v1/pods")
        return {
          items: [
            {
              metadata: { name: "web-0", namespace: "shop" },
              status: { phase: "Pending", conditions: [{ status: "False", reason: "Unschedulable" }] },
            },
          ],
        };
      if (req.path === "/api/v1/events")
        return { items: [warning("BackOff", 3), warning("FailedMount", 1), warning("BackOff", 4)] };
      return undefined;
    });
    const lines = (await healthReport(api, signal)).split("\n").map((l) => l.trimEnd());
    expect(lines.slice(0, 6)).toEqual([
      "Cluster:  test (v1.36.3)",
      "readyz:   failing: etcd failed: reason withheld",
      "livez:    failed: GET /livez returned HTTP 500: boom",
      "Nodes:    1/2 Ready; cordoned: n2",
      "Pressure: n2: MemoryPressure",
      "Pods not running: 1",
    ]);
    expect(lines[7]).toMatch(/^shop\/web-0\s+Pending\s+Unschedulable$/);
    expect(lines.at(-1)).toBe("Warnings by reason: BackOff ×7, FailedMount ×1");
  });

  it("says when no warnings were recorded", async () => {
    const { api } = fakeApi((req) =>
      req.path === "/readyz" || req.path === "/livez"
        ? "ok"
        : req.path === "/version"
          ? {}
          : req.path.startsWith("/api/v1/")
            ? { items: [] }
            : undefined,
    );
    const text = await healthReport(api, signal);
    expect(text).toContain("Cluster:  test (unknown version)");
    expect(text).toContain("Pods not running: 0\nWarnings: none recorded");
  });
});

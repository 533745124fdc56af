import { describe, expect, it } from "vitest";
import { eventTable } from "./events.js";
import { answer, fakeApi } from "./testdata/fake-api.js";

const signal = new AbortController().signal;
const ev = (ns: string, name: string, reason: string, last: string, count = 1) => ({
  metadata: { namespace: ns },
  involvedObject: { kind: "Pod", name },
  reason,
  message: `${reason} happened`,
  type: "Warning",
  count,
  lastTimestamp: last,
});

describe("eventTable", () => {
  it("collapses repeats, newest first, with a namespace column across namespaces", async () => {
    const { api, seen } = fakeApi(() => ({
      items: [
        ev("shop", "web-0", "BackOff", "2026-01-01T00:00:00Z", 2),
        ev("db", "db-0", "Failed", "2026-01-01T00:05:00Z"),
        ev("shop", "web-0", "BackOff", "2026-01-01T00:10:00Z", 3),
      ],
    }));
    const t = await eventTable(api, { kind: "Pod", type: "Warning", signal }, 50);
    expect(t.columns).toEqual(["namespace", "last seen", "type", "reason", "object", "count", "message"]);
    expect(t.rows.map((r) => [r[0], r[3], r[4], r[5]])).toEqual([
      ["shop", "BackOff", "pod/web-0", "5"],
      ["db", "Failed", "pod/db-0", "1"],
    ]);
    expect(t).toMatchObject({ total: 2, capped: false });
    expect(seen[0]?.query?.fieldSelector).toBe("involvedObject.kind=Pod,type=Warning");
  });

  it("keeps the newest `limit` rows of one namespace, counting them all", async () => {
    const { api, seen } = fakeApi(() => ({
      items: [ev("shop", "a", "X", "2026-01-01T00:00:00Z"), ev("shop", "b", "Y", "2026-01-01T00:01:00Z")],
    }));
    const t = await eventTable(api, { namespace: "shop", signal }, 1);
    expect(t.columns[0]).toBe("last seen");
    expect(t.rows.map((r) => r[3])).toEqual(["pod/b"]);
    expect(t.total).toBe(2);
    expect(seen[0]?.path).toBe("/api/v1/namespaces/shop/events");
  });

  it("says a refusal as a sentence naming the namespace", async () => {
    const { api } = fakeApi(() =>
      answer(403, { kind: "Status", reason: "Forbidden", message: "no", code: 403 }),
    );
    await expect(eventTable(api, { namespace: "shop", signal }, 10)).rejects.toThrow(
      "Forbidden: kube-mcp's identity on cluster test may not list events in namespace shop. no",
    );
  });
});

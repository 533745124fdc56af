import { describe, expect, it } from "vitest";
import { ToolError } from "../errors.js";
import { getWorkload, rolloutHistory, rolloutState, waitRollout } from "./rollout.js";
import { fakeApi } from "./testdata/fake-api.js";

const signal = new AbortController().signal;
const PATH = "/apis/apps/v1/namespaces/shop/deployments/web";
const deploy = (updated: number, available: number) => ({
  metadata: { name: "web", namespace: "shop", generation: 2, uid: "u1" },
  spec: { replicas: 3, selector: { matchLabels: { app: "web" } } },
  status: { observedGeneration: 2, updatedReplicas: updated, availableReplicas: available },
});

describe("rolloutState", () => {
  it("says what the rollout waits for, like kubectl rollout status", () => {
    expect(rolloutState("Deployment", { ...deploy(3, 3), status: { observedGeneration: 1 } }).text).toBe(
      "waiting for the controller to observe the new spec",
    );
    expect(rolloutState("Deployment", deploy(1, 1))).toEqual({
      done: false,
      text: "1 of 3 updated replicas",
    });
    expect(rolloutState("Deployment", deploy(3, 2)).text).toBe("2 of 3 updated replicas available");
    expect(rolloutState("Deployment", deploy(3, 3))).toEqual({
      done: true,
      text: "successfully rolled out (3 replicas)",
    });
  });
});

describe("waitRollout", () => {
  it("reads again until the rollout completes, reporting where it stands", async () => {
    const states = [deploy(1, 1), deploy(3, 2), deploy(3, 3)];
    let gets = 0;
    const { api } = fakeApi((req) => (req.path === PATH ? states[Math.min(gets++, 2)] : undefined));
    const w = await getWorkload(api, "deployment", "web", "shop", signal);
    const seen: string[] = [];
    const text = await waitRollout(api, w, {
      everyMs: 1,
      forMs: 10_000,
      signal,
      progress: (_d, _t, m) => seen.push(m),
    });
    expect(text).toBe("deployments.apps/web: successfully rolled out (3 replicas).");
    expect(seen).toEqual(["1 of 3 updated replicas", "2 of 3 updated replicas available"]);
  });

  it("says it stopped waiting when the bound passes first, and checks once for 0", async () => {
    let gets = 0;
    const { api } = fakeApi((req) => {
      if (req.path !== PATH) return undefined;
      gets++;
      return deploy(1, 1);
    });
    const w = await getWorkload(api, "deployment", "web", "shop", signal);
    const text = await waitRollout(api, w, { everyMs: 1000, forMs: 0, signal });
    expect(text).toBe("deployments.apps/web: 1 of 3 updated replicas (stopped waiting).");
    expect(gets).toBe(1);
  });

  it("ends at once when the call is cancelled while it waits", async () => {
    const { api } = fakeApi((req) => (req.path === PATH ? deploy(1, 1) : undefined));
    const w = await getWorkload(api, "deployment", "web", "shop", signal);
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(new Error("cancelled")), 20);
    await expect(waitRollout(api, w, { everyMs: 1000, forMs: 60_000, signal: ac.signal })).rejects.toThrow(
      "cancelled",
    );
    expect(Date.now() - started).toBeLessThan(500);
  });
});

describe("rolloutHistory", () => {
  it("lists the Deployment's own ReplicaSets, newest revision first", async () => {
    const rs = (rev: number, image: string, uid = "u1") => ({
      metadata: {
        name: `web-${rev}`,
        annotations: { "deployment.kubernetes.io/revision": String(rev) },
        ownerReferences: [{ uid }],
      },
      spec: { template: { spec: { containers: [{ image }] } } },
    });
    const { api, seen } = fakeApi((req) =>
      req.path === PATH
        ? deploy(3, 3)
        : req.path === "/apis/apps/v1/namespaces/shop/replicasets"
          ? { items: [rs(1, "web:1"), rs(2, "web:2"), rs(3, "other:1", "u2")] }
          : undefined,
    );
    const w = await getWorkload(api, "deployment", "web", "shop", signal);
    const text = await rolloutHistory(api, w, signal);
    expect(text.split("\n").map((l) => l.trim().split(/\s+/))).toEqual([
      ["REVISION", "CHANGE-CAUSE", "IMAGES"],
      ["2", "<none>", "web:2"],
      ["1", "<none>", "web:1"],
    ]);
    expect(seen.at(-1)?.query?.labelSelector).toBe("app=web");
  });

  it("refuses history for a StatefulSet, pointing to the kubectl tool", async () => {
    const { api } = fakeApi((req) =>
      req.path === "/apis/apps/v1/namespaces/shop/statefulsets/db" ? { metadata: { name: "db" } } : undefined,
    );
    const w = await getWorkload(api, "statefulset", "db", "shop", signal);
    const err = await rolloutHistory(api, w, signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolError);
    expect((err as Error).message).toContain("use the kubectl tool's rollout history");
  });
});

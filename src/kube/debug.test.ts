import { describe, expect, it } from "vitest";
import { addDebugContainer } from "./debug.js";
import { fakeApi } from "./testdata/fake-api.js";
import type { KubeRequest } from "./types.js";

const POD = "/api/v1/namespaces/shop/pods/web-0";
const opts = (o: Partial<Parameters<typeof addDebugContainer>[3]> = {}) => ({
  image: "busybox:1.37",
  ttlSeconds: 600,
  forMs: 10_000,
  signal: new AbortController().signal,
  progress: () => {},
  ...o,
});

/** A running pod whose debug container reports `states` in turn (the last one repeats). */
function pod(states: object[], phase = "Running") {
  let name = "";
  let reads = 0;
  const { api, seen } = fakeApi((req: KubeRequest) => {
    if (req.path === `${POD}/ephemeralcontainers`) {
      name = JSON.parse(String(req.body)).spec.ephemeralContainers[0].name;
      return {};
    }
    if (req.path !== POD) return undefined;
    const state = name ? states[Math.min(reads++, states.length - 1)] : undefined;
    return {
      metadata: { name: "web-0", namespace: "shop" },
      spec: { containers: [{ name: "app" }] },
      status: { phase, ephemeralContainerStatuses: state ? [{ name, state }] : [] },
    };
  });
  return { api, seen };
}

describe("addDebugContainer", () => {
  it("adds the container, waits until it runs, and says how to reach it", async () => {
    const { api, seen } = pod([{ waiting: { reason: "ContainerCreating" } }, { running: {} }]);
    const progress: string[] = [];
    const out = await addDebugContainer(
      api,
      "web-0",
      "shop",
      opts({ target: "app", progress: (_d, _t, m) => progress.push(m) }),
    );
    const added = JSON.parse(String(seen.find((r) => r.method === "PATCH")?.body)).spec
      .ephemeralContainers[0];
    expect(added).toMatchObject({
      image: "busybox:1.37",
      command: ["sleep", "600"],
      targetContainerName: "app",
    });
    expect(out.text).toMatch(
      new RegExp(
        `^Added debug container ${added.name} \\(busybox:1.37\\) to pod shop/web-0, sharing the processes of app: running\\.\\n`,
      ),
    );
    expect(out.text).toContain(`container "${added.name}"`);
    expect(out.notes).toEqual(["It cannot be removed; it ends when its command does (sleep 600)."]);
    expect(progress).toEqual(["waiting: ContainerCreating"]);
  }, 10_000);

  it("refuses a pod that is not running or lacks the target, before changing anything", async () => {
    const pending = pod([], "Pending");
    await expect(addDebugContainer(pending.api, "web-0", "shop", opts())).rejects.toThrow(
      "Pod web-0 is Pending; a debug container needs a running pod.",
    );
    const running = pod([]);
    await expect(
      addDebugContainer(running.api, "web-0", "shop", opts({ target: "sidecar" })),
    ).rejects.toThrow('Pod web-0 has no container "sidecar".');
    expect([...pending.seen, ...running.seen].some((r) => r.method === "PATCH")).toBe(false);
  });

  it("says where it stands when the wait runs out, and why when it ended at once", async () => {
    const slow = pod([{ waiting: { reason: "ErrImagePull" } }]);
    const out = await addDebugContainer(slow.api, "web-0", "shop", opts({ forMs: 0 }));
    expect(out.text).toContain(
      ": waiting: ErrImagePull (stopped waiting after 0 s; check with resources_describe).",
    );
    const ended = pod([{ terminated: { reason: "Error", exitCode: 127 } }]);
    await expect(addDebugContainer(ended.api, "web-0", "shop", opts())).rejects.toThrow(
      /ended at once \(Error, exit code 127\)/,
    );
  });

  it("stops waiting at once when the call is cancelled", async () => {
    const { api } = pod([{ waiting: {} }]);
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(new Error("cancelled")), 50);
    await expect(
      addDebugContainer(api, "web-0", "shop", opts({ forMs: 60_000, signal: ac.signal })),
    ).rejects.toThrow("cancelled");
    expect(Date.now() - started).toBeLessThan(500);
  });
});

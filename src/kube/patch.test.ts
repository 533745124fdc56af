import { describe, expect, it } from "vitest";
import { KnownSecrets } from "../policy/known.js";
import { patchObject, scaleObject } from "./patch.js";
import type { WriteCtx } from "./plan.js";
import { answer, fakeApi } from "./testdata/fake-api.js";

const write = (): WriteCtx => ({
  policy: { cluster: "test", mode: "full", allow: new Set(), revealSecrets: false },
  secrets: new KnownSecrets(),
  signal: new AbortController().signal,
});
const DEPLOY = "/apis/apps/v1/namespaces/shop/deployments/web";
const deploy = (replicas: number) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "shop", resourceVersion: "1" },
  spec: { replicas },
});

describe("patchObject", () => {
  const base = { kind: "deploy", name: "web", namespace: "shop", dryRun: false };

  it("refuses a patch that is not JSON before asking the cluster anything", async () => {
    const { api, seen } = fakeApi(() => undefined);
    await expect(patchObject(api, { ...base, patch: "{spec:" }, write())).rejects.toThrow(
      /^The patch is not valid JSON: .*\. Nothing was changed\.$/,
    );
    expect(seen).toEqual([]);
  });

  it("says a patch the server rejects does not apply, naming its type", async () => {
    const { api } = fakeApi((req) =>
      req.path === DEPLOY
        ? req.method === "PATCH"
          ? answer(422, {
              kind: "Status",
              reason: "Invalid",
              message: "spec.replicas: Invalid value",
              code: 422,
            })
          : deploy(1)
        : undefined,
    );
    await expect(patchObject(api, { ...base, patch: '{"spec":{"replicas":-1}}' }, write())).rejects.toThrow(
      "The strategic patch does not apply to deployments.apps/web: spec.replicas: Invalid value. Nothing was changed.",
    );
  });

  it("shows a dry run as a diff of the plan", async () => {
    const { api } = fakeApi((req) =>
      req.path === DEPLOY ? (req.method === "PATCH" ? deploy(3) : deploy(1)) : undefined,
    );
    const text = await patchObject(api, { ...base, patch: '{"spec":{"replicas":3}}', dryRun: true }, write());
    expect(text).toMatch(/^deployments\.apps\/web: would change \(dry run\)\n/);
    expect(text).toContain("replicas: 3");
  });
});

describe("scaleObject", () => {
  it("refuses a kind without a scale subresource", async () => {
    const { api } = fakeApi(() => undefined);
    await expect(
      scaleObject(
        api,
        { kind: "cronjobs", name: "x", namespace: "shop", replicas: 1, dryRun: false },
        write(),
      ),
    ).rejects.toThrow("cronjobs.batch cannot be scaled (it has no scale subresource).");
  });

  it("says from and to how many replicas, through the scale subresource", async () => {
    const scale = (n: number) => ({
      kind: "Scale",
      metadata: { name: "web", resourceVersion: "1" },
      spec: { replicas: n },
    });
    const { api, seen } = fakeApi((req) =>
      req.path === `${DEPLOY}/scale` ? scale(req.method === "PATCH" ? 5 : 2) : undefined,
    );
    const text = await scaleObject(
      api,
      { kind: "deploy", name: "web", namespace: "shop", replicas: 5, dryRun: true },
      write(),
    );
    expect(text).toBe("deployments.apps/web would be scaled from 2 to 5 (dry run).");
    expect(seen.every((r) => r.path === `${DEPLOY}/scale`)).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import type { Connection } from "./connection.js";
import { exitCodeOf, runInPod } from "./exec.js";
import { fakeApi } from "./testdata/fake-api.js";

describe("exitCodeOf", () => {
  it("reads the exit code from the ExitCode cause, or from the message where a runtime only says it there", () => {
    expect(exitCodeOf({ status: "Success" })).toBe(0);
    expect(
      exitCodeOf({ status: "Failure", details: { causes: [{ reason: "ExitCode", message: "3" }] } }),
    ).toBe(3);
    expect(exitCodeOf({ status: "Failure", message: "command terminated: exit status 127" })).toBe(127);
    expect(exitCodeOf({ status: "Failure", message: "container not found" })).toBeUndefined();
    expect(exitCodeOf(undefined)).toBeUndefined();
  });
});

describe("runInPod", () => {
  it("refuses a container the pod does not have, naming those it has (ephemeral ones too), before connecting", async () => {
    const { api } = fakeApi((req) =>
      req.path === "/api/v1/namespaces/shop/pods/web-0"
        ? { spec: { containers: [{ name: "app" }], ephemeralContainers: [{ name: "debugger-1" }] } }
        : undefined,
    );
    const conn = {} as Connection;
    const o = { pod: "web-0", namespace: "shop", command: ["ls"], timeoutMs: 1000, maxBytes: 100 };
    const err = await runInPod(api, conn, {
      ...o,
      container: "db",
      signal: new AbortController().signal,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      message: 'Pod web-0 has no container "db".',
      hint: "Containers: app, debugger-1.",
    });
  });
});

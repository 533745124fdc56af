import { describe, expect, it } from "vitest";
import type WebSocket from "ws";
import { createLogger } from "../obs/log.js";
import { AgentLink } from "./link.js";

describe("AgentLink", () => {
  it("fails a call it could not send (the socket was closing) with an error naming the cluster", async () => {
    const link = new AgentLink("beta", () => 5000, createLogger("error", { role: "test" }));
    const closing = {
      OPEN: 1,
      readyState: 2,
      send: (_: string, cb: (err?: Error) => void) =>
        cb(new Error("WebSocket is not open: readyState 2 (CLOSING)")),
      close: () => {},
    } as unknown as WebSocket;
    const hello = { policy: { mode: "read-only", namespace: "default", revealSecrets: false } };
    link.attach(closing, hello as never, "127.0.0.1");
    const err = await link
      .call("resources_list", {}, { signal: new AbortController().signal, rowLimit: 10, progress: () => {} })
      .catch((e: Error & { hint?: string }) => e);
    expect((err as Error).message).toBe(
      "Could not send the call to the agent for cluster beta: WebSocket is not open: readyState 2 (CLOSING).",
    );
    expect((err as { hint?: string }).hint).toMatch(/clusters_list/);
  });
});

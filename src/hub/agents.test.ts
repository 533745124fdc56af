import { describe, expect, it } from "vitest";
import type WebSocket from "ws";
import { ConfigSchema } from "../config/schema.js";
import { ToolError } from "../errors.js";
import type { Hello } from "../link/protocol.js";
import { createLogger } from "../obs/log.js";
import { Agents, agentToolName } from "./agents.js";

const hello = (tools: string[]) => ({ tools }) as unknown as Hello;

describe("agentToolName (a hub and its agents of different releases)", () => {
  it("calls an agent from before a rename by the old name its hello lists", () => {
    expect(agentToolName("resources_top", hello(["resources_list", "top"]))).toBe("top");
    expect(agentToolName("rollout_change", hello(["rollout_status", "rollout"]))).toBe("rollout");
  });

  it("keeps the name when the agent runs it, does not run either name, or has not said hello", () => {
    expect(agentToolName("resources_top", hello(["resources_top", "top"]))).toBe("resources_top");
    expect(agentToolName("rollout_change", hello(["rollout_status"]))).toBe("rollout_change");
    expect(agentToolName("resources_list", hello(["resources_list"]))).toBe("resources_list");
    expect(agentToolName("resources_top", undefined)).toBe("resources_top");
  });
});
const log = createLogger("error", { role: "test" });

describe("Agents.clusters", () => {
  it("reads each agent's hello live, and a copy of a cluster (a caller's view) keeps what it read", () => {
    const config = ConfigSchema.parse({ mode: "full", clusters: { beta: { mode: "read-only" } } });
    const agents = new Agents(config, { alpha: "token-alpha", beta: "token-beta" }, log);
    try {
      const [alpha, beta] = agents.clusters();
      expect([alpha?.name, beta?.name]).toEqual(["alpha", "beta"]);
      expect(alpha?.namespace).toBe("default");
      expect(alpha?.identity).toBeUndefined();
      expect(alpha?.agentSupports).toBeUndefined();
      const ws = { close: () => {} } as unknown as WebSocket;
      const hello = {
        type: "hello",
        policy: { mode: "full", namespace: "shop", revealSecrets: false, identity: "impersonate" },
        supports: ["caller", "scope"],
      };
      agents.links.get("alpha")?.attach(ws, hello as never, "127.0.0.1");
      expect(alpha?.namespace).toBe("shop");
      expect(alpha?.identity).toBe("impersonate");
      expect({ ...alpha }).toMatchObject({
        namespace: "shop",
        identity: "impersonate",
        agentSupports: ["caller", "scope"],
      });
      // Each cluster its own: alpha's hello is not beta's, and the hub's policy is per cluster.
      expect(beta?.namespace).toBe("default");
      expect([alpha?.mode, beta?.mode]).toEqual(["full", "read-only"]);
      expect(() => alpha?.api.cluster).toThrow(ToolError);
    } finally {
      agents.close();
    }
  });
});

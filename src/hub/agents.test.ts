import { describe, expect, it } from "vitest";
import type { Hello } from "../link/protocol.js";
import { agentToolName } from "./agents.js";

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

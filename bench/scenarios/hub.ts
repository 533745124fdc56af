// PLACEHOLDER for the hub part of issue 8: routed-call overhead against a direct `serve` call, fan-out
// over all connected clusters, and memory per connected agent with hundreds of (real, lightweight)
// agents. `kube-mcp hub` and `kube-mcp agent` do not exist yet, so this reports that instead of a number.
import type { Section } from "../lib/report.js";

export function hubSection(): Section {
  return {
    title: "Hub (kube-mcp hub + agents)",
    headers: ["scenario", "result"],
    rows: [
      ["routed call vs direct serve call", "hub: not implemented yet"],
      ["fan-out over all connected clusters", "hub: not implemented yet"],
      ["memory per connected agent (hundreds of agents)", "hub: not implemented yet"],
    ],
    data: { implemented: false },
  };
}

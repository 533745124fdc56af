// Starts real `kube-mcp hub` and `kube-mcp agent` processes on loopback for the fleet tests.
import { type Proc, spawnRole } from "./proc.js";

export { freePort } from "../../testbed/lib/ports.js";
export { type Proc, spawnRole } from "./proc.js";

export const TOKENS = {
  alpha: "alpha-token-0123456789abcdef",
  beta: "beta-token-0123456789abcdef",
  gamma: "gamma-token-0123456789abcdef",
};

/** Starts an agent for `name` serving kubeconfig context `context`, and waits until it is registered. */
export async function startAgent(
  name: keyof typeof TOKENS,
  context: string,
  o: { hubPort: number; kubeconfig: string; bin: string; args?: string[] },
): Promise<Proc> {
  const agent = spawnRole("agent", ["--health", "127.0.0.1:0", ...(o.args ?? [])], {
    KUBECONFIG: o.kubeconfig,
    K8S_CONTEXT: context,
    CENTRAL_SERVER_URL: `ws://127.0.0.1:${o.hubPort}/agent`,
    CLUSTER_NAME: name,
    AGENT_TOKEN: TOKENS[name],
    PATH: `${o.bin}:${process.env.PATH ?? ""}`,
  });
  await agent.waitFor(/registered with the hub/);
  return agent;
}

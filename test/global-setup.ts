// Starts the test bed once for the whole suite, or reuses one that is already running. A bed this
// setup started is torn down at the end; a developer's running bed is left as it was.
import type { TestProject } from "vitest/node";
import { down, healthy, readState, up } from "../testbed/lib/bed.js";

declare module "vitest" {
  export interface ProvidedContext {
    kubeconfig: string;
    testbedBin: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Unit tests alone (`KUBE_MCP_NO_BED=1 npx vitest run src/…`): no bed is built or started.
  if (process.env.KUBE_MCP_NO_BED) return async () => {};
  const before = readState();
  const reused = before !== undefined && (await healthy(before));
  const state = await up();
  project.provide("kubeconfig", state.kubeconfig);
  project.provide("testbedBin", state.bin);
  return async () => {
    if (!reused && !process.env.KUBE_MCP_TESTBED_KEEP) await down();
  };
}

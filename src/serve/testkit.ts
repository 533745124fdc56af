// A kube-mcp in the test's own process, for protocol-level tests that need neither a process nor a
// cluster: a real SDK Client over the SDK's in-memory transport pair, against the servers `kube-mcp
// serve` builds (serveServers), configured from argv and env exactly as `serve` is. Test code only.
import { Client, InMemoryTransport } from "@modelcontextprotocol/client";
import { loadConfig } from "../config/load.js";
import { PortForwards } from "../kube/portforward.js";
import { createLogger } from "../obs/log.js";
import { newClusters } from "../targets/local.js";
import { serverTools } from "../tools/cli.js";
import { ALL_TOOLS } from "../tools/index.js";
import { serveServers } from "./index.js";

export interface InProcess {
  client: Client;
  /** The server's log lines (JSON), debug and up. */
  logs: string[];
  close(): Promise<void>;
}

/**
 * `argv` and `env` as `kube-mcp serve` reads them (flags, KUBE_MCP_* and the peers' variables). No
 * kubeconfig is read: the server has no cluster, so a cluster tool answers with that refusal.
 */
export async function inProcess(argv: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<InProcess> {
  const { config } = loadConfig(argv, env, "non-destructive");
  const logs: string[] = [];
  const log = createLogger("debug", {}, (l) => logs.push(l));
  const forwards = new PortForwards(log);
  const selection = serverTools(config.mode ?? "non-destructive", config, ALL_TOOLS);
  const { factory, onListChanged } = serveServers(config, selection, newClusters(config), log, forwards);
  // One long-lived session, as over stdio.
  const server = factory(undefined, undefined, { longLived: true });
  onListChanged(() => void server.sendToolListChanged());
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "in-process", version: "0" });
  await client.connect(clientSide);
  return {
    client,
    logs,
    async close() {
      await client.close();
      await server.close();
      forwards.stopAll("the test is over");
    },
  };
}

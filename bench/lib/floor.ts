// The floor: the same reads as plain HTTPS GETs to the API server with the kubeconfig's client
// certificate, over one kept-alive connection. No MCP server can answer faster than this.
import { readFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { parse } from "yaml";

interface Kubeconfig {
  "current-context"?: string;
  contexts: { name: string; context: { cluster: string; user: string } }[];
  clusters: { name: string; cluster: { server: string; "certificate-authority-data": string } }[];
  users: { name: string; user: { "client-certificate-data": string; "client-key-data": string } }[];
}

export interface Get {
  status: number;
  bytes: number;
  ms: number;
  body: string;
}

export class RawApi {
  readonly server: string;
  private agent: Agent;

  constructor(kubeconfig: string, context?: string) {
    const kc = parse(readFileSync(kubeconfig, "utf8")) as Kubeconfig;
    const name = context ?? kc["current-context"];
    const ctx = kc.contexts.find((c) => c.name === name)?.context;
    const cluster = kc.clusters.find((c) => c.name === ctx?.cluster)?.cluster;
    const user = kc.users.find((u) => u.name === ctx?.user)?.user;
    if (!cluster || !user) throw new Error(`context ${name} not found in ${kubeconfig}`);
    const b64 = (s: string) => Buffer.from(s, "base64");
    this.server = cluster.server;
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: 1,
      ca: b64(cluster["certificate-authority-data"]),
      cert: b64(user["client-certificate-data"]),
      key: b64(user["client-key-data"]),
    });
  }

  get(path: string, timeoutMs = 120_000): Promise<Get> {
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const req = request(`${this.server}${path}`, { agent: this.agent, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            bytes: body.length,
            ms: performance.now() - t0,
            body: body.toString(),
          });
        });
      });
      req.on("timeout", () => req.destroy(new Error(`GET ${path} timed out`)));
      req.on("error", reject);
      req.end();
    });
  }

  async json<T>(path: string): Promise<T> {
    const r = await this.get(path);
    if (r.status !== 200) throw new Error(`GET ${path}: HTTP ${r.status}: ${r.body.slice(0, 200)}`);
    return JSON.parse(r.body) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

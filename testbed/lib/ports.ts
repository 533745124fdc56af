// Dynamically chosen loopback ports. A port is only reserved while we hold it, so callers must be ready
// for a clash (another process grabbing it before the component binds) and retry with fresh ports.
import { createServer } from "node:net";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

export async function freePorts(n: number): Promise<number[]> {
  const seen = new Set<number>();
  while (seen.size < n) seen.add(await freePort());
  return [...seen];
}

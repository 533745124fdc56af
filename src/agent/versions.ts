// What an agent reports on connect: the Kubernetes version of its cluster and the kubectl and helm
// binaries it would run for the passthrough tools ("not installed" when absent).
import { tmpdir } from "node:os";
import { findBinary, runProcess } from "../passthrough/runner.js";
import type { Cluster } from "../targets/clusters.js";

async function cliVersion(
  binary: string,
  argv: string[],
  pick: (out: string) => string | undefined,
): Promise<string> {
  let bin: string;
  try {
    bin = findBinary(binary);
  } catch {
    return "not installed";
  }
  try {
    const r = await runProcess(bin, argv, {
      env: { HOME: tmpdir(), PATH: "" },
      cwd: tmpdir(),
      timeoutMs: 10_000,
      maxBytes: 64_000,
      signal: AbortSignal.timeout(15_000),
    });
    return pick(r.stdout)?.slice(0, 100) ?? "unknown";
  } catch {
    return "unknown";
  }
}

export async function versions(
  cluster: Cluster,
): Promise<{ kubernetes: string; kubectl: string; helm: string }> {
  const [kubernetes, kubectl, helm] = await Promise.all([
    cluster.api
      .json<{ gitVersion?: string }>({ path: "/version", timeoutMs: 5_000 })
      .then((v) => v.gitVersion ?? "unknown")
      .catch(() => "unreachable"),
    cliVersion("kubectl", ["version", "--client", "-o", "json"], (out) => {
      try {
        return (JSON.parse(out) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion;
      } catch {
        return undefined;
      }
    }),
    cliVersion("helm", ["version", "--short"], (out) => out.trim().split("+")[0]),
  ]);
  return { kubernetes, kubectl, helm };
}

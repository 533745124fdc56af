// Proves the test bed is a real Kubernetes on both clusters: nodes, rollouts, and the streaming
// subresources (logs, exec, port-forward) through the API server, plus helm against it.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { LOG_LINES } from "../testbed/lib/sim.js";
import { run } from "./helpers/run.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const chart = join(import.meta.dirname, "fixtures", "charts", "hello");

describe.each(["alpha", "beta"])("test bed cluster %s", (cluster) => {
  const kubectl = async (...args: string[]) => {
    const r = await run(join(bin, "kubectl"), ["--kubeconfig", kubeconfig, "--context", cluster, ...args]);
    expect(r.stderr, `kubectl ${args.join(" ")}`).toBe("");
    expect(r.code).toBe(0);
    return r.stdout;
  };
  const firstWebPod = async () =>
    (await kubectl("get", "pods", "-n", "shop", "-l", "app=web", "-o", "name")).split("\n")[0] as string;

  it("has Ready nodes", async () => {
    const nodes = JSON.parse(await kubectl("get", "nodes", "-o", "json")) as {
      items: { status: { conditions: { type: string; status: string }[] } }[];
    };
    expect(nodes.items.length).toBeGreaterThanOrEqual(3);
    for (const n of nodes.items) {
      expect(n.status.conditions.find((c) => c.type === "Ready")?.status).toBe("True");
    }
  });

  it("runs a Deployment's pods", async () => {
    const pods = JSON.parse(await kubectl("get", "pods", "-n", "shop", "-l", "app=web", "-o", "json")) as {
      items: { status: { phase: string; podIP?: string } }[];
    };
    expect(pods.items).toHaveLength(3);
    for (const p of pods.items) {
      expect(p.status.phase).toBe("Running");
      expect(p.status.podIP).toMatch(/^10\.0\./);
    }
  });

  it("keeps the pending pod Pending with a FailedScheduling warning", async () => {
    expect(await kubectl("get", "pod", "stuck-pending", "-n", "ops", "-o", "jsonpath={.status.phase}")).toBe(
      "Pending",
    );
    const events = await kubectl(
      "get",
      "events",
      "-n",
      "ops",
      "--field-selector",
      "type=Warning",
      "-o",
      "jsonpath={.items[*].reason}",
    );
    expect(events).toContain("FailedScheduling");
  });

  it("serves simulated container logs through the API server", async () => {
    const logs = await kubectl("logs", "-n", "shop", await firstWebPod(), "-c", "web");
    expect(logs.trim().split("\n")).toEqual(LOG_LINES);
  });

  it("runs a command with kubectl exec", async () => {
    const out = await kubectl(
      "exec",
      "-n",
      "shop",
      await firstWebPod(),
      "-c",
      "web",
      "--",
      "printenv",
      "KUBE_MCP_TESTBED",
    );
    expect(out.trim()).toBe("1");
  });

  it("carries a TCP connection through kubectl port-forward", async () => {
    const pf = spawn(join(bin, "kubectl"), [
      "--kubeconfig",
      kubeconfig,
      "--context",
      cluster,
      "port-forward",
      "-n",
      "shop",
      await firstWebPod(),
      ":7",
      ":8080",
      "--address",
      "127.0.0.1",
    ]);
    try {
      const ports = await new Promise<number[]>((resolve, reject) => {
        let out = "";
        pf.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const found = [...out.matchAll(/127\.0\.0\.1:(\d+) -> (\d+)/g)].map((m) => Number(m[1]));
          if (found.length === 2) resolve(found);
        });
        pf.on("exit", (code) => reject(new Error(`port-forward exited ${code}: ${out}`)));
      });
      const [echoPort, httpPort] = ports as [number, number];
      const payload = `ping-${cluster}-${Date.now()}\n`;
      const echoed = await new Promise<string>((resolve, reject) => {
        const sock = connect(echoPort, "127.0.0.1", () => sock.write(payload));
        let got = "";
        sock.on("data", (d) => {
          got += d.toString();
          if (got.length >= payload.length) {
            sock.end();
            resolve(got);
          }
        });
        sock.on("error", reject);
      });
      expect(echoed).toBe(payload);
      const res = await fetch(`http://127.0.0.1:${httpPort}/`, { signal: AbortSignal.timeout(10_000) });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("hello from kube-mcp testbed");
    } finally {
      pf.kill();
    }
  });

  it("installs and lists a helm release", async () => {
    const home = mkdtempSync(join(tmpdir(), "kube-mcp-helm-"));
    const env = {
      ...process.env,
      HELM_CACHE_HOME: join(home, "cache"),
      HELM_CONFIG_HOME: join(home, "config"),
      HELM_DATA_HOME: join(home, "data"),
    };
    const helm = (...args: string[]) =>
      run(join(bin, "helm"), ["--kubeconfig", kubeconfig, "--kube-context", cluster, ...args], {
        env,
        timeoutMs: 120_000,
      });
    const release = `hello-${Date.now().toString(36)}`;
    const install = await helm(
      "install",
      release,
      chart,
      "-n",
      "smoke",
      "--create-namespace",
      "--wait",
      "--timeout",
      "90s",
    );
    expect(install.stderr).toBe("");
    expect(install.code).toBe(0);
    try {
      const list = await helm("list", "-n", "smoke", "-o", "json");
      expect(list.code).toBe(0);
      const releases = JSON.parse(list.stdout) as { name: string; status: string; chart: string }[];
      expect(releases).toContainEqual(
        expect.objectContaining({ name: release, status: "deployed", chart: "hello-0.1.0" }),
      );
    } finally {
      await helm("uninstall", release, "-n", "smoke", "--wait");
    }
  });
});

// pods_exec through MCP against the test bed (kwok runs the command on the host, in its sim directory).
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { call, type Session, stdioSession } from "./helpers/mcp.js";
import { run } from "./helpers/run.js";

let full: Session;
let nd: Session;
let pod = "";

beforeAll(async () => {
  const env = { KUBECONFIG: inject("kubeconfig") };
  full = await stdioSession({ args: ["--mode", "full"], env });
  nd = await stdioSession({ env });
  const r = await run(join(inject("testbedBin"), "kubectl"), [
    "--kubeconfig",
    inject("kubeconfig"),
    "--context",
    "beta",
    "get",
    "pods",
    "-n",
    "shop",
    "-l",
    "app=api",
    "-o",
    "jsonpath={.items[0].metadata.name}",
  ]);
  pod = r.stdout.trim();
});
afterAll(async () => {
  await full?.close();
  await nd?.close();
});

describe("pods_exec", () => {
  it("runs an argv command in the chosen container and returns its output", async () => {
    const r = await call(full.client, "pods_exec", {
      name: pod,
      namespace: "shop",
      container: "sidecar",
      command: ["printenv", "KUBE_MCP_TESTBED"],
      cluster: "beta",
    });
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toBe(`<untrusted-data source="exec ${pod} (cluster beta)">\n1\n</untrusted-data>`);
  });

  it("reports a non-zero exit code and stderr", async () => {
    const r = await call(full.client, "pods_exec", {
      name: pod,
      namespace: "shop",
      command: ["sh", "-c", "echo oops >&2; exit 3"],
      cluster: "beta",
    });
    expect(r.text).toContain("Exit code 3.");
    expect(r.text).toContain("stderr: oops");
  });

  it("names the containers when the one asked for does not exist", async () => {
    const r = await call(full.client, "pods_exec", {
      name: pod,
      namespace: "shop",
      container: "nope",
      command: ["true"],
      cluster: "beta",
    });
    expect(r.isError).toBe(true);
    expect(r.text).toBe(`Pod ${pod} has no container "nope".\nContainers: api, sidecar.`);
  });

  it("reports the API server's refusal of the exec upgrade (a pod with no node)", async () => {
    const r = await call(full.client, "pods_exec", {
      name: "stuck-pending",
      namespace: "ops",
      command: ["true"],
      cluster: "beta",
    });
    expect(r.isError).toBe(true);
    expect(r.text).toBe(
      "Cluster beta rejected the request: exec was refused (HTTP 400): pod stuck-pending does not have a host assigned",
    );
  });

  it("stops at its deadline", async () => {
    const r = await call(full.client, "pods_exec", {
      name: pod,
      namespace: "shop",
      command: ["sleep", "30"],
      timeoutSeconds: 1,
      cluster: "beta",
    });
    expect(r.isError).toBe(true);
    expect(r.text).toContain("The command was stopped after 1 s.");
  });

  it("is not advertised outside full mode", async () => {
    expect((await nd.client.listTools()).tools.map((t) => t.name)).not.toContain("pods_exec");
  });
});

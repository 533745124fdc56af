// Destructive calls ask a person first when the client can answer an elicitation (2025 clients over
// stdio, 2026 clients over stdio and HTTP); a "no" changes nothing, reads never ask, and the mode
// remains the gate for clients that cannot ask.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  call,
  type Elicit,
  type Era,
  type HttpServer,
  httpSession,
  type Session,
  startHttpServer,
  stdioSession,
} from "./helpers/mcp.js";
import { run } from "./helpers/run.js";

const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
const ns = `confirm-${Date.now().toString(36)}`;
const asked: string[] = [];
let answer: "accept" | "decline" = "accept";
const elicit: Elicit = (message) => {
  asked.push(message);
  return answer === "accept" ? { action: "accept", content: { confirm: true } } : { action: "decline" };
};
const sessions: Session[] = [];
let http: HttpServer;

const kubectl = (...args: string[]) =>
  run(join(bin, "kubectl"), ["--kubeconfig", kubeconfig, "--context", "alpha", ...args]);
const exists = async (name: string) => (await kubectl("get", "cm", name, "-n", ns)).code === 0;

async function session(era: Era, extra: string[] = []): Promise<Session> {
  const s = await stdioSession({
    era,
    args: ["--mode", "full", ...extra],
    env: { KUBECONFIG: kubeconfig },
    elicit,
  });
  sessions.push(s);
  return s;
}
const del = (s: Session, name: string, extra: Record<string, unknown> = {}) =>
  call(s.client, "resources_delete", { cluster: "alpha", namespace: ns, kind: "configmap", name, ...extra });

beforeAll(async () => {
  const cms = Array.from(
    { length: 8 },
    (_, i) => `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}, namespace: ${ns}}`,
  );
  const file = join(mkdtempSync(join(tmpdir(), "kube-mcp-confirm-")), "objects.yaml");
  writeFileSync(file, `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}\n${cms.join("\n")}`);
  expect((await kubectl("apply", "-f", file)).code).toBe(0);
  http = await startHttpServer(["--mode", "full"], { KUBECONFIG: kubeconfig });
});
afterAll(async () => {
  for (const s of sessions) await s.close();
  await http?.stop();
  await kubectl("delete", "namespace", ns, "--wait=false");
});

describe("confirmation of destructive calls", () => {
  it("asks a 2025 stdio client, and deletes only after a yes", async () => {
    const s = await session("legacy");
    answer = "accept";
    asked.length = 0;
    const r = await del(s, "c0");
    expect(r.isError, r.text).toBe(false);
    expect(asked).toEqual([
      `Allow resources_delete (delete resources) on cluster "alpha"?\nkind: configmap, name: c0, namespace: ${ns}`,
    ]);
    expect(await exists("c0")).toBe(false);
  });

  it("changes nothing when the person says no", async () => {
    const s = await session("legacy");
    answer = "decline";
    const r = await del(s, "c1");
    expect(r.isError).toBe(true);
    expect(r.text).toBe(
      "The user did not allow resources_delete; nothing was changed. Ask the user what they want instead.",
    );
    expect(await exists("c1")).toBe(true);
  });

  it("asks a 2026 client over stdio and over HTTP (multi round-trip input)", async () => {
    const s = await session("modern");
    answer = "decline";
    expect((await del(s, "c2")).isError).toBe(true);
    expect(await exists("c2")).toBe(true);
    answer = "accept";
    expect((await del(s, "c2")).isError).toBe(false);
    expect(await exists("c2")).toBe(false);

    const h = await httpSession(http.url, { era: "modern", elicit });
    sessions.push(h);
    asked.length = 0;
    answer = "decline";
    expect((await del(h, "c3")).isError).toBe(true);
    expect(asked).toHaveLength(1);
    expect(await exists("c3")).toBe(true);
    answer = "accept";
    expect((await del(h, "c3")).isError).toBe(false);
    expect(await exists("c3")).toBe(false);
  });

  it("does not ask for reads, dry runs, read-only CLI commands, or with --no-confirm", async () => {
    const s = await session("legacy");
    answer = "decline";
    asked.length = 0;
    expect(
      (await call(s.client, "resources_list", { cluster: "alpha", namespace: ns, kind: "cm" })).isError,
    ).toBe(false);
    expect((await del(s, "c4", { dryRun: true })).isError).toBe(false);
    const get = await call(s.client, "kubectl", { cluster: "alpha", args: ["get", "cm", "-n", ns] });
    expect(get.isError, get.text).toBe(false);
    expect(asked).toEqual([]);
    const kdel = await call(s.client, "kubectl", {
      cluster: "alpha",
      args: ["delete", "cm", "c4", "-n", ns],
    });
    expect(kdel.isError).toBe(true);
    expect(asked).toEqual([`Allow \`kubectl delete cm c4 -n ${ns}\` on cluster "alpha"?`]);
    expect(await exists("c4")).toBe(true);

    const quiet = await session("legacy", ["--no-confirm"]);
    asked.length = 0;
    expect((await del(quiet, "c4")).isError).toBe(false);
    expect(asked).toEqual([]);
    expect(await exists("c4")).toBe(false);
  });

  it("goes ahead for a 2025 HTTP client, which cannot be asked (the mode is the gate)", async () => {
    const h = await httpSession(http.url, { era: "legacy", elicit });
    sessions.push(h);
    asked.length = 0;
    answer = "decline";
    expect((await del(h, "c5")).isError).toBe(false);
    expect(asked).toEqual([]);
    expect(await exists("c5")).toBe(false);
  });
});

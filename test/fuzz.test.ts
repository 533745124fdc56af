// Seeded fuzzing of every tool `serve` lists, through a real MCP client on the shared bed: arguments
// generated from each tool's own input schema, mostly with hostile mutations. Whatever comes in, the
// server answers every call before its deadline, refuses with a tool error that says something (never
// a protocol error, never "Internal error"), leaks no secret, and is still serving at the end.
// Read-only mode: the bed's simulated exec runs commands on the host, so nothing here may run one.
// KUBE_MCP_FUZZ_SEED and KUBE_MCP_FUZZ_CALLS (per tool) reproduce or lengthen a run.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { leaks } from "./helpers/canary.js";
import { ArgFuzzer, type FuzzCall, type Schema } from "./helpers/fuzz-args.js";
import { type Session, stdioSession } from "./helpers/mcp.js";

const SEED = Number(process.env.KUBE_MCP_FUZZ_SEED ?? 20261203);
const PER_TOOL = Number(process.env.KUBE_MCP_FUZZ_CALLS ?? 12);
/**
 * The server bounds every call: 6 s per cluster (--cluster-timeout) and per CLI run (cli.*). The rest is
 * slack for a loaded machine; a call still open then has hung.
 */
const DEADLINE_MS = 30_000;
const kubeconfig = inject("kubeconfig");
const bin = inject("testbedBin");
let s: Session;
let tools: { name: string; inputSchema: Schema }[] = [];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "kube-mcp-fuzz-"));
  const config = join(dir, "fuzz.yaml");
  writeFileSync(config, "cli: {timeoutSeconds: 6, maxTimeoutSeconds: 6}\n");
  s = await stdioSession({
    args: ["--mode", "read-only", "--cluster-timeout", "6000", "--config", config],
    env: { KUBECONFIG: kubeconfig, PATH: `${bin}:${process.env.PATH}` },
  });
  tools = (await s.client.listTools()).tools as typeof tools;
});
afterAll(async () => {
  await s?.close();
});

type Verdict = { ok: true; refused: boolean } | { ok: false; why: string };

/** One call, judged: it must end before the deadline as a result (not a thrown protocol error). */
async function judge(name: string, c: FuzzCall): Promise<Verdict> {
  const hung = sleep(DEADLINE_MS).then(() => "hung" as const);
  const r = await Promise.race([s.client.callTool({ name, arguments: c.args }).catch((e: Error) => e), hung]);
  if (r === "hung") return { ok: false, why: `no answer within ${DEADLINE_MS / 1000} s` };
  if (r instanceof Error) return { ok: false, why: `protocol error: ${r.message.slice(0, 200)}` };
  const text = (r.content as { type: string; text?: string }[]).map((b) => b.text ?? "").join("\n");
  if (/Internal error in/.test(text)) return { ok: false, why: `internal error: ${text.slice(0, 200)}` };
  if (r.isError && text.trim().length < 10) return { ok: false, why: `refusal without a reason: ${text}` };
  const leaked = leaks(text + JSON.stringify(r.structuredContent ?? null));
  if (leaked.length) return { ok: false, why: `leaked ${leaked[0]}` };
  return { ok: true, refused: r.isError === true };
}

describe("fuzzing every tool's arguments (read-only serve on the shared bed)", () => {
  it("lists the read tools to fuzz, and no tool that runs commands in a container", () => {
    const names = tools.map((t) => t.name);
    expect(names).toContain("resources_list");
    expect(names).toContain("kubectl");
    for (const n of ["pods_exec", "pods_debug", "resources_apply", "resources_delete"])
      expect(names).not.toContain(n);
  });

  it("answers every generated call before its deadline, refusing with a clear tool error", async () => {
    const fuzz = new ArgFuzzer(SEED);
    // Generated up front, in order, so a seed names the same calls however the answers interleave.
    const plan = tools.flatMap((t) =>
      Array.from({ length: PER_TOOL }, () => ({ name: t.name, call: fuzz.next(t.inputSchema) })),
    );
    const failures: string[] = [];
    const counts = { ok: 0, refused: 0 };
    let next = 0;
    const worker = async () => {
      while (next < plan.length) {
        const p = plan[next++] as (typeof plan)[number];
        const v = await judge(p.name, p.call);
        if (!v.ok) failures.push(`${p.name} (${p.call.how}): ${v.why}`);
        else counts[v.refused ? "refused" : "ok"]++;
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    console.log(`fuzz seed ${SEED}: ${plan.length} calls over ${tools.length} tools`, counts);
    expect(failures).toEqual([]);
    // Still serving: a plain call answers from the cluster.
    const after = await s.client.callTool({
      name: "resources_get",
      arguments: { kind: "namespace", name: "kube-system" },
    });
    expect(after.isError).toBeFalsy();
  });

  it("refuses an unknown tool with a protocol error that says so, not an internal one", async () => {
    const err = await s.client.callTool({ name: "no_such_tool\u202e", arguments: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(String(err.message)).toMatch(/not found/);
    expect(err.code).not.toBe(-32603);
  });
});

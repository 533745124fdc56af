// Class 7, model-supplied regexes, through a real MCP client against `serve --http` on the bed: what
// the linear-time engine cannot run is refused as a tool error that says what to write instead, and a
// heavy filter freezes nothing: /healthz and another caller are answered while it runs, and it ends
// with its result or its deadline.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { call, type HttpServer, httpSession, type Session, startHttpServer } from "../helpers/mcp.js";

const kubeconfig = inject("kubeconfig");
const KEY = "test-key-regex-0123456789abcdef";
let srv: HttpServer;
let heavy: Session;
let other: Session;

const kubectl = (s: Session, args: string[], filter?: string) =>
  call(s.client, "kubectl", { cluster: "alpha", args, ...(filter ? { filter } : {}) });

beforeAll(async () => {
  srv = await startHttpServer([], { KUBECONFIG: kubeconfig, MCP_API_KEY: KEY });
  const headers = { "x-api-key": KEY };
  [heavy, other] = await Promise.all([httpSession(srv.url, { headers }), httpSession(srv.url, { headers })]);
});
afterAll(async () => {
  await heavy?.close();
  await other?.close();
  expect(await srv?.stop()).toBe(0);
});

describe("model-supplied regexes", () => {
  it.each([
    [
      "a back-reference",
      "grep '(\\w+)-\\1'",
      /filter step 1 \(grep\): back-references \(\\1, \\k<name>\) are not supported: .*could take exponential time\. .*grep -F/,
    ],
    [
      "a lookahead",
      "grep 'web(?!-0)'",
      /lookahead \(\(\?=…\), \(\?!…\)\) is not supported: .*exponential time\. Use several grep steps/,
    ],
    [
      "a lookbehind",
      "grep -i '(?<=shop +)web'",
      /lookbehind \(\(\?<=…\), \(\?<!…\)\) is not supported: .*exponential time\. .*several grep steps/,
    ],
    [
      "a huge counted repeat",
      "grep 'a{1000}'",
      /counted repeats such as \{1000\} are not supported beyond \{16\}.*exponential time\. Split the count/,
    ],
  ])("refuses %s as a tool error saying what to write instead", async (_name, filter, message) => {
    const r = await kubectl(other, ["get", "pods", "-n", "shop"], filter);
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(message);
  });

  it("refuses a back-reference in jq's test, which ? does not hide", async () => {
    const filter = "jq -r '.items[] | select(.metadata.name | test(\"(.)\\\\1\"))? | .metadata.name'";
    const r = await kubectl(other, ["get", "pods", "-n", "shop", "-o", "json"], filter);
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/filter step 1 \(jq\): back-references .* not supported/);
  });

  it("refuses a back-reference in pods_logs' filter, and still filters with an ordinary one", async () => {
    const bad = await call(other.client, "pods_logs", {
      cluster: "alpha",
      kind: "deployment",
      name: "web",
      namespace: "shop",
      filter: "(a|aa)+\\1$",
    });
    expect(bad.isError).toBe(true);
    expect(bad.text).toMatch(/The filter is refused: back-references .* not supported/);
    const ok = await call(other.client, "pods_logs", {
      cluster: "alpha",
      kind: "deployment",
      name: "web",
      namespace: "shop",
      filter: "(a|aa)+$|.",
    });
    expect(ok.isError, ok.text).toBe(false);
  });

  it("still runs ordinary patterns: anchors, classes, \\b, counts, -i, alternation", async () => {
    const r = await kubectl(
      other,
      ["get", "pods", "-n", "shop", "--no-headers"],
      "grep -i '^WEB-[0-9a-f]+-\\w{5}\\b' | grep -v 'Pending|Failed' | wc -l",
    );
    expect(r.isError).toBe(false);
    expect(r.text).toContain("3");
  });

  it("keeps answering /healthz and other callers while a heavy filter runs, which ends by its deadline", async () => {
    const args = ["get", "pods", "-A", "-o", "json"];
    const t0 = performance.now();
    expect((await kubectl(heavy, args)).isError).toBe(false);
    const unfiltered = performance.now() - t0;
    // Each step keeps every line and costs the linear-time engine seconds on this output, so the filter
    // runs until its 2 s deadline (or to the end, on a much faster machine).
    const filter = Array.from({ length: 7 }, () => `grep -v '${".*".repeat(120)}~'`).join(" | ");
    const order: string[] = [];
    const heavyCall = kubectl(heavy, args, filter).finally(() => order.push("heavy call"));
    // Past the time the call takes without a filter, the server is filtering.
    await sleep(2 * unfiltered + 100);
    const otherCall = call(other.client, "resources_list", { kind: "ns", cluster: "alpha" }).finally(() =>
      order.push("other call"),
    );
    const base = srv.url.replace(/\/mcp$/, "");
    while (!order.includes("heavy call")) {
      const health = await fetch(`${base}/healthz`);
      if (!order.includes("heavy call")) order.push(`healthz ${health.status}`);
    }
    const [h, o] = await Promise.all([heavyCall, otherCall]);

    expect(o.isError).toBe(false);
    const done = order.indexOf("heavy call");
    expect(order.indexOf("other call")).toBeGreaterThanOrEqual(0);
    expect(order.indexOf("other call")).toBeLessThan(done);
    expect(order.slice(0, done)).toContain("healthz 200");
    if (h.isError) expect(h.text).toMatch(/filter step \d \(grep\): filtering ran past its 2000 ms deadline/);
    else expect(h.text).toContain('"kind": "Pod"');
  });
});

import { describe, expect, it, vi } from "vitest";
import { Metrics } from "../obs/metrics.js";
import { fakeRequest } from "./fake-request.js";
import {
  endpoint,
  hostCheck,
  MAX_BODY,
  oauthMetadata,
  originCheck,
  probes,
  readJson,
  starting,
} from "./http-guards.js";
import type { OAuth } from "./oauth.js";

describe("probes", () => {
  it("answer /healthz always and /readyz by readiness, to anyone", () => {
    let ready = false;
    const guard = probes(() => ready);
    const health = fakeRequest("/healthz");
    expect(guard(health.x)).toBe(true);
    expect([health.sent.status, health.sent.body]).toEqual([200, "ok\n"]);
    const notYet = fakeRequest("/readyz");
    guard(notYet.x);
    expect([notYet.sent.status, notYet.sent.body]).toEqual([503, "no clusters loaded\n"]);
    ready = true;
    const now = fakeRequest("/readyz");
    guard(now.x);
    expect([now.sent.status, now.sent.body]).toEqual([200, "ready\n"]);
  });

  it("serve /metrics only when there are metrics, and let every other path through", () => {
    expect(probes(() => true)(fakeRequest("/metrics").x)).toBe(false);
    const m = fakeRequest("/metrics");
    expect(probes(() => true, new Metrics("serve", "0.0.0"))(m.x)).toBe(true);
    expect(m.sent.status).toBe(200);
    expect(m.sent.body).toContain("kube_mcp");
    expect(probes(() => true)(fakeRequest("/mcp").x)).toBe(false);
  });
});

describe("oauthMetadata", () => {
  const oauth = {
    metadataPaths: ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"],
    metadata: { resource: "https://kube-mcp.example/mcp" },
  } as unknown as OAuth;

  it("serves the protected resource metadata to a GET, with CORS, once OAuth has started", () => {
    const r = fakeRequest("/.well-known/oauth-protected-resource/mcp");
    expect(oauthMetadata(() => oauth, true, "/mcp")(r.x)).toBe(true);
    expect(r.sent.status).toBe(200);
    expect(r.sent.headers["access-control-allow-origin"]).toBe("*");
    expect(JSON.parse(r.sent.body)).toEqual(oauth.metadata);
    expect(
      oauthMetadata(
        () => oauth,
        true,
        "/mcp",
      )(fakeRequest("/.well-known/oauth-protected-resource", { method: "POST" }).x),
    ).toBe(false);
  });

  it("tells an OAuth client probing a key-only server to send the API key instead", () => {
    const r = fakeRequest("/.well-known/oauth-authorization-server");
    expect(oauthMetadata(() => undefined, false, "/mcp")(r.x)).toBe(true);
    expect(r.sent.status).toBe(404);
    expect(r.error().message).toBe(
      "This MCP server does not use OAuth: send its API key as X-Api-Key or Authorization: Bearer on /mcp.",
    );
    expect(oauthMetadata(() => undefined, false, "/mcp")(fakeRequest("/mcp").x)).toBe(false);
  });
});

describe("endpoint", () => {
  it("lets the MCP path through, and the SSE paths only when the legacy transport is on", () => {
    expect(endpoint("/mcp", false)(fakeRequest("/mcp?x=1").x)).toBe(false);
    expect(endpoint("/mcp", true)(fakeRequest("/sse").x)).toBe(false);
    expect(endpoint("/mcp", true)(fakeRequest("/messages").x)).toBe(false);
    const r = fakeRequest("/sse");
    expect(endpoint("/mcp", false)(r.x)).toBe(true);
    expect([r.sent.status, r.error().message]).toEqual([404, "Not found. The MCP endpoint is /mcp."]);
  });
});

describe("hostCheck", () => {
  it("on a loopback bind, refuses a Host naming another server (DNS rebinding) and says so", () => {
    const warn = vi.fn();
    const guard = hostCheck("127.0.0.1", [], warn);
    for (const host of ["127.0.0.1:8080", "localhost:8080", "[::1]:8080", "LOCALHOST"])
      expect(guard(fakeRequest("/mcp", { headers: { host } }).x), host).toBe(false);
    const r = fakeRequest("/mcp", { headers: { host: "evil.example:8080" } });
    expect(guard(r.x)).toBe(true);
    expect([r.sent.status, r.error().message]).toEqual([403, "Invalid Host: evil.example:8080"]);
    expect(warn).toHaveBeenCalledWith("evil.example:8080");
  });

  it("on another bind, checks the Host only when allowed hosts are configured", () => {
    const open = hostCheck("0.0.0.0", [], () => {});
    expect(open(fakeRequest("/mcp", { headers: { host: "anything.example" } }).x)).toBe(false);
    const strict = hostCheck("0.0.0.0", ["Kube-MCP.example"], () => {});
    expect(strict(fakeRequest("/mcp", { headers: { host: "kube-mcp.example:443" } }).x)).toBe(false);
    expect(strict(fakeRequest("/mcp", { headers: { host: "other.example" } }).x)).toBe(true);
  });
});

describe("originCheck", () => {
  it("lets requests without an Origin, from allowed origins, and loopback-to-loopback through", () => {
    const guard = originCheck("127.0.0.1", ["https://app.example"]);
    expect(guard(fakeRequest("/mcp").x)).toBe(false);
    expect(guard(fakeRequest("/mcp", { headers: { origin: "https://app.example" } }).x)).toBe(false);
    expect(guard(fakeRequest("/mcp", { headers: { origin: "http://[::1]:3000" } }).x)).toBe(false);
  });

  it("refuses any other origin, an unparsable one, and loopback origins on a public bind", () => {
    for (const [bound, origin] of [
      ["127.0.0.1", "https://evil.example"],
      ["127.0.0.1", "not a url"],
      ["0.0.0.0", "http://localhost:3000"],
    ] as const) {
      const r = fakeRequest("/mcp", { headers: { origin } });
      expect(originCheck(bound, [])(r.x), origin).toBe(true);
      expect([r.sent.status, r.error().message]).toEqual([403, `Invalid Origin: ${origin}`]);
    }
  });
});

describe("starting", () => {
  it("answers 503 with Retry-After until OAuth has started, and nothing without OAuth", () => {
    const r = fakeRequest("/mcp");
    expect(starting(() => undefined, true)(r.x)).toBe(true);
    expect([r.sent.status, r.sent.headers["retry-after"]]).toEqual([503, "1"]);
    expect(starting(() => undefined, false)(fakeRequest("/mcp").x)).toBe(false);
    expect(starting(() => ({}) as OAuth, true)(fakeRequest("/mcp").x)).toBe(false);
  });
});

describe("readJson", () => {
  it("parses the body, and says 400 for non-JSON and 413 past the limit", async () => {
    expect(await readJson(fakeRequest("/mcp", { body: '{"a":1}' }).x.req)).toEqual({ body: { a: 1 } });
    expect(await readJson(fakeRequest("/mcp", { body: "{" }).x.req)).toEqual({ status: 400 });
    const big = Buffer.alloc(MAX_BODY + 1, 32);
    expect(await readJson(fakeRequest("/mcp", { body: big }).x.req)).toEqual({ status: 413 });
  });
});

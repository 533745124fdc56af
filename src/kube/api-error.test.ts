import { describe, expect, it } from "vitest";
import { KubeApiError, readStatus, statusError, transportError } from "./api-error.js";

describe("statusError", () => {
  it("carries a Status body's message, reason and details", () => {
    const status = {
      kind: "Status",
      status: "Failure",
      message: 'pods "web-9" not found',
      reason: "NotFound",
      details: { name: "web-9", kind: "pods" },
      code: 404,
    };
    const err = statusError(404, JSON.stringify(status), {
      request: "GET /api/v1/namespaces/shop/pods/web-9",
    });
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err).toMatchObject({
      status: 404,
      reason: "NotFound",
      details: { name: "web-9", kind: "pods" },
      message: 'pods "web-9" not found',
      answered: true,
    });
  });

  it("falls back to the text of a non-Status body, and to the status text", () => {
    const html = "<html><body><h1>Bad Gateway</h1></body></html>";
    expect(statusError(502, html, { request: "GET /api/v1/pods" }).message).toBe(
      "GET /api/v1/pods returned HTTP 502: Bad Gateway",
    );
    expect(statusError(503, "", { request: "GET /api/v1/pods" }).message).toBe(
      "GET /api/v1/pods returned HTTP 503 Service Unavailable",
    );
    expect(readStatus('{"items":[]}')).toEqual({ reason: "", text: '{"items":[]}' });
  });

  it("says a WebSocket upgrade was refused, with the server's own message", () => {
    const body = JSON.stringify({ kind: "Status", message: "pod web-0 has no host", reason: "BadRequest" });
    expect(statusError(400, body, { request: "exec", refused: true })).toMatchObject({
      status: 400,
      reason: "BadRequest",
      message: "exec was refused (HTTP 400): pod web-0 has no host",
    });
  });

  it("names the impersonated caller it was refused for", () => {
    const actor = { user: "alice", groups: [], via: "api-key alice" };
    expect(statusError(403, "{}", { request: "GET /x", actor }).actor).toBe(actor);
  });
});

describe("transportError", () => {
  const c = { name: "prod", server: "https://10.0.0.1:6443" };
  const nodeError = (message: string, code?: string) => Object.assign(new Error(message), { code });

  it("classifies by the Node error code, once", () => {
    expect(transportError(nodeError("connect ECONNREFUSED", "ECONNREFUSED"), c, "GET /")).toMatchObject({
      status: 0,
      reason: "Unreachable",
      code: "ECONNREFUSED",
      answered: false,
    });
    expect(transportError(nodeError("self-signed", "DEPTH_ZERO_SELF_SIGNED_CERT"), c, "GET /").reason).toBe(
      "TLSError",
    );
    expect(transportError(nodeError("wrong version number", "EPROTO"), c, "GET /").reason).toBe("TLSError");
  });

  it("does not guess from a message: an unknown code keeps no reason", () => {
    const err = transportError(nodeError("socket timed out with TLS trouble"), c, "GET /");
    expect(err).toMatchObject({ status: 0, reason: "" });
    expect(err.message).toBe("request to cluster prod failed (GET /): socket timed out with TLS trouble");
  });
});

import { describe, expect, it } from "vitest";
import { ToolError } from "../errors.js";
import { KubeApiError, statusError } from "./api-error.js";
import { describeError } from "./errors.js";

const ctx = { cluster: "prod", verb: "list", resource: "secrets", namespace: "shop" };

describe("describeError", () => {
  it("says what to do about a 401", () => {
    const err = statusError(401, '{"kind":"Status","message":"Unauthorized","reason":"Unauthorized"}', {
      request: "GET /api/v1/secrets",
    });
    const te = describeError(err, ctx);
    expect(te.message).toBe("Cluster prod rejected kube-mcp's credentials (401 Unauthorized).");
    expect(te.hint).toMatch(/refresh it \(e\.g\. log in again\)/);
  });

  it("names the impersonated person a 403 refused", () => {
    const err = statusError(403, '{"kind":"Status","message":"no","reason":"Forbidden"}', {
      request: "GET /x",
      actor: { user: "alice", groups: ["team-a"], via: "api-key alice" },
    });
    expect(describeError(err, ctx).message).toBe(
      "Forbidden: user alice (groups team-a) cannot list secrets in namespace shop on cluster prod. no",
    );
  });

  it("words each transport reason, never reading the message", () => {
    const say = (reason: string, message: string, code?: string) =>
      describeError(new KubeApiError(0, reason, message, { code }), ctx).message;
    expect(say("Timeout", "anything")).toBe("Cluster prod did not answer in time.");
    expect(say("Unreachable", "anything", "ECONNREFUSED")).toBe(
      "Cluster prod is unreachable (ECONNREFUSED).",
    );
    expect(say("TLSError", "bad CA")).toBe("TLS to cluster prod failed: bad CA");
    expect(say("Aborted", "request was aborted")).toBe("Request to cluster prod failed: request was aborted");
    // A message that mentions a timeout or TLS is not a timeout or a TLS failure.
    expect(say("", "exec plugin timed out after 3 s; TLS")).toBe(
      "Request to cluster prod failed: exec plugin timed out after 3 s; TLS",
    );
    expect(describeError(new Error("login timed out"), ctx).message).toBe(
      "Request to cluster prod failed: login timed out",
    );
  });

  it("treats a deadline above the transport as no answer in time, and passes ToolErrors through", () => {
    const deadline = new DOMException("deadline of 2000 ms exceeded", "TimeoutError");
    expect(describeError(deadline, ctx).message).toBe("Cluster prod did not answer in time.");
    const te = new ToolError("already said");
    expect(describeError(te, ctx)).toBe(te);
  });
});

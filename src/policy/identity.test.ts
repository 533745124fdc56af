import { describe, expect, it } from "vitest";
import { impersonationHeaders, impersonationOf } from "./identity.js";

describe("impersonationOf", () => {
  it("impersonates a caller with a user and says how it came", () => {
    const who = impersonationOf({ kind: "oauth", user: "a@x.io", groups: ["g"], client: "cli" });
    expect(who).toEqual({ user: "a@x.io", groups: ["g"], via: "oauth cli" });
    expect(impersonationHeaders(who as never)).toEqual({
      "Impersonate-User": "a@x.io",
      "Impersonate-Group": ["g"],
      "Impersonate-Extra-kube-mcp": "oauth cli",
    });
  });

  it("refuses callers without a user, saying why", () => {
    expect(impersonationOf({ kind: "api-key", groups: [] })).toEqual({
      refused: expect.stringContaining("MCP_API_KEY"),
    });
    expect(impersonationOf({ kind: "anonymous", groups: [] })).toEqual({
      refused: expect.stringContaining("not authenticated"),
    });
  });
});

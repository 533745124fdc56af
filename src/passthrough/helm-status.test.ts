import { describe, expect, it } from "vitest";
import type { Parsed } from "./grammar.js";
import { renderStatus, statusAsJson } from "./helm-status.js";

const parsed = (path: string[], positionals: string[], flags: [string, string][] = []): Parsed => ({
  path,
  positionals,
  flags: flags.map(([name, value]) => ({ name, value })),
  rest: [],
});

describe("helm status and get notes, rendered from the release JSON", () => {
  it("asks for the same release and revision as JSON", () => {
    expect(statusAsJson(parsed(["status"], ["web"]))).toEqual(["status", "web", "--output=json"]);
    expect(statusAsJson(parsed(["get", "notes"], ["web"], [["revision", "3"]]))).toEqual([
      "status",
      "web",
      "--revision=3",
      "--output=json",
    ]);
  });
  it("leaves alone what helm already prints as data, and other commands", () => {
    expect(statusAsJson(parsed(["status"], ["web"], [["output", "yaml"]]))).toBeUndefined();
    expect(statusAsJson(parsed(["status"], ["web"], [["show-resources", "true"]]))).toBeUndefined();
    expect(statusAsJson(parsed(["get", "manifest"], ["web"]))).toBeUndefined();
  });
  it("renders helm's text from the (redacted) release", () => {
    const rel = {
      name: "web",
      namespace: "shop",
      version: 2,
      info: {
        last_deployed: "2026-12-03T10:00:00Z",
        status: "deployed",
        description: "Upgrade complete",
        notes: "Password: <redacted>\n",
      },
    };
    expect(renderStatus(parsed(["get", "notes"], ["web"]), rel)).toBe("NOTES:\nPassword: <redacted>");
    expect(renderStatus(parsed(["status"], ["web"], [["show-desc", "true"]]), rel)).toBe(
      "NAME: web\nLAST DEPLOYED: 2026-12-03T10:00:00Z\nNAMESPACE: shop\nSTATUS: deployed\nREVISION: 2\nDESCRIPTION: Upgrade complete\nNOTES:\nPassword: <redacted>",
    );
  });
});

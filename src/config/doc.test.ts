import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configTable } from "./doc.js";

describe("docs/configuration.md", () => {
  it("holds the reference table generated from the schema (npm run docs)", () => {
    const doc = readFileSync(join(import.meta.dirname, "..", "..", "docs", "configuration.md"), "utf8");
    expect(doc).toContain(`<!-- config:start -->\n${configTable()}\n<!-- config:end -->`);
  });

  it("names each field's flag and variable beside its default", () => {
    expect(configTable()).toContain(
      "| `kube.requestTimeoutMs` | integer | `30000` | `--request-timeout`<br>`KUBE_MCP_REQUEST_TIMEOUT_MS` |",
    );
  });
});

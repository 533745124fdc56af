import { describe, expect, it } from "vitest";
import { applyFilters, FilterError } from "./filter.js";
import { parsePipeline } from "./pipeline.js";

describe("parsePipeline", () => {
  it.each([
    ["grep -i error", [{ op: "grep", pattern: "error", invert: false, ignoreCase: true, fixed: false }]],
    ["grep -vF 'a b'", [{ op: "grep", pattern: "a b", invert: true, ignoreCase: false, fixed: true }]],
    [
      "head -n 5 | tail -3 | head 2",
      [
        { op: "head", lines: 5 },
        { op: "tail", lines: 3 },
        { op: "head", lines: 2 },
      ],
    ],
    ["sort -nr -k 3", [{ op: "sort", numeric: true, reverse: true, unique: false, key: 3 }]],
    [
      "uniq -c | wc -l",
      [
        { op: "uniq", count: true },
        { op: "wc", what: "lines" },
      ],
    ],
    ["cut -d: -f1,3", [{ op: "cut", fields: "1,3", delimiter: ":" }]],
    ["jq -r '.items[] | .metadata.name'", [{ op: "jq", query: ".items[] | .metadata.name", raw: true }]],
  ])("%s", (text, steps) => {
    expect(parsePipeline(text)).toEqual(steps);
  });

  it("runs like the pipeline it reads as", async () => {
    const text = "web-1 Running\napi-1 CrashLoopBackOff\nweb-2 Running\ndb-0 Running\n";
    expect(await applyFilters(text, parsePipeline("grep Running | cut -f2 | uniq -c"))).toBe(
      "      3 Running\n",
    );
  });

  it.each([
    ["rm -rf /", /"rm" is not a filter command/],
    ["grep", /pattern/],
    ["head -n lots", /lines/],
    ["jq '.items", /unbalanced/],
    ["grep a; rm x", /quote arguments/],
    ["| head 1", /empty/],
  ])("refuses %s", (text, message) => {
    expect(() => parsePipeline(text)).toThrow(FilterError);
    expect(() => parsePipeline(text)).toThrow(message);
  });
});

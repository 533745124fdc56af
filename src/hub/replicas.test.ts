import { describe, expect, it } from "vitest";
import { sameJson } from "./replicas.js";

describe("sameJson", () => {
  it("tells values parsed from JSON apart by content, not identity", () => {
    const hello = () => JSON.parse('{"type":"hello","tools":["a","b"],"policy":{"mode":"read-only"}}');
    expect(sameJson(hello(), hello())).toBe(true);
    expect(sameJson(hello(), { ...hello(), tools: ["a"] })).toBe(false);
    expect(sameJson(hello(), { ...hello(), policy: { mode: "full" } })).toBe(false);
    expect(sameJson(hello(), { ...hello(), extra: 1 })).toBe(false);
    expect(sameJson({ a: undefined }, { b: undefined })).toBe(false);
    expect(sameJson([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(sameJson(null, {})).toBe(false);
    expect(sameJson("1", 1)).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { compactSchema } from "./listing.js";

describe("compactSchema", () => {
  it("drops validator-only keywords, keeps structure and properties named like keywords", () => {
    expect(
      compactSchema({
        $schema: "https://json-schema.org/draft/2020-12/schema",
        type: "object",
        additionalProperties: false,
        properties: {
          name: { type: "string", minLength: 1, maxLength: 253, description: "Pod name" },
          maxLength: { type: "integer", minimum: 1 },
          tags: { type: "array", items: { type: "string", maxLength: 9 }, maxItems: 3 },
          open: { type: "object", additionalProperties: true },
        },
        required: ["name"],
      }),
    ).toEqual({
      type: "object",
      properties: {
        name: { type: "string", description: "Pod name" },
        maxLength: { type: "integer", minimum: 1 },
        tags: { type: "array", items: { type: "string" } },
        open: { type: "object", additionalProperties: true },
      },
      required: ["name"],
    });
  });
});

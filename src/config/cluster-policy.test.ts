import { describe, expect, it } from "vitest";
import { clusterPolicy } from "./cluster-policy.js";
import { ConfigSchema } from "./schema.js";

describe("clusterPolicy", () => {
  const config = ConfigSchema.parse({
    clusters: {
      "org-a/wc1": { mode: "full" },
      "org-a/*": { mode: "read-only" },
      "*-prod": { revealSecrets: false },
    },
  });
  it("takes a cluster's own entry first, then the first glob that matches its name", () => {
    expect(clusterPolicy(config, "org-a/wc1")?.mode).toBe("full");
    expect(clusterPolicy(config, "org-a/wc2")?.mode).toBe("read-only");
    expect(clusterPolicy(config, "eu-prod")).toEqual({ revealSecrets: false });
    expect(clusterPolicy(config, "org-b/wc1")).toBeUndefined();
  });
  it("reads a glob's dots and slashes literally", () => {
    const c = ConfigSchema.parse({ clusters: { "a.b/*": { mode: "read-only" } } });
    expect(clusterPolicy(c, "a.b/x")?.mode).toBe("read-only");
    expect(clusterPolicy(c, "axb/x")).toBeUndefined();
  });
});

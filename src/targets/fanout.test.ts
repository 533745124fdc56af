import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { ConfigSchema } from "../config/schema.js";
import type { Cluster } from "./clusters.js";
import { fanOut } from "./fanout.js";

const cluster = (name: string, remote: boolean) =>
  ({ name, ...(remote ? { remote: { call: async () => ({}) } } : {}) }) as unknown as Cluster;

/** Runs a fan-out whose every cluster takes 20 ms; returns the most clusters running at once, per kind. */
async function peaks(targets: Cluster[], fanout: object) {
  const config = ConfigSchema.parse({ fanout });
  const now = { local: 0, agent: 0 };
  const peak = { local: 0, agent: 0 };
  const settled = await fanOut(
    targets,
    { config, signal: new AbortController().signal, progress: () => {} },
    async (c) => {
      const k = c.remote ? "agent" : "local";
      peak[k] = Math.max(peak[k], ++now[k]);
      await sleep(20);
      now[k]--;
      return c.name;
    },
  );
  expect(settled.map((s) => s.value)).toEqual(targets.map((t) => t.name));
  return peak;
}

describe("fanOut", () => {
  it("queries clusters behind agents all at once, and local clusters within fanout.concurrency", async () => {
    const targets = [
      ...Array.from({ length: 40 }, (_, i) => cluster(`agent-${i}`, true)),
      ...Array.from({ length: 10 }, (_, i) => cluster(`local-${i}`, false)),
    ];
    expect(await peaks(targets, { concurrency: 3 })).toEqual({ local: 3, agent: 40 });
    expect(await peaks(targets, { concurrency: 3, agentConcurrency: 8 })).toEqual({ local: 3, agent: 8 });
  });
});

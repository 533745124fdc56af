import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// Unit tests beside the code run without the test bed (`npx vitest run --project unit`: seconds); the
// bed project holds test/ and the few src/ tests that run the bed's binaries or API servers.
const BED_UNITS = [
  "src/passthrough/kubectl.test.ts",
  "src/passthrough/helm.test.ts",
  "src/**/*.testbed.test.ts",
];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: "forks",
    reporters: ["default"],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["src/**/*.test.ts"],
          exclude: BED_UNITS,
          // Each worker imports src/ once for all its files instead of once per file: half the CPU
          // of the unit run. Safe because src/ keeps no module-level mutable state (STYLE.md, 7) but
          // caches and the tracer, which only src/obs/tracing-otel.test.ts turns on, and leaves inert.
          isolate: false,
          // Every core (vitest's default leaves one to its main process, which idles here: one worker of
          // two on a 2-core machine). A group of its own, as its worker count differs from the bed's.
          maxWorkers: availableParallelism(),
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "bed",
          sequence: { groupOrder: 1 },
          include: ["test/**/*.test.ts", ...BED_UNITS],
          globalSetup: ["test/global-setup.ts"],
        },
      },
    ],
  },
});

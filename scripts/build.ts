// `npm run build`: bundle the bin with esbuild. src/cli.ts and everything it loads become one CommonJS file,
// dist/kube-mcp.cjs, in which each role and transport is still evaluated lazily (esbuild wraps what is
// imported dynamically), so `--help` and stdio serving never evaluate the HTTP stack. dist/cli.js is
// src/bin.ts: it runs that file through V8's code cache, and this script makes the cache for `serve` by
// starting it once (scripts/warm.ts). Type-checking is `npm run check`.
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { build } from "esbuild";
import { warm } from "./warm.js";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};
const dist = new URL("../dist/", import.meta.url);
rmSync(dist, { recursive: true, force: true });
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  minify: true,
  sourcemap: "linked",
  define: { __KUBE_MCP_VERSION__: JSON.stringify(pkg.version) },
  logLevel: "warning",
} as const;

// OpenTelemetry (src/obs/tracing-otel.ts and its packages, ~300 KB) is a bundle of its own, required only
// when tracing is configured: a server that does not trace never reads, parses or caches it.
const TRACING = "kube-mcp-tracing.cjs";
await build({
  ...common,
  entryPoints: ["src/obs/tracing-otel.ts"],
  outfile: `dist/${TRACING}`,
  format: "cjs",
  logOverride: { "empty-import-meta": "silent" },
});
const tracingApart = {
  name: "tracing-apart",
  setup(b: { onResolve(o: { filter: RegExp }, f: () => { path: string; external: boolean }): void }) {
    b.onResolve({ filter: /\/tracing-otel\.js$/ }, () => ({ path: `./${TRACING}`, external: true }));
  },
};

const BUNDLE = "kube-mcp.cjs";
await build({
  ...common,
  entryPoints: ["src/cli.ts"],
  outfile: `dist/${BUNDLE}`,
  format: "cjs",
  plugins: [tracingApart],
  // An external's import() becomes require() (the bin runs the bundle as a vm.Script, which has no
  // dynamic import); bundled modules are still evaluated lazily, as before.
  supported: { "dynamic-import": false },
  // src/version.ts reads import.meta only when the version is not defined, as here it is.
  logOverride: { "empty-import-meta": "silent" },
});
// bin.ts wraps the bundle in a function, where a hashbang line is a syntax error; a comment in its place
// keeps the source map's lines.
const file = new URL(BUNDLE, dist);
const code = readFileSync(file, "utf8").replace(/^#!/, "//");
writeFileSync(file, code);
const hash = createHash("sha256").update(code).digest("hex").slice(0, 16);

await build({
  ...common,
  entryPoints: ["src/bin.ts"],
  outfile: "dist/cli.js",
  format: "esm",
  define: { ...common.define, __KUBE_MCP_BUNDLE__: JSON.stringify({ file: BUNDLE, hash }) },
});
await warm(new URL("cli.js", dist), new URL("cache/", dist));

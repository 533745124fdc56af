// `npm run build`: bundle the bin with esbuild. One ESM entry plus lazily loaded chunks per role and
// transport, so `--help` and stdio serving never parse the HTTP stack. Type-checking is `npm run check`.
import { readFileSync, rmSync } from "node:fs";
import { build } from "esbuild";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};
rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: ["src/cli.ts"],
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  minify: true,
  sourcemap: "linked",
  chunkNames: "chunks/[name]-[hash]",
  // Some bundled CommonJS code calls require(); give the ESM bundle one.
  banner: {
    js: "import{createRequire as __kmcpRequire}from'node:module';const require=__kmcpRequire(import.meta.url);",
  },
  define: { __KUBE_MCP_VERSION__: JSON.stringify(pkg.version) },
  logLevel: "warning",
});

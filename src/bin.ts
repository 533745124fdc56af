#!/usr/bin/env node
// The bin as built (dist/cli.js). It runs the bundle of src/cli.ts (dist/kube-mcp.cjs) through V8's code
// cache, so a start-up does not parse and compile the same megabyte of JavaScript again: that was a third
// of the CPU time to the first tools/list. Node 20 offers no compile cache of its own for a bundle
// (module.enableCompileCache is Node 22), so this is vm.Script's cachedData, one cache per role.
//
// Caches are looked up in the user's cache directory, where one is written a second after a start-up that
// found none that fits, and then in dist/cache (written at build time by scripts/build.ts, for the
// build's Node and flags). A start with other flags (NODE_OPTIONS) thus pays one compile, not one each time.
// V8 rejects a cache made by another V8 version or with other flags, and then simply compiles: a foreign
// cache costs a compile, never a wrong answer. V8 checks only the source's length, not its content, so
// the file name carries the bundle's content hash.
import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { Script } from "node:vm";

declare const __KUBE_MCP_BUNDLE__: { file: string; hash: string };

// The same flag src/cli.ts sets, set here before compiling: a cache is only accepted under the flags it was
// made with.
setFlagsFromString("--enable-experimental-regexp-engine-on-excessive-backtracks");

const dist = dirname(fileURLToPath(import.meta.url));
const bundle = join(dist, __KUBE_MCP_BUNDLE__.file);
const first = process.argv[2];
const role = first === "hub" || first === "agent" ? first : "serve";
const name = `${role}-${__KUBE_MCP_BUNDLE__.hash}-${process.version}-${process.arch}.cache`;
const userDir =
  process.env.KUBE_MCP_CODE_CACHE_DIR ||
  join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "kube-mcp", "code");

function read(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

// The bundle is CommonJS (a Script can be given a cache, an ES module cannot on Node 20); wrap it as Node would.
const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(bundle, "utf8")}\n})`;
let script: Script | undefined;
let fits = false;
for (const dir of [userDir, join(dist, "cache")]) {
  const cachedData = read(join(dir, name));
  if (!cachedData) continue;
  // A rejected cache leaves a script compiled as if none had been given.
  script = new Script(source, { filename: bundle, cachedData });
  fits = !script.cachedDataRejected;
  if (fits) break;
}
const compiled = script ?? new Script(source, { filename: bundle });
if (!fits) {
  // Written once the role has started, so the cache holds what a start-up compiles; best effort: a
  // read-only home only means the next start compiles again.
  setTimeout(() => {
    try {
      mkdirSync(userDir, { recursive: true, mode: 0o700 });
      const tmp = join(userDir, `${name}.${process.pid}`);
      writeFileSync(tmp, compiled.createCachedData());
      renameSync(tmp, join(userDir, name));
      // Caches of earlier builds would only pile up: a role keeps one per Node version.
      for (const f of readdirSync(userDir))
        if (f.startsWith(`${role}-`) && f.endsWith(`-${process.version}-${process.arch}.cache`) && f !== name)
          unlinkSync(join(userDir, f));
    } catch {}
  }, 1_000).unref();
}
const cjs = { exports: {} };
compiled.runInThisContext()(cjs.exports, createRequire(bundle), cjs, bundle, dist);

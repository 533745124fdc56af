#!/usr/bin/env node
// The bin as built (dist/cli.js). It runs the bundle of src/cli.ts (dist/kube-mcp.cjs) through V8's code
// cache, so a start-up does not parse and compile the same megabyte of JavaScript again: that was a third
// of the CPU time to the first tools/list. Node 20 offers no compile cache of its own for a bundle
// (module.enableCompileCache is Node 22), so this is vm.Script's cachedData, one cache per role.
//
// Caches are looked up in the user's cache directory, where one is written a second after a start-up that
// found none that fits, and then in dist/cache (written at build time by scripts/build.ts, for the
// build's Node). V8 rejects a cache made by another V8 version or with other flags, and then simply
// compiles: a foreign cache costs a compile, never a wrong answer. V8 checks only the source's length, not
// its content, so the file name carries the bundle's content hash, and the node flags it was made with.
import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { Script } from "node:vm";

declare const __KUBE_MCP_BUNDLE__: { file: string; hash: string };

/** The end of start-up, for this file's purposes: by then a stdio client has had its tools/list. */
const STARTED_MS = 1_000;

// Set before compiling, as a cache is only accepted under the flags it was made with: the flag src/cli.ts
// sets, and two held only while the role starts, then put back to V8's defaults for the load a server
// takes later. Neither is touched when the user's node flags name it.
// - The young generation stays at its initial size. Start-up allocates megabytes that all survive (the
//   SDK's and our schemas); by default it doubles twice to hold them and keeps those pages while idle
//   (+5 MB resident), for no gain in start-up time.
// - No Turbofan: start-up code runs a few times, never hot enough to repay optimizing it, and the
//   optimizing jobs cost 10% of the CPU time to tools/list and 6 MB that stay resident.
const userFlags = `${process.execArgv.join(" ")} ${process.env.NODE_OPTIONS ?? ""}`;
const HELD = [
  { during: "--semi-space-growth-factor=1", after: "--semi-space-growth-factor=2", unless: /semi-space/ },
  { during: "--no-turbofan", after: "--turbofan", unless: /turbofan|-opt\b|jitless/ },
].filter((f) => !f.unless.test(userFlags));
setFlagsFromString("--enable-experimental-regexp-engine-on-excessive-backtracks");
for (const f of HELD) setFlagsFromString(f.during);

const dist = dirname(fileURLToPath(import.meta.url));
const bundle = join(dist, __KUBE_MCP_BUNDLE__.file);
const first = process.argv[2];
const role = first === "hub" || first === "agent" ? first : "serve";
const suffix = `-${process.version}-${process.arch}-${fnv1a(userFlags.trim())}.cache`;
const name = `${role}-${__KUBE_MCP_BUNDLE__.hash}${suffix}`;
const userDir =
  process.env.KUBE_MCP_CODE_CACHE_DIR ||
  join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "kube-mcp", "code");

function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16);
}

function read(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Best effort: a read-only home only means the next start compiles again. */
function writeCache(script: Script): void {
  try {
    mkdirSync(userDir, { recursive: true, mode: 0o700 });
    const tmp = join(userDir, `${name}.${process.pid}`);
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, join(userDir, name));
    // Caches of earlier builds would only pile up: a role keeps one per Node version and flags.
    for (const f of readdirSync(userDir))
      if (f.startsWith(`${role}-`) && f.endsWith(suffix) && f !== name) unlinkSync(join(userDir, f));
  } catch {}
}

// The bundle is CommonJS (a Script can be given a cache, an ES module cannot on Node 20); wrap it as Node would.
function compile(): { script: Script; fits: boolean } {
  const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(bundle, "utf8")}\n})`;
  let script: Script | undefined;
  for (const dir of [userDir, join(dist, "cache")]) {
    const cachedData = read(join(dir, name));
    if (!cachedData) continue;
    // A rejected cache leaves a script compiled as if none had been given.
    script = new Script(source, { filename: bundle, cachedData });
    if (!script.cachedDataRejected) return { script, fits: true };
  }
  return { script: script ?? new Script(source, { filename: bundle }), fits: false };
}

const { script, fits } = compile();
setTimeout(() => {
  // The cache is written under the flags it was compiled with, before they change back.
  if (!fits) writeCache(script);
  for (const f of HELD) setFlagsFromString(f.after);
}, STARTED_MS).unref();
const cjs = { exports: {} };
script.runInThisContext()(cjs.exports, createRequire(bundle), cjs, bundle, dist);

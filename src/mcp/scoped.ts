// One server per request, shaped by what the caller may do: the server's mode, narrowed by an OAuth
// token's scope. Every caller sees the same tools (so a client can ask for a broader scope when it needs
// one: the HTTP layer answers such a call with a scope challenge); a narrower caller's clusters are
// capped to its mode, so nothing its scope does not cover runs, whichever way it is asked for. Each
// caller also gets its own view of the clusters: those in impersonate mode act as that caller.
import type { McpServer } from "@modelcontextprotocol/server";
import type { Mode } from "../config/schema.js";
import { stricter } from "../targets/clusters.js";
import { type Caller, STDIO_CALLER } from "../targets/identity.js";
import type { AnyTool, Safety } from "../tools/define.js";
import { buildServer, type ServerDeps } from "./server.js";

/**
 * `stepUp`: the tools whose safety class is what a call needs (not the CLI passthroughs, whose need
 * depends on the command; their validator refuses at the capped mode instead).
 */
export function scopedServers(
  deps: ServerDeps,
  mode: Mode,
  stepUp: AnyTool[],
): { factory: (cap?: Mode, caller?: Caller) => McpServer; safety: Map<string, Safety> } {
  const built = new Map<Mode, ServerDeps>([[mode, deps]]);
  const depsFor = (m: Mode): ServerDeps => {
    let d = built.get(m);
    if (!d) {
      d = { ...deps, clusters: deps.clusters.capped(m) };
      built.set(m, d);
    }
    return d;
  };
  return {
    factory: (cap, caller = STDIO_CALLER) => {
      const d = depsFor(cap ? stricter(mode, cap) : mode);
      return buildServer({ ...d, clusters: d.clusters.as(caller), caller });
    },
    safety: new Map(stepUp.map((t) => [t.name, t.safety])),
  };
}

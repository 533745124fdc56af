// One server per request, shaped by what the caller may do: the server's mode, narrowed by an OAuth
// token's scope. Every caller sees the same tools (so a client can ask for a broader scope when it needs
// one: the HTTP layer answers such a call with a scope challenge); a narrower caller's clusters are
// capped to its mode, so nothing its scope does not cover runs, whichever way it is asked for. Each
// caller also gets its own view of the clusters: those in impersonate mode act as that caller, and its
// own listing: the toolsets it has enabled stay enabled across its requests (HTTP serves each request
// with a new server).
import type { McpServer } from "@modelcontextprotocol/server";
import type { Mode } from "../config/schema.js";
import { type Caller, STDIO_CALLER } from "../policy/identity.js";
import { type Safety, stricter } from "../policy/modes.js";
import { Listing, type Selection, withAliases } from "../policy/toolsets.js";
import type { AnyTool } from "../tools/define.js";
import { Inflight } from "./inflight.js";
import { buildServer, type ServerDeps } from "./server.js";

/**
 * `stepUp`: the tools whose safety class is what a call needs (not the CLI passthroughs, whose need
 * depends on the command; their validator refuses at the capped mode instead).
 */
/** Listings kept per caller; past this many the least recently used is forgotten (back to the defaults). */
const MAX_LISTINGS = 1000;

/** One string per caller identity: what a caller's listing, cancels and SSE sessions are keyed by. */
export const callerKey = (c: Caller) => `${c.kind}\u0000${c.key ?? ""}\u0000${c.user ?? c.subject ?? ""}`;

export function scopedServers(
  deps: Omit<ServerDeps, "tools" | "listing">,
  mode: Mode,
  selection: Selection<AnyTool>,
  stepUp: AnyTool[],
): {
  factory: (cap?: Mode, caller?: Caller, session?: { longLived?: boolean }) => McpServer;
  safety: Map<string, Safety>;
  /** Calls `notify` whenever any caller's listing changes. */
  onListChanged(notify: () => void): void;
  /** Aborts a caller's running call (a 2025-era HTTP client's cancel); whether one was running. */
  cancel(caller: Caller, id: string | number): boolean;
} {
  const inflight = new Inflight();
  const listingCache = new Map<string, unknown>();
  const listings = new Map<string, Listing<AnyTool>>();
  const notifiers: (() => void)[] = [];
  const listingOf = (caller: Caller): Listing<AnyTool> => {
    const key = callerKey(caller);
    let l = listings.get(key);
    if (l) listings.delete(key);
    else {
      l = new Listing(selection);
      l.onChange(() => {
        for (const n of notifiers) n();
      });
    }
    listings.set(key, l);
    if (listings.size > MAX_LISTINGS) listings.delete(listings.keys().next().value as string);
    return l;
  };
  // A binary installed (or removed) while the server runs changes every listing that has its tool.
  const optional = selection.tools.filter((t) => t.installed);
  if (optional.length) {
    const snapshot = () => optional.map((t) => t.installed?.()).join();
    let seen = snapshot();
    setInterval(() => {
      const now = snapshot();
      if (now === seen) return;
      seen = now;
      for (const n of notifiers) n();
    }, 30_000).unref();
  }
  type Base = Omit<ServerDeps, "tools" | "listing">;
  const built = new Map<Mode, Base>([[mode, deps]]);
  const depsFor = (m: Mode): Base => {
    let d = built.get(m);
    if (!d) {
      d = { ...deps, clusters: deps.clusters.capped(m) };
      built.set(m, d);
    }
    return d;
  };
  return {
    factory: (cap, caller = STDIO_CALLER, session = {}) => {
      const d = depsFor(cap ? stricter(mode, cap) : mode);
      return buildServer({
        ...d,
        tools: selection.tools,
        listing: listingOf(caller),
        inflight: { registry: inflight, caller: callerKey(caller) },
        subscriptions: session.longLived === true,
        listingCache,
        clusters: d.clusters.as(caller),
        caller,
      });
    },
    safety: withAliases(new Map(stepUp.map((t) => [t.name, t.safety])), selection.aliases),
    onListChanged: (notify) => void notifiers.push(notify),
    cancel: (caller, id) => inflight.cancel(callerKey(caller), id),
  };
}

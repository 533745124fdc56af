// The masking primitives the structural redactors share: how a masked value looks, how it is reported
// to the caller's collector, and the bounds every walk over untrusted objects keeps to.
import { isCredentialName } from "./vocabulary.js";

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export const REDACTED = "<redacted>";
export const MASKED = /^<redacted(: \d+ bytes)?>$/;
/** What replaces a part of an object that a walk did not reach: fail closed, never pass it through. */
export const TOO_DEEP = "<withheld: nested too deeply or too large to redact>";

export interface RedactOptions {
  /** Show Secret `data` values, except for the always-redacted types. Off by default. */
  revealSecretValues?: boolean;
  /** Told every value that was masked, so the same value can be masked wherever else it appears. */
  collect?: (value: string) => void;
}

/**
 * One redaction's walk state. Objects come from the cluster, so their size and nesting are the
 * attacker's: every node costs one unit of a shared budget and nothing beyond MAX_DEPTH is kept.
 */
export interface Walk {
  opts: RedactOptions;
  nodes: number;
}
export const MAX_DEPTH = 96;
export const MAX_NODES = 2_000_000;

/** False once the walk may not go further; the caller then withholds what it has not seen. */
export function step(w: Walk, depth: number): boolean {
  w.nodes++;
  return depth <= MAX_DEPTH && w.nodes <= MAX_NODES;
}

export const utf8Size = (v: string) => Buffer.byteLength(v, "utf8");
export const base64Size = (v: string) => Buffer.from(v, "base64").length;
const masked = (bytes: number) => `<redacted: ${bytes} bytes>`;

export function maskValue(value: unknown, size: (value: string) => number, opts: RedactOptions): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value !== "string") return REDACTED;
  if (MASKED.test(value)) return value;
  opts.collect?.(value);
  return masked(size(value));
}

/**
 * Masks every string or number under a credential-named key, at any depth (Helm values, custom
 * resource fields): `auth.password`, `credentials: {user, key}`, `masterKey`. Booleans and nulls stay:
 * `auth.enabled: true` is not a secret. Returns the new value; the input is not modified.
 */
export function maskByName(v: unknown, w: Walk, depth = 0, under = false): unknown {
  if (!step(w, depth)) return TOO_DEEP;
  if (Array.isArray(v)) return v.map((x) => maskByName(x, w, depth + 1, under));
  if (isObj(v)) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v))
      out[k] = maskByName(x, w, depth + 1, under || isCredentialName(k));
    return out;
  }
  if (under && (typeof v === "string" || typeof v === "number"))
    return maskValue(String(v), utf8Size, w.opts);
  return v;
}

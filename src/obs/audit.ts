// The audit trail: one JSON line per tool call on stderr, marked `"audit":true` so it can be routed
// apart from debug logs. Arguments are scrubbed (credential-looking values redacted) and capped.
import { createHash } from "node:crypto";
import { auditFields, type Caller } from "../policy/identity.js";
import { redactText } from "../policy/redact-text.js";
import { tracer } from "./tracing.js";

export interface AuditRecord {
  /** Who called: a label (the hub's and agent's own), or the caller with its user, groups, key or subject. */
  caller: string | Caller;
  /** How the call arrived when that is not the caller (an agent's hub call). */
  via?: string;
  tool: string;
  cluster: string | string[] | undefined;
  args: Record<string, unknown>;
  outcome: "ok" | "error" | "refused" | "declined";
  ms: number;
  error?: string;
}

export type Audit = (r: AuditRecord) => void;

const MAX_ARGS = 2000;
const LONG = 300;

/** Long strings (manifests, patches) are recorded by size and digest, not content: they may carry Secrets. */
export function scrubArgs(args: Record<string, unknown>): string {
  const { cluster: _c, ...rest } = args;
  const text = redactText(
    JSON.stringify(rest, (_k, v: unknown) =>
      typeof v === "string" && v.length > LONG
        ? `<${Buffer.byteLength(v)} bytes, sha256:${createHash("sha256").update(v).digest("hex").slice(0, 16)}>`
        : v,
    ),
  );
  return text.length > MAX_ARGS ? `${text.slice(0, MAX_ARGS)}…` : text;
}

export function createAudit(
  role: string,
  write: (line: string) => void = (l) => process.stderr.write(l),
): Audit {
  return (r) =>
    write(
      `${JSON.stringify({
        time: new Date().toISOString(),
        audit: true,
        role,
        ...(typeof r.caller === "string" ? { caller: r.caller } : auditFields(r.caller)),
        ...(r.via ? { via: r.via } : {}),
        tool: r.tool,
        cluster: r.cluster ?? "(default)",
        args: scrubArgs(r.args),
        outcome: r.outcome,
        ms: r.ms,
        ...(r.error ? { error: r.error.slice(0, 500) } : {}),
        ...tracer().ids(),
      })}\n`,
    );
}

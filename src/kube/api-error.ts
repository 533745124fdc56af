// The one error for an API server's answer, or for the lack of one. Its status and reason are set once,
// where the request meets the wire (http.ts, ws.ts, api.ts); errors.ts words them for the model, and
// nothing above guesses them again from a message.
import { STATUS_CODES } from "node:http";
import type { Impersonation } from "../policy/identity.js";

export interface StatusDetails {
  name?: string;
  kind?: string;
  group?: string;
  causes?: { reason?: string; message?: string; field?: string }[];
}

export class KubeApiError extends Error {
  override name = "KubeApiError";
  readonly details: StatusDetails | undefined;
  /** The Node error code behind a transport failure, e.g. ECONNREFUSED. */
  readonly code: string | undefined;
  /** Who the request impersonated, so a refusal can name the person rather than kube-mcp. */
  readonly actor: Impersonation | undefined;

  constructor(
    /** HTTP status, or 0 when no answer arrived (timeout, abort, TLS, network, proxy, size). */
    readonly status: number,
    /**
     * The Status reason (NotFound, Forbidden…), "" when the server gave none; with status 0 what went
     * wrong on the way: Timeout, Aborted, TLSError, Unreachable, TooLarge or ProxyError ("" otherwise).
     */
    readonly reason: string,
    message: string,
    o: {
      details?: StatusDetails | undefined;
      code?: string | undefined;
      actor?: Impersonation | undefined;
    } = {},
  ) {
    super(message);
    this.details = o.details;
    this.code = o.code;
    this.actor = o.actor;
  }

  /** Whether the API server answered (its own refusal), rather than the request never getting an answer. */
  get answered(): boolean {
    return this.status > 0;
  }
}

interface Said {
  reason: string;
  /** The Status message, when the body is a Status that has one. */
  message?: string;
  details?: StatusDetails;
  /** Otherwise the body's text, cut short and stripped of markup (a proxy's HTML error page). */
  text: string;
}

/** The one reading of an error answer's body: a Kubernetes Status when it is one, else its text. */
export function readStatus(body: Buffer | string): Said {
  const raw = body.toString();
  try {
    const s = JSON.parse(raw) as {
      kind?: string;
      reason?: string;
      message?: string;
      details?: StatusDetails;
    };
    if (s?.kind === "Status")
      return {
        reason: s.reason ?? "",
        ...(s.message ? { message: s.message } : {}),
        ...(s.details ? { details: s.details } : {}),
        text: "",
      };
  } catch {
    // not JSON: a proxy or load balancer answered
  }
  const text = raw
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 300);
  return { reason: "", text };
}

/**
 * A non-2xx answer to `request` ("GET /api/v1/pods", "exec"). A refused WebSocket upgrade says so, since
 * the caller only sees that its stream never opened.
 */
export function statusError(
  status: number,
  body: Buffer | string,
  o: { request: string; refused?: boolean; actor?: Impersonation | undefined },
): KubeApiError {
  const s = readStatus(body);
  const said = s.message ?? s.text;
  const message = o.refused
    ? `${o.request} was refused (HTTP ${status}): ${said}`
    : (s.message ??
      `${o.request} returned HTTP ${status}${s.text ? `: ${s.text}` : STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ""}`);
  return new KubeApiError(status, s.reason, message, { details: s.details, actor: o.actor });
}

const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS|ERR_SSL|DEPTH_ZERO|^EPROTO$/;
const NET_CODE = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET|ETIMEDOUT|EPIPE)$/;

/** A socket's failure on the way to cluster `name` at `server`, classified once, by its Node error code. */
export function transportError(
  err: NodeJS.ErrnoException,
  c: { name: string; server: string },
  what: string,
): KubeApiError {
  if (err instanceof KubeApiError) return err;
  const code = err.code ?? "";
  const [reason, message] = TLS_CODE.test(code)
    ? [
        "TLSError",
        `TLS verification failed for cluster ${c.name} at ${c.server}: ${err.message} (${code}). Check the cluster's ` +
          "certificate-authority and tls-server-name; insecure-skip-tls-verify skips the check (testing only).",
      ]
    : NET_CODE.test(code)
      ? [
          "Unreachable",
          `cannot reach cluster ${c.name} at ${c.server} (${code}). Check that it is up and reachable.`,
        ]
      : ["", `request to cluster ${c.name} failed (${what}): ${err.message}`];
  return new KubeApiError(0, reason, message, { code: code || undefined });
}

// One place that turns Kubernetes and network failures into sentences a model can act on. It reads the
// status and reason the transport set (api-error.ts); it never guesses them from a message.
import { ToolError } from "../errors.js";
import { KubeApiError } from "./api-error.js";

export interface ErrorContext {
  cluster: string;
  verb?: string;
  resource?: string;
  namespace?: string;
  name?: string;
}

const where = (c: ErrorContext) => (c.namespace ? ` in namespace ${c.namespace}` : "");

export function describeError(err: unknown, c: ErrorContext): ToolError {
  if (err instanceof ToolError) return err;
  if (err instanceof KubeApiError) return err.answered ? refused(err, c) : unanswered(err, c);
  // A deadline or a cancel from above the transport (a fan-out's per-cluster deadline, say).
  const e = err as Error | undefined;
  if (e?.name === "AbortError" || e?.name === "TimeoutError") return tooSlow(c);
  return new ToolError(`Request to cluster ${c.cluster} failed: ${e?.message ?? String(err)}`);
}

const tooSlow = (c: ErrorContext) =>
  new ToolError(
    `Cluster ${c.cluster} did not answer in time.`,
    "Retry, narrow the request (namespace, selector, limit), or check the cluster's health.",
  );

/** No answer came: the reason the transport gave says why. */
function unanswered(err: KubeApiError, c: ErrorContext): ToolError {
  switch (err.reason) {
    case "Timeout":
      return tooSlow(c);
    case "Unreachable":
      return new ToolError(
        `Cluster ${c.cluster} is unreachable (${err.code}).`,
        "Check that its API server is up and reachable from kube-mcp (VPN, proxy-url, server address).",
      );
    case "TLSError":
      return new ToolError(
        `TLS to cluster ${c.cluster} failed: ${err.message}`,
        "Check certificate-authority(-data) and tls-server-name in the kubeconfig.",
      );
    default:
      return new ToolError(`Request to cluster ${c.cluster} failed: ${err.message}`);
  }
}

/** The API server answered with a refusal: its status says what kind. */
function refused(err: KubeApiError, c: ErrorContext): ToolError {
  const what = c.resource ? `${c.resource}${c.name ? ` ${c.name}` : ""}` : "the resource";
  switch (err.status) {
    case 401:
      if (err.actor?.passthrough)
        return new ToolError(
          `Cluster ${c.cluster} rejected the caller's own access token (401 Unauthorized; identity: passthrough).`,
          "Its API server must trust the token's issuer and audience; a fresh token may help, retrying the same one will not.",
        );
      return new ToolError(
        `Cluster ${c.cluster} rejected kube-mcp's credentials (401 Unauthorized).`,
        "The token or certificate in the kubeconfig is invalid or expired; refresh it (e.g. log in again).",
      );
    case 403:
      // An impersonated caller is refused as a person: say who, so the model does not retry as "kube-mcp".
      if (err.actor)
        return new ToolError(
          `Forbidden: user ${err.actor.user}${err.actor.groups.length ? ` (groups ${err.actor.groups.join(", ")})` : ""} cannot ${c.verb ?? "access"} ${what}${where(c)} on cluster ${c.cluster}. ${err.message}`,
          `Cluster ${c.cluster} acts as the caller (identity: ${err.actor.passthrough ? "passthrough" : "impersonate"}), so Kubernetes RBAC decides for ${err.actor.user}; retrying will not help. Ask for a Role granting this, or try a namespace ${err.actor.user} can access.`,
        );
      return new ToolError(
        `Forbidden: kube-mcp's identity on cluster ${c.cluster} may not ${c.verb ?? "access"} ${what}${where(c)}. ${err.message}`,
        "Ask for a Role/ClusterRole granting this verb, or try a namespace you can access.",
      );
    case 404:
      return new ToolError(`${what} not found${where(c)} on cluster ${c.cluster}.`);
    case 410:
      return new ToolError(
        `The continue token has expired on cluster ${c.cluster}.`,
        "Start the list again without `continue`.",
      );
    case 422:
    case 400:
      return new ToolError(`Cluster ${c.cluster} rejected the request: ${err.message}`);
    case 429:
      return new ToolError(
        `Cluster ${c.cluster} is throttling requests (429).`,
        "Wait a little and retry, or narrow the request.",
      );
    default:
      return new ToolError(
        `Cluster ${c.cluster} answered ${err.status}${err.reason ? ` ${err.reason}` : ""}: ${err.message}`,
      );
  }
}

// What kube/ needs to reach one cluster's API server outside the REST client (exec, port-forward and
// other WebSocket subresources): where it is, what to present, who the requests act as and what they may
// touch. targets' Cluster is one; kube/ asks nothing else of it.
import type { Impersonation } from "../policy/identity.js";
import type { Scope } from "../policy/scope.js";
import type { AuthMaterial } from "./credentials.js";
import type { ClusterSpec } from "./types.js";

/** What a connection (or a CLI pinned to the cluster) presents: the same credentials the REST client uses. */
export interface CredentialSource {
  get(signal?: AbortSignal): Promise<AuthMaterial>;
}

export interface Connection {
  /** The cluster's name, for messages. */
  name: string;
  /** Server URL, TLS and proxy; holds credentials, so never shown. */
  spec: ClusterSpec;
  credentials: CredentialSource;
  /** Set in one caller's view of an impersonating cluster: the person every request (REST, stream, CLI) acts as. */
  impersonate?: Impersonation;
  /** The namespaces and kinds the cluster shows; a request outside it is refused before it is sent. */
  scope?: Scope;
}

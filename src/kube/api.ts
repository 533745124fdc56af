// JSON access to one cluster's API server on top of a transport, with the Kubernetes error mapping done
// once: every non-2xx becomes a KubeApiError (api-error.ts) carrying status, reason and the server's message.

import type { Impersonation } from "../policy/identity.js";
import type { Scope } from "../policy/scope.js";
import { statusError } from "./api-error.js";
import { Discovery } from "./discovery.js";
import type { KubeStream } from "./http.js";
import { filterResponse, hiddenError, refusalOf } from "./scoped.js";
import type { KubeRequest, KubeResponse } from "./types.js";

export interface Transport {
  request(req: KubeRequest): Promise<KubeResponse>;
  /** The same connection with every request impersonating `who`; unset where that is impossible. */
  impersonating?(who: Impersonation): Transport;
  /** A response read as it arrives (watches); unset where the connection cannot. */
  stream?(req: KubeRequest): Promise<KubeStream>;
  /** Closes pooled connections (a connection built for one caller's token, once the token expires). */
  close?(): void;
}

export const PATCH_TYPES = {
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  json: "application/json-patch+json",
  apply: "application/apply-patch+yaml",
} as const;
export type PatchType = keyof typeof PATCH_TYPES;

export const TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io, application/json";

export class KubeApi {
  readonly discovery: Discovery;

  constructor(
    readonly cluster: string,
    private readonly transport: Transport,
    /** Set when every request impersonates a caller (the API of one caller's view of the cluster). */
    readonly actor?: Impersonation,
    /** The namespaces and kinds this cluster shows; requests outside it are refused, lists filtered. */
    readonly scope?: Scope,
    /** Shared with the API this one narrows: discovery asks nothing a scope hides. */
    discovery?: Discovery,
  ) {
    this.discovery = discovery ?? new Discovery(this);
  }

  /** The same connection and discovery, narrowed to `scope`. */
  scoped(scope: Scope): KubeApi {
    return new KubeApi(this.cluster, this.transport, this.actor, scope, this.discovery);
  }

  /** The same connection without the scope: for kube-mcp's own questions, never a caller's request. */
  unscoped(): KubeApi {
    return this.scope
      ? new KubeApi(this.cluster, this.transport, this.actor, undefined, this.discovery)
      : this;
  }

  /** Sends `req` under the scope and returns any status (the passthrough's proxy answers with it). */
  async forward(req: KubeRequest): Promise<KubeResponse> {
    const why = this.scope?.active ? refusalOf(this.scope, req) : undefined;
    if (why) throw hiddenError(why);
    const res = await this.transport.request(req);
    return this.scope?.active ? filterResponse(this.scope, req, res) : res;
  }

  /** Opens `req` as a stream under the scope (a watch across hidden namespaces is refused, not filtered). */
  async stream(req: KubeRequest): Promise<KubeStream> {
    const why = this.scope?.active ? refusalOf(this.scope, req) : undefined;
    if (why) throw hiddenError(why);
    if (!this.transport.stream) throw new Error(`the connection to cluster ${this.cluster} cannot stream`);
    return this.transport.stream(req);
  }

  async raw(req: KubeRequest): Promise<KubeResponse> {
    const res = await this.forward(req);
    if (res.status < 200 || res.status >= 300)
      throw statusError(res.status, res.body, {
        request: `${req.method ?? "GET"} ${req.path}`,
        actor: this.actor,
      });
    return res;
  }

  async json<T>(req: KubeRequest): Promise<T> {
    const res = await this.raw({ ...req, headers: { accept: "application/json", ...req.headers } });
    return JSON.parse(res.body.toString("utf8")) as T;
  }

  /**
   * PATCH as kube-mcp's field manager. `body` is sent as is when it is a string (a model's patch text),
   * otherwise as JSON; `dryRun` makes it a server-side dry run.
   */
  patch<T = Record<string, unknown>>(
    path: string,
    body: unknown,
    o: { type: PatchType; signal?: AbortSignal; dryRun?: boolean; force?: boolean },
  ): Promise<T> {
    return this.json<T>({
      method: "PATCH",
      path,
      headers: { "content-type": PATCH_TYPES[o.type] },
      query: { fieldManager: "kube-mcp", dryRun: o.dryRun ? "All" : undefined, force: o.force || undefined },
      body: typeof body === "string" ? body : JSON.stringify(body),
      ...(o.signal ? { signal: o.signal } : {}),
    });
  }

  async text(req: KubeRequest): Promise<string> {
    return (await this.raw(req)).body.toString("utf8");
  }
}

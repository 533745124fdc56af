// Plan → guard → apply for one patch: the live object, then the server's dry run of the patch (the
// plan), then the guard's verdict on that pair, and only then the real patch, made conditional on the
// live object's resourceVersion so that what is applied is exactly what was guarded. Controllers bump
// resourceVersion all the time (status), so a conflict plans again, a few times, before giving up.

import { ToolError } from "../errors.js";
import { type Change, type GuardPolicy, guard, jsonPatchReadsSecret, type Obj } from "../policy/guard.js";
import type { KnownSecrets } from "../policy/known.js";
import { redactObject } from "../policy/redact.js";
import type { KubeApi, PatchType } from "./api.js";
import { KubeApiError } from "./api-error.js";
import type { ApiResource } from "./discovery.js";

/** What every guarded write needs besides its own arguments. */
export interface WriteCtx {
  policy: GuardPolicy;
  /** Values redaction removed from the objects this call touched; the call's output masks them. */
  secrets: KnownSecrets;
  signal: AbortSignal;
}

/** Throws the guard's refusal for these planned changes, if any. */
export function enforce(changes: Change[], w: WriteCtx): void {
  const refusal = guard(changes, w.policy);
  if (refusal) throw new ToolError(refusal);
}

/** Reads an object and remembers its redacted values, so they are masked wherever they reappear. */
export async function readLive(api: KubeApi, path: string, w: WriteCtx): Promise<Obj | undefined> {
  try {
    const obj = await api.json<Obj>({ path, signal: w.signal });
    redactObject(obj, { collect: w.secrets.add });
    return obj;
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 404) return undefined;
    throw err;
  }
}

/** The patch with the live object's resourceVersion as a precondition (409 if it changed since the plan). */
function pinned(body: unknown, type: PatchType, rv: string | undefined): unknown {
  if (!rv) return body;
  const parsed = typeof body === "string" ? JSON.parse(body) : body;
  if (type === "json")
    return [{ op: "test", path: "/metadata/resourceVersion", value: rv }, ...(parsed as unknown[])];
  const o = parsed as Obj;
  return { ...o, metadata: { ...(o.metadata ?? {}), resourceVersion: rv } };
}

/** How a planned patch is sent; `subresource` also tells the guard what the write reaches. */
export interface PatchOpts {
  type: PatchType;
  dryRun: boolean;
  subresource?: string;
}

export interface PlannedPatch {
  before: Obj;
  after: Obj;
}

/**
 * Patches one object (or its subresource) through plan → guard → apply. With `dryRun`, stops after
 * the guard and returns the plan. A refused plan changes nothing.
 */
export function plannedPatch(
  api: KubeApi,
  r: ApiResource,
  path: string,
  body: unknown,
  o: PatchOpts,
  w: WriteCtx,
): Promise<PlannedPatch> {
  return replanned(`${r.kind} at ${path}`, () => planGuardApply(api, r, path, body, o, w), w);
}

const ATTEMPTS = 5;

/**
 * Runs one plan → guard → apply, and again from a fresh plan while the write meets an object that
 * changed since its plan (409, or a failed resourceVersion test), up to ATTEMPTS times.
 */
export async function replanned<T>(what: string, attempt: () => Promise<T>, w: WriteCtx): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof KubeApiError && (err.status === 409 || isFailedTest(err)))) throw err;
      if (n >= ATTEMPTS)
        throw new ToolError(
          `${what} kept changing between the plan and the write (${ATTEMPTS} tries); nothing more was changed.`,
          "Call again in a moment: the plan is made afresh from the current objects.",
        );
      await new Promise((res) => setTimeout(res, 50 * n));
      w.signal.throwIfAborted();
    }
  }
}

/** Refuses a JSON patch whose ops would copy, move or test a value redaction hides (rule secretEcho). */
export function refuseSecretReads(ops: unknown, before: Obj, w: WriteCtx): void {
  if (w.policy.revealSecrets) return;
  const reads = jsonPatchReadsSecret(ops, before);
  if (reads)
    throw new ToolError(
      `Refused on cluster ${w.policy.cluster}: ${reads} (rule secretEcho); nothing was changed. A patch may not copy, move or test a redacted value. What would allow it: revealSecrets for this cluster, set by the operator.`,
    );
}

async function planGuardApply(
  api: KubeApi,
  r: ApiResource,
  path: string,
  body: unknown,
  o: PatchOpts,
  w: WriteCtx,
): Promise<PlannedPatch> {
  const before = await api.json<Obj>({ path, signal: w.signal });
  redactObject(before, { collect: w.secrets.add });
  if (o.type === "json") refuseSecretReads(typeof body === "string" ? JSON.parse(body) : body, before, w);
  const after = await api.patch<Obj>(path, body, { type: o.type, dryRun: true, signal: w.signal });
  enforce(
    [
      {
        before,
        after,
        group: r.group,
        kind: r.kind,
        ...(o.subresource ? { subresource: o.subresource } : {}),
      },
    ],
    w,
  );
  if (o.dryRun) return { before, after };
  // A conflict here (the object changed since its plan) is planned again by replanned().
  const applied = await api.patch<Obj>(path, pinned(body, o.type, before.metadata?.resourceVersion), {
    type: o.type,
    signal: w.signal,
  });
  return { before, after: applied };
}

// A JSON patch whose leading `test` of resourceVersion failed is answered 422 "the test failed".
function isFailedTest(err: KubeApiError): boolean {
  return err.status === 422 && /test/i.test(err.message) && /resourceVersion/.test(err.message);
}

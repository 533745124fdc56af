// OAuth 2.1 resource server for the HTTP endpoint: verifies JWT access tokens from one issuer (signature
// against its published keys, issuer, audience, expiry), turns their scopes into a mode cap, and
// describes itself with RFC 9728 protected resource metadata, and reads who the caller is (user and
// groups claims) for clusters that impersonate callers. kube-mcp never forwards the token itself.
import type { Config, Mode } from "../config/schema.js";
import type { Logger } from "../obs/log.js";
import { validName } from "../policy/identity.js";

export type OAuthConfig = NonNullable<Config["http"]["oauth"]>;
export type ScopeNames = OAuthConfig["scopes"];

/** What a verified token allows. */
export interface Grant {
  token: string;
  subject: string;
  clientId: string;
  scopes: string[];
  mode: Mode;
  expiresAt: number;
  /** The Kubernetes user and groups the token names; `missing` says why there is no user. */
  user?: string;
  groups: string[];
  missing?: string;
}

/** A token that cannot be used: 401 (`invalid_token`) or 403 (`insufficient_scope`). */
export class Rejected extends Error {
  constructor(
    message: string,
    readonly status: 401 | 403,
    readonly error: "invalid_token" | "insufficient_scope",
  ) {
    super(message);
  }
}

/** The issuer's keys or metadata could not be fetched: nothing can be verified until they can (503). */
export class IssuerUnavailable extends Error {}

const BY_MODE: Record<Mode, keyof ScopeNames> = {
  "read-only": "read",
  "non-destructive": "write",
  full: "admin",
};

/** The broadest mode the granted scopes allow; undefined when they carry none of ours. */
function modeFromScopes(granted: readonly string[], names: ScopeNames): Mode | undefined {
  if (granted.includes(names.admin)) return "full";
  if (granted.includes(names.write)) return "non-destructive";
  if (granted.includes(names.read)) return "read-only";
  return undefined;
}

function scopesOf(payload: Record<string, unknown>): string[] {
  const raw = payload.scope ?? payload.scp;
  if (typeof raw === "string") return raw.split(" ").filter(Boolean);
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === "string");
  return [];
}

/** The user from the first configured claim the token carries, and the groups from the groups claim. */
export function identityOf(
  payload: Record<string, unknown>,
  o: Pick<OAuthConfig, "userClaims" | "groupsClaim">,
): Pick<Grant, "user" | "groups" | "missing"> {
  const raw = payload[o.groupsClaim];
  const listed = typeof raw === "string" ? [raw] : Array.isArray(raw) ? raw : [];
  // Kubernetes reserves system: names (system:masters is cluster-admin): an identity provider's claims
  // never reach them, as its own OIDC authenticator prefixes them for the same reason.
  const groups = listed.filter((g): g is string => validName(g) && !g.startsWith("system:"));
  const claim = o.userClaims.find((c) => payload[c] !== undefined && payload[c] !== "");
  if (!claim)
    return { groups, missing: `the access token has none of the user claims ${o.userClaims.join(", ")}` };
  const user = payload[claim];
  if (!validName(user))
    return { groups, missing: `the access token's "${claim}" claim is not a printable ASCII name` };
  if (user.startsWith("system:"))
    return { groups, missing: `the access token's "${claim}" claim names a reserved system: user` };
  return { user, groups };
}

/** Only asymmetric signatures: a token signed with a shared secret is not verifiable by a resource server. */
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];

async function fetchJson(url: string): Promise<Record<string, unknown> | undefined> {
  const res = await fetch(url, {
    signal: AbortSignal.timeout(5000),
    headers: { accept: "application/json" },
  });
  if (!res.ok) return undefined;
  return (await res.json()) as Record<string, unknown>;
}

/** RFC 8414 metadata (path-inserted well-known), then OpenID Connect discovery; returns the jwks_uri. */
async function discoverJwks(issuer: string): Promise<string> {
  const u = new URL(issuer);
  const path = u.pathname.replace(/\/$/, "");
  const candidates = [
    `${u.origin}/.well-known/oauth-authorization-server${path}`,
    `${u.origin}${path}/.well-known/openid-configuration`,
  ];
  for (const url of candidates) {
    let doc: Record<string, unknown> | undefined;
    try {
      doc = await fetchJson(url);
    } catch (err) {
      throw new IssuerUnavailable(
        `the authorization server's metadata (${url}) could not be fetched: ${err}`,
      );
    }
    if (!doc) continue;
    if (doc.issuer !== issuer)
      throw new IssuerUnavailable(`${url} names issuer ${String(doc.issuer)}, not the configured ${issuer}`);
    if (typeof doc.jwks_uri !== "string") throw new IssuerUnavailable(`${url} has no jwks_uri`);
    return doc.jwks_uri;
  }
  throw new IssuerUnavailable(
    `${issuer} publishes no authorization server metadata; set oauth.jwksUri (--oauth-jwks-uri)`,
  );
}

export interface OAuth {
  /** Where the protected resource metadata is served: path-aware (RFC 9728 §3.1) and root. */
  metadataPaths: string[];
  metadata: Record<string, unknown>;
  /** The scope that grants `mode`. */
  scopeFor(mode: Mode): string;
  verify(token: string): Promise<Grant>;
  /** The `WWW-Authenticate` value for a 401 or 403. */
  challenge(r?: { error: string; description: string; scope?: string }): string;
}

const quote = (s: string) => `"${s.replace(/["\\]/g, "")}"`;

type Jose = typeof import("jose");
type KeySet = ReturnType<Jose["createRemoteJWKSet"]>;

/** The issuer's signing keys, found (discovery or oauth.jwksUri) on first use; one lookup at a time. */
function signingKeys(o: OAuthConfig, jose: Jose, log: Logger): () => Promise<KeySet> {
  let keys: KeySet | undefined;
  let keysPending: Promise<KeySet> | undefined;
  return () => {
    if (keys) return Promise.resolve(keys);
    keysPending ??= (async () => {
      const uri = o.jwksUri ?? (await discoverJwks(o.issuer));
      log.info("oauth signing keys", { issuer: o.issuer, jwksUri: uri });
      keys = jose.createRemoteJWKSet(new URL(uri), { timeoutDuration: 5000, cooldownDuration: 30_000 });
      return keys;
    })().finally(() => {
      keysPending = undefined;
    });
    return keysPending;
  };
}

/** Why a token did not verify, said so the caller knows what to do: its fault (401) or the issuer's (503). */
function explain(
  err: unknown,
  errors: Jose["errors"],
  resource: string,
  issuer: string,
): Rejected | IssuerUnavailable {
  if (err instanceof IssuerUnavailable) return err;
  const bad = (m: string) => new Rejected(m, 401, "invalid_token");
  if (err instanceof errors.JWTExpired) return bad("The access token has expired; get a new one.");
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "aud")
      return bad(
        `The access token was issued for another audience; request one for ${resource} (RFC 8707 resource parameter).`,
      );
    if (err.claim === "iss") return bad(`The access token was not issued by ${issuer}.`);
    return bad(`The access token's "${err.claim}" claim is not acceptable: ${err.reason}.`);
  }
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid)
    return new IssuerUnavailable(`the issuer's signing keys could not be fetched: ${err.message}`);
  if (err instanceof errors.JWKSNoMatchingKey)
    return bad(`The access token is signed with a key ${issuer} does not publish.`);
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return bad("The access token's signature does not verify.");
  if (err instanceof errors.JOSEAlgNotAllowed)
    return bad("The access token is signed with an algorithm kube-mcp does not accept.");
  if (err instanceof errors.JOSEError && /JSON Web Key Set/.test(err.message))
    return new IssuerUnavailable(`the issuer's signing keys could not be fetched: ${err.message}`);
  if (err instanceof errors.JOSEError) return bad("The access token is not a valid JWT access token.");
  if (err instanceof TypeError || (err as { name?: string }).name === "TimeoutError")
    return new IssuerUnavailable(`the issuer's signing keys could not be fetched: ${String(err)}`);
  return bad("The access token could not be verified.");
}

/** A verified token's claims as a grant: its scopes' mode (403 with none of ours), client and identity. */
export function grantOf(token: string, payload: Record<string, unknown>, o: OAuthConfig): Grant {
  const scopes = scopesOf(payload);
  const mode = modeFromScopes(scopes, o.scopes);
  if (!mode)
    throw new Rejected(
      `The access token carries none of kube-mcp's scopes (${o.scopes.read}, ${o.scopes.write}, ${o.scopes.admin}).`,
      403,
      "insufficient_scope",
    );
  const clientId = String(payload.client_id ?? payload.azp ?? payload.sub ?? "unknown");
  return {
    token,
    subject: String(payload.sub ?? clientId),
    clientId,
    scopes,
    mode,
    expiresAt: Number(payload.exp),
    ...identityOf(payload, o),
  };
}

/** `resource` is this endpoint's canonical URL (no fragment, no trailing slash). */
export async function createOAuth(o: OAuthConfig, resource: string, log: Logger): Promise<OAuth> {
  const jose = await import("jose");
  const r = new URL(resource);
  const metadataUrl = `${r.origin}/.well-known/oauth-protected-resource${r.pathname === "/" ? "" : r.pathname}`;
  const audience = o.audience ?? [resource];
  const jwks = signingKeys(o, jose, log);
  return {
    metadataPaths: [new URL(metadataUrl).pathname, "/.well-known/oauth-protected-resource"],
    metadata: {
      resource,
      authorization_servers: [o.issuer],
      scopes_supported: [o.scopes.read, o.scopes.write, o.scopes.admin],
      bearer_methods_supported: ["header"],
      resource_name: "kube-mcp",
    },
    scopeFor: (mode) => o.scopes[BY_MODE[mode]],
    async verify(token) {
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jose.jwtVerify(token, await jwks(), {
          issuer: o.issuer,
          audience,
          algorithms: ALGORITHMS,
          clockTolerance: o.clockSkewSeconds,
          requiredClaims: ["exp"],
        }));
      } catch (err) {
        throw explain(err, jose.errors, resource, o.issuer);
      }
      return grantOf(token, payload, o);
    },
    challenge(e) {
      const parts = [`resource_metadata=${quote(metadataUrl)}`];
      if (e) parts.unshift(`error=${quote(e.error)}`, `error_description=${quote(e.description)}`);
      parts.push(`scope=${quote(e?.scope ?? o.scopes.read)}`);
      return `Bearer ${parts.join(", ")}`;
    },
  };
}

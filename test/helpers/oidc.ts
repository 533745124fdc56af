// A real OAuth 2.1 authorization server on loopback for the OAuth tests: oidc-provider (a certified
// OpenID Provider implementation) with client-credentials clients, RFC 8707 resource indicators and
// JWT access tokens. Each client may ask for the scopes listed here, and no others.
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import Provider from "oidc-provider";

export const SCOPES = ["kube-mcp:read", "kube-mcp:write", "kube-mcp:admin"] as const;

export interface TestClient {
  id: string;
  secret: string;
  scope: string;
  /** Access token lifetime in seconds (default 300). */
  ttl?: number;
  /** Extra claims in its access tokens (a person's email and groups). */
  claims?: Record<string, unknown>;
}

export const CLIENTS: TestClient[] = [
  { id: "reader", secret: "reader-secret-0123456789", scope: "kube-mcp:read" },
  { id: "writer", secret: "writer-secret-0123456789", scope: "kube-mcp:read kube-mcp:write" },
  { id: "admin", secret: "admin-secret-01234567890", scope: SCOPES.join(" ") },
  { id: "unscoped", secret: "unscoped-secret-0123456", scope: "" },
  { id: "brief", secret: "brief-secret-01234567890", scope: "kube-mcp:read", ttl: 1 },
  {
    id: "person",
    secret: "person-secret-0123456789",
    scope: SCOPES.join(" "),
    claims: { email: "carol@example.com", groups: ["imp-readers", "everyone"] },
  },
];

export interface AuthServer {
  issuer: string;
  /** A token straight from the token endpoint (client credentials), for tests that send it by hand. */
  token(client: TestClient, opts: { resource: string; scope?: string }): Promise<string>;
  close(): Promise<void>;
}

export async function startAuthServer(): Promise<AuthServer> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: "ES256", use: "sig", kid: "test-es256" };
  const ttl = new Map(CLIENTS.map((c) => [c.id, c.ttl ?? 300]));
  // The issuer URL needs the port, so listen first and hand the provider's callback to the server after.
  const { createServer } = await import("node:http");
  let callback: ((req: unknown, res: unknown) => void) | undefined;
  const server = createServer((req, res) => callback?.(req, res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: CLIENTS.map((c) => ({
      client_id: c.id,
      client_secret: c.secret,
      grant_types: ["client_credentials"],
      redirect_uris: [],
      response_types: [],
      ...(c.scope ? { scope: c.scope } : {}),
      id_token_signed_response_alg: "ES256",
    })),
    scopes: ["openid", ...SCOPES],
    jwks: { keys: [jwk] },
    extraTokenClaims: async (_ctx, token) =>
      CLIENTS.find((c) => c.id === (token as { clientId?: string }).clientId)?.claims,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resource, client) => ({
          scope: SCOPES.join(" "),
          audience: resource,
          accessTokenTTL: ttl.get(client.clientId) ?? 300,
          accessTokenFormat: "jwt",
          jwt: { sign: { alg: "ES256" } },
        }),
      },
    },
  });
  callback = provider.callback() as (req: unknown, res: unknown) => void;
  return {
    issuer,
    async token(client, { resource, scope }) {
      const res = await fetch(`${issuer}/token`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString("base64")}`,
        },
        body: new URLSearchParams({
          grant_type: "client_credentials",
          resource,
          ...(scope ? { scope } : {}),
        }),
      });
      const body = (await res.json()) as { access_token?: string; error?: string };
      if (!body.access_token) throw new Error(`token request failed: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

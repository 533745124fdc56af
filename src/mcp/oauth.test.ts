import { describe, expect, it } from "vitest";
import { ConfigSchema } from "../config/schema.js";
import { grantOf, identityOf, type OAuthConfig, Rejected } from "./oauth.js";

const claims = { userClaims: ["email", "sub"], groupsClaim: "groups" };

describe("identityOf (OAuth claims)", () => {
  it("takes the user from the first claim present and the groups from the groups claim", () => {
    expect(identityOf({ sub: "u1", email: "a@x.io", groups: ["g1", "g2"] }, claims)).toEqual({
      user: "a@x.io",
      groups: ["g1", "g2"],
    });
    expect(identityOf({ sub: "u1", groups: "solo" }, claims)).toEqual({ user: "u1", groups: ["solo"] });
  });

  it("says which claims were missing, rather than falling back to kube-mcp", () => {
    expect(identityOf({ sub: "u1" }, { userClaims: ["upn"], groupsClaim: "groups" })).toEqual({
      groups: [],
      missing: "the access token has none of the user claims upn",
    });
    expect(identityOf({ email: "bad\nname" }, claims).missing).toMatch(/not a printable ASCII name/);
  });

  it("never lets a token name a system: user or group", () => {
    expect(identityOf({ email: "system:admin" }, claims).missing).toMatch(/reserved system: user/);
    expect(identityOf({ email: "a@x.io", groups: ["system:masters", "dev"] }, claims).groups).toEqual([
      "dev",
    ]);
  });
});

describe("grantOf (a verified token's claims)", () => {
  const o = ConfigSchema.parse({ http: { oauth: { issuer: "https://issuer.example" } } }).http
    .oauth as OAuthConfig;

  it("takes the broadest mode its scopes allow, and the client from client_id, azp or sub", () => {
    const g = grantOf("t", { sub: "s1", azp: "cli", scope: `${o.scopes.read} ${o.scopes.write}`, exp: 9 }, o);
    expect(g).toMatchObject({ subject: "s1", clientId: "cli", mode: "non-destructive", expiresAt: 9 });
    expect(grantOf("t", { sub: "s1", scp: [o.scopes.admin] }, o).mode).toBe("full");
  });

  it("refuses a token with none of kube-mcp's scopes with 403 insufficient_scope", () => {
    const refused = (() => {
      try {
        grantOf("t", { sub: "s1", scope: "openid" }, o);
      } catch (err) {
        return err;
      }
    })();
    expect(refused).toBeInstanceOf(Rejected);
    expect(refused).toMatchObject({ status: 403, error: "insufficient_scope" });
  });
});

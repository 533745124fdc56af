import { describe, expect, it } from "vitest";
import { identityOf } from "./oauth.js";

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

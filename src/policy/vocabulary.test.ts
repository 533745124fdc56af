// The credential vocabulary, one row per spelling: env vars, flags, camelCase CRD fields, headers,
// describe labels and table columns, and the ordinary names that must stay readable.
import { describe, expect, it } from "vitest";
import { cpuMs } from "./testdata/cpu.js";
import { isCredentialFlag, isCredentialName, words } from "./vocabulary.js";

const credentials = [
  // weak terms as whole words
  "DB_PWD",
  "PASSCODE",
  "JWT",
  "jwt_signing",
  "HMAC",
  "hmacKey",
  "pepper",
  "BASICAUTH",
  "--db-pw",
  "ADMIN_PW",
  "dbPass",
  "pass",
  "pwd",
  "PWD",
  "creds",
  "cred",
  "dsn",
  "SENTRY_DSN",
  "auth",
  "basicAuth",
  "session_cookie",
  "PASSWORD_SALT",
  "salt",
  // strong terms, also inside words
  "credentials",
  "awsCredentials",
  "passphrase",
  "token",
  "authToken",
  "X-Auth-Token",
  "GITHUB_TOKEN",
  "oauth2Token",
  "passwd",
  "PGPASSWORD",
  "mysqlRootPassword",
  "MYSQL_ROOT_PASSWORD",
  "password2",
  "clientSecret",
  "client_secret",
  "SESSION_SECRET",
  "apikey",
  "APIKEY",
  "privatekey",
  "masterkey",
  "passwordless",
  // key as the last word of a longer name
  "masterKey",
  "privateKey",
  "private_key",
  "private-key",
  "apiKey",
  "API_KEY",
  "x-api-key",
  "X-Api-Key",
  "secretAccessKey",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_ACCESS_KEY_ID",
  "client-key-data",
  "signingKey",
  "SIGNING_KEY",
  "encryptionKey",
  "sshKey",
  "SSH_KEYS",
  "tls.key",
  "licenseKey",
  "s3Key",
  "Master Key",
  "Secret Access Key",
  // lowercase compounds
  "rootpw",
  "adminpass",
  "dbpwd",
  "oldpwd",
  "userpassword",
  // explicit pairs
  "DATABASE_URL",
  "databaseUrl",
  "DB_URI",
  "connectionString",
  "CONNECTION_STRING",
  "conn_str",
  "connstr",
  "ConnectionStrings__Default",
  // flags and paths
  "--password",
  "--db-password",
  "auth.rootPassword",
  "postgresql.auth.password",
  "vault_secret_id",
];

const ordinary = [
  "HOME",
  "PATH",
  "PORT",
  "HOSTNAME",
  "LOG_LEVEL",
  "FEATURE_FLAGS",
  "UPSTREAM_URL",
  "postgresql.conf",
  "bypass",
  "BYPASS_CACHE",
  "compass",
  "keyboard",
  "monkey",
  "passport",
  "turkey",
  "authentication",
  "sessionAffinity",
  "LAST SEEN",
  "NAME",
  // decided: a bare key is a reference (secretKeyRef.key, selector and toleration keys)
  "key",
  "keys",
  "KEY_ID",
  "topologyKey",
  "publicKey",
  "public_key",
  "sortKey",
  "matchLabelKeys",
  "partitionKey",
  // decided: words about the credential, not the credential
  "KEY_COUNT",
  "secretName",
  "SecretName",
  "secretKeyRef",
  "passwordSecretRef",
  "tokenTTL",
  "TOKEN_URL",
  "AUTH_URL",
  "tokenExpirationSeconds",
  "TokenExpirationSeconds",
  "PASSWORD_FILE",
  "password_min_length",
  "token_type",
  "cookieDomain",
  "existingSecret",
  "existingSecretPasswordKey",
  "MAX_TOKENS",
  "tokenizer_model",
  "Image Pull Secrets",
  "automountServiceAccountToken",
  "client_id",
  "",
  "-",
];

describe("isCredentialName", () => {
  it.each(credentials)("%s is a credential", (name) => expect(isCredentialName(name)).toBe(true));
  it.each(ordinary)("%s is not", (name) => expect(isCredentialName(name)).toBe(false));

  it("splits names into lowercase words the same way in every spelling", () => {
    const spellings = [
      "AWS_SECRET_ACCESS_KEY",
      "awsSecretAccessKey",
      "aws-secret-access-key",
      "Aws Secret Access Key",
    ];
    for (const s of spellings) expect(words(s)).toEqual(["aws", "secret", "access", "key"]);
    expect(words("APIKey")).toEqual(["api", "key"]);
    expect(words("--db-pw")).toEqual(["db", "pw"]);
    expect(words("tls.key")).toEqual(["tls", "key"]);
  });

  it("stays fast on long names", () => {
    const start = cpuMs();
    for (let i = 0; i < 1000; i++) isCredentialName(`${"aB".repeat(10_000)}_KEY`);
    expect(cpuMs() - start).toBeLessThan(2000);
  });
});

describe("isCredentialFlag", () => {
  it("names flags whose next argument is a credential", () => {
    for (const f of ["--db-pw", "-token", "--password", "--api-key", "--client-secret"])
      expect(isCredentialFlag(f), f).toBe(true);
    for (const f of ["--db-pw=x", "--port", "db-pw", "-", "--", "--token-ttl"])
      expect(isCredentialFlag(f), f).toBe(false);
  });
});

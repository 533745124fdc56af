// The credential vocabulary: which names (env vars, ConfigMap keys, values keys, flags, headers, log
// keys, describe labels, table columns) hold secrets. Every redactor asks isCredentialName, so a new
// spelling is taught here once.
//
// A name is split into lowercase words (on _ - . / spaces, camelCase and letter/digit boundaries:
// `AWS_SECRET_ACCESS_KEY`, `secretAccessKey`, `Secret Access Key` and `--secret-access-key` are all
// "secret access key"), then decided by words:
// - STRONG terms count inside any word (`PGPASSWORD`, `mysqlrootpassword`, `xapikey`), except in the
//   few ordinary words that contain them (`tokenizer`);
// - WEAK terms count only as a whole word (`DB_PWD`, `--db-pw`, `dbPass`, `creds`, `dsn`, `salt`), or
//   as the end of a lowercase compound where no ordinary word ends that way (`rootpw`, `adminpass`,
//   `oldpwd`, but not `bypass` or `compass`);
// - `key`/`keys` count as the last word of a longer name (`apiKey`, `tls.key`, `signingKey`,
//   `AWS_ACCESS_KEY_ID` through `access key`), unless the word before names a kind of lookup key
//   (`topologyKey`, `publicKey`, `sortKey`). A bare `key` is not a credential: Kubernetes uses it for
//   references (`secretKeyRef.key`, selector and toleration keys);
// - a name that ends in a word about the credential rather than the credential itself is not one:
//   `secretName`, `secretKeyRef`, `tokenTTL`, `PASSWORD_FILE` (a path), `KEY_COUNT`, `TOKEN_URL`;
//   nor one that starts with `existing` (a chart's `existingSecret` names a Secret) or a quantity
//   word (`MAX_TOKENS`, `min_password_length`);
// - explicit pairs: `DATABASE_URL`/`DB_URI`/`DSN_URL`, `connection string(s)`/`conn_str`.
// Over-matching masks a harmless value; under-matching leaks one, so doubtful words stay credentials.

const STRONG = [
  "password",
  "passwd",
  "passphrase",
  "secret",
  "token",
  "credential",
  "apikey",
  "privatekey",
  "masterkey",
  "accesskey",
  "secretkey",
  "connectionstring",
  "connstr",
];
/** Ordinary words that contain a strong term. */
const INNOCENT = new Set(["tokenizer", "tokenizers", "tokenize", "tokenized", "tokenization", "secretary"]);
const WEAK = new Set([
  "pw",
  "pwd",
  "pass",
  "passcode",
  "cred",
  "creds",
  "auth",
  "dsn",
  "salt",
  "pepper",
  "cookie",
  "cookies",
  "jwt",
  "hmac",
  "basicauth",
]);
/** Lowercase compounds ending in a weak term that are ordinary words. */
const COMPOUND_EXCEPTIONS = new Set([
  "bypass",
  "compass",
  "encompass",
  "overpass",
  "underpass",
  "trespass",
  "surpass",
  "multipass",
  "onepass",
  "twopass",
  "singlepass",
  "firstpass",
]);
const COMPOUND_SUFFIX = /^[a-z]{2,24}(?:pwd|pw|pass|passwd|password)$/;
/** Words before `key` that make it a lookup key, not a secret. */
const LOOKUP_KEY = new Set([
  "public",
  "topology",
  "label",
  "labels",
  "sort",
  "partition",
  "primary",
  "foreign",
  "cache",
  "routing",
  "idempotency",
  "shard",
  "group",
  "lookup",
  "object",
  "metric",
  "map",
  "index",
  "unique",
  "composite",
  "dedup",
  "match",
  "node",
  "annotation",
  "field",
  "column",
  "row",
  "message",
  "record",
]);
/** Last words that describe a credential (where it is, how long it lives) rather than hold it. */
const ABOUT = new Set([
  "name",
  "names",
  "ref",
  "refs",
  "reference",
  "namespace",
  "path",
  "file",
  "dir",
  "mount",
  "length",
  "len",
  "size",
  "count",
  "ttl",
  "expiry",
  "expires",
  "expiration",
  "lifetime",
  "age",
  "policy",
  "type",
  "kind",
  "enabled",
  "enable",
  "disabled",
  "required",
  "optional",
  "header",
  "field",
  "selector",
  "url",
  "uri",
  "endpoint",
  "format",
  "version",
  "mode",
  "provider",
  "rotation",
  "interval",
  "period",
  "timeout",
  "seconds",
  "duration",
  "template",
  "audience",
  "issuer",
  "domain",
  "secure",
  "samesite",
  "site",
  "rounds",
  "algorithm",
  "alg",
  "store",
]);
const QUANTITY = new Set(["existing", "max", "min", "num", "number", "total"]);
/** Trailing words that name a form of the credential: `AWS_ACCESS_KEY_ID`, `client-key-data`. */
const FORM = new Set(["id", "data", "value", "b64", "base64", "pem", "der", "hex", "str", "string", "raw"]);
/** Whole names that read like credentials but hold references or switches. */
const NOT_CREDENTIAL = new Set(["image pull secrets", "automount service account token"]);

/** The lowercase words of a name; digits separate words too (`oauth2Token` → oauth token). */
export function words(name: string): string[] {
  return name
    .slice(0, 256)
    .replace(/([a-z\d])([A-Z])/g, "$1 $2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean);
}

/** True when an env var, ConfigMap key, flag, header or similar name suggests that its value is a credential. */
export function isCredentialName(name: string): boolean {
  const w = words(name);
  const phrase = ` ${w.join(" ")} `;
  if (NOT_CREDENTIAL.has(phrase.trim())) return false;
  if (/ (?:database|db|dsn) ur[il] $| conn(?:ection)? str(?:ings?)? /.test(phrase)) return true;
  while (w.length > 1 && FORM.has(w.at(-1) as string)) w.pop();
  const last = w.at(-1);
  if (last === undefined) return false;
  if (w.length > 1 && (ABOUT.has(last) || QUANTITY.has(w[0] as string))) return false;
  return w.some((word, i) => {
    if (word === "key" || word === "keys")
      return i === w.length - 1 && i > 0 && !LOOKUP_KEY.has(w[i - 1] as string);
    if (WEAK.has(word)) return true;
    if (INNOCENT.has(word)) return false;
    if (STRONG.some((s) => word.includes(s))) return true;
    return COMPOUND_SUFFIX.test(word) && !COMPOUND_EXCEPTIONS.has(word);
  });
}

/** A flag given alone whose value is the next argument (`--db-pw`, `-token`), naming a credential. */
export function isCredentialFlag(arg: string): boolean {
  return /^--?[A-Za-z][\w.-]{0,63}$/.test(arg) && isCredentialName(arg);
}

// The credential vocabulary: which names (env vars, ConfigMap keys, values keys, flags) hold secrets.
const CREDENTIAL_NAME =
  /pass(word)?|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth|session|cookie|signing|salt|dsn|conn(ection)?[_-]?str|database_url|(^|[_.-])key$/i;

/** True when an env var, ConfigMap key or similar name suggests that its value is a credential. */
export function isCredentialName(name: string): boolean {
  return CREDENTIAL_NAME.test(name);
}

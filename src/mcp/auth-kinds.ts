import type { Config } from "../config/schema.js";

/** How HTTP callers authenticate, for the startup log line: "api-key", "api-keys", "oauth", several, or "none". */
export function authKinds(config: Readonly<Config>): string {
  const kinds = [
    config.http.apiKey ? "api-key" : "",
    config.http.apiKeys.length ? "api-keys" : "",
    config.http.oauth ? "oauth" : "",
  ].filter(Boolean);
  return kinds.join("+") || "none";
}

// The package version: injected by the bundler (scripts/build.ts), read from package.json when running
// from source (tests, tsx).
import { readFileSync } from "node:fs";

declare const __KUBE_MCP_VERSION__: string | undefined;

let cached: string | undefined;
export function version(): string {
  cached ??=
    typeof __KUBE_MCP_VERSION__ === "string"
      ? __KUBE_MCP_VERSION__
      : (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string })
          .version;
  return cached;
}

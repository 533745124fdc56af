// Checks shared by the CLI grammars: names, namespaces, output formats, durations.
import { namespaceProblem } from "../kube/names.js";
import type { Check } from "./grammar.js";

export const checkNamespace: Check = (v) =>
  namespaceProblem(v) === undefined ? undefined : "not a valid namespace name";

/**
 * -o / --output: tables and whole-object formats. Entries ending in "=" (kubectl's "jsonpath=" and
 * "custom-columns=") admit a template: kube-mcp renders those itself, on redacted objects. Template
 * files and go-templates are refused: their output cannot be redacted.
 */
export const outputFormats =
  (...allowed: string[]): Check =>
  (v) => {
    if (allowed.includes(v)) return undefined;
    if (allowed.some((a) => a.endsWith("=") && v.startsWith(a) && v.length > a.length)) return undefined;
    const format = v.split("=")[0] ?? "";
    if (/template|jsonpath|custom-columns|-file$/.test(format)) {
      return `extracting output formats such as "${format}" are refused here because their output cannot be redacted; use ${
        allowed
          .filter((a) => a.endsWith("="))
          .map((a) => `-o ${a}TEMPLATE`)
          .join(" or ") || "-o json"
      }, or -o json with the filter's jq step`;
    }
    return `output format "${v}" is not allowed; use one of: ${allowed.map((a) => (a.endsWith("=") ? `${a}…` : a || "(default)")).join(", ")}`;
  };

export const maxNumber =
  (max: number): Check =>
  (v) => {
    const n = Number(v);
    return Number.isInteger(n) && n >= -1 && n <= max ? undefined : `must be a whole number up to ${max}`;
  };

/** Resource arguments: TYPE, TYPE/NAME, TYPE1,TYPE2, NAME, RBAC-style names with ':', and key=value / key- pairs. */
const RESOURCE_ARG = /^[A-Za-z0-9][A-Za-z0-9._:/,@=+-]*$/;
export function checkResourceArgs(args: string[]): string | undefined {
  const bad = args.find((a) => !RESOURCE_ARG.test(a) || a.length > 253);
  return bad === undefined ? undefined : `"${bad}" is not a valid resource type or name`;
}

/** Bounded time values like 30s, 5m, 1h (and 0 for "no timeout" is refused: the tool has a deadline). */
export const duration: Check = (v) =>
  /^\d+(\.\d+)?(ms|s|m|h)$/.test(v) ? undefined : 'must be a duration like "30s", "5m" or "1h"';

const UNIT_S: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** Go durations (`30s`, `5m`, `1m30s`), above zero and at most `maxSeconds`: every run has a deadline. */
export const goDuration =
  (maxSeconds = 600): Check =>
  (v) => {
    const parts = [...v.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
    if (!parts.length || parts.map((p) => p[0]).join("") !== v)
      return 'must be a duration like "30s", "5m" or "1m30s"';
    const seconds = parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_S[p[2] as string] ?? 0), 0);
    return seconds > 0 && seconds <= maxSeconds
      ? undefined
      : `must be above 0 and at most ${maxSeconds / 60}m`;
  };

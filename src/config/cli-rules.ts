// The operator's extra refusals for the CLI passthrough, in the rule-file format of k8s-mcp-server
// (`K8S_MCP_SECURITY_CONFIG`): per binary, `dangerous_commands` (command prefixes refused),
// `safe_patterns` (prefixes exempted from those, and from nothing else) and `regex_rules` (a pattern
// and the message a match is refused with). They only ever add refusals: whatever kube-mcp's own
// grammar and mode refuse stays refused, so a "safe" pattern can never allow more.
import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { compileRegex, type Matcher } from "../format/regex.js";

export interface CliRuleSet {
  dangerous: string[];
  safe: string[];
  regex: { pattern: string; message: string }[];
}

export type CliRules = Record<string, CliRuleSet>;

export class CliRulesError extends Error {}

const BINARIES = ["kubectl", "helm", "istioctl", "argocd"];

const strings = (v: unknown, where: string): string[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string"))
    throw new CliRulesError(`${where} must be a list of command strings`);
  return v as string[];
};

function perBinary(section: unknown, name: string): Record<string, unknown> {
  if (section === undefined || section === null) return {};
  if (typeof section !== "object" || Array.isArray(section))
    throw new CliRulesError(`${name} must map a binary (${BINARIES.join(", ")}) to its rules`);
  const unknown = Object.keys(section).filter((b) => !BINARIES.includes(b));
  if (unknown.length)
    throw new CliRulesError(
      `${name}: unknown binary ${unknown.join(", ")} (kube-mcp runs ${BINARIES.join(", ")})`,
    );
  return section as Record<string, unknown>;
}

/** Reads and checks a rule file; a YAML error names its line, a bad rule its place. */
export function loadCliRules(path: string): CliRules {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new CliRulesError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  const doc = parseDocument(text);
  const bad = doc.errors[0];
  if (bad)
    throw new CliRulesError(
      `${path} line ${(bad.linePos?.[0].line ?? 0) || "?"}: ${bad.message.split("\n")[0]}`,
    );
  return parseCliRules(doc.toJS(), path);
}

export function parseCliRules(data: unknown, path = "the rule file"): CliRules {
  if (data === null || data === undefined) return {};
  if (typeof data !== "object" || Array.isArray(data))
    throw new CliRulesError(`${path} must hold dangerous_commands, safe_patterns and regex_rules`);
  const d = data as Record<string, unknown>;
  const dangerous = perBinary(d.dangerous_commands, "dangerous_commands");
  const safe = perBinary(d.safe_patterns, "safe_patterns");
  const regex = perBinary(d.regex_rules, "regex_rules");
  const rules: CliRules = {};
  for (const b of BINARIES) {
    const set: CliRuleSet = {
      dangerous: strings(dangerous[b], `dangerous_commands.${b}`),
      safe: strings(safe[b], `safe_patterns.${b}`),
      regex: [],
    };
    const rs = regex[b] ?? [];
    if (!Array.isArray(rs))
      throw new CliRulesError(`regex_rules.${b} must be a list of {pattern, description}`);
    rs.forEach((r: unknown, i) => {
      const rule = r as { pattern?: unknown; description?: unknown; error_message?: unknown };
      if (typeof rule?.pattern !== "string")
        throw new CliRulesError(`regex_rules.${b}[${i}] needs a pattern`);
      compiled(rule.pattern, `regex_rules.${b}[${i}]`);
      set.regex.push({
        pattern: rule.pattern,
        message:
          typeof rule.error_message === "string"
            ? rule.error_message
            : `Command matches restricted pattern: ${rule.pattern}`,
      });
    });
    if (set.dangerous.length || set.safe.length || set.regex.length) rules[b] = set;
  }
  return rules;
}

const cache = new Map<string, Matcher>();

function compiled(pattern: string, where: string): Matcher {
  let m = cache.get(pattern);
  if (!m) {
    try {
      m = compileRegex(pattern);
    } catch (err) {
      throw new CliRulesError(
        `${where}: the pattern ${JSON.stringify(pattern)} cannot be used: ${(err as Error).message}`,
      );
    }
    cache.set(pattern, m);
  }
  return m;
}

/**
 * What a rule file says about a command, checked on the command as typed and as kube-mcp parsed it
 * (binary, command path, then the rest), so `kubectl -n x delete pod y` meets a `kubectl delete` rule.
 */
export function cliRuleRefusal(
  rules: CliRules | undefined,
  binary: string,
  argv: readonly string[],
  path: readonly string[],
): string | undefined {
  const set = rules?.[binary];
  if (!set) return undefined;
  const typed = [binary, ...argv].join(" ");
  const pathSet = new Set(path);
  const parsed = [binary, ...path, ...argv.filter((a) => !pathSet.has(a))].join(" ");
  const forms = [typed, parsed];
  for (const r of set.regex)
    if (forms.some((f) => compiled(r.pattern, "regex_rules")(f)))
      return `${r.message} (the operator's rule file: regex_rules)`;
  // Plain prefixes, as the format has always matched them.
  const hit = set.dangerous.find((d) => forms.some((f) => f.startsWith(d)));
  if (hit && !set.safe.some((s) => forms.some((f) => f.startsWith(s))))
    return `This command (${hit}) is restricted by the operator's rule file (dangerous_commands).`;
  return undefined;
}

/** Start-up notes: what the file adds, and that its safe patterns widen nothing. */
export function describeCliRules(rules: CliRules): string[] {
  const notes: string[] = [];
  for (const [b, set] of Object.entries(rules)) {
    notes.push(
      `CLI rule file: ${b}: ${set.dangerous.length} dangerous command(s) and ${set.regex.length} regex rule(s) refused on top of kube-mcp's own rules`,
    );
    const exempting = set.safe.filter((s) => set.dangerous.some((d) => s.startsWith(d)));
    const widening = set.safe.filter((s) => !exempting.includes(s));
    if (widening.length)
      notes.push(
        `CLI rule file: ${b}: safe_patterns ${widening.map((s) => JSON.stringify(s)).join(", ")} exempt from no dangerous command; safe patterns never allow what kube-mcp's mode refuses, so these change nothing`,
      );
  }
  return notes;
}

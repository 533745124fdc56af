import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliRuleRefusal, describeCliRules, loadCliRules, parseCliRules } from "./cli-rules.js";
import { loadConfig } from "./load.js";

const dir = mkdtempSync(join(tmpdir(), "kube-mcp-cli-rules-"));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const RULES = `
dangerous_commands:
  kubectl:
    - "kubectl delete"
    - "kubectl scale"
safe_patterns:
  kubectl:
    - "kubectl delete pod"
    - "kubectl exec -it"
regex_rules:
  kubectl:
    - pattern: "get\\\\s+secrets?\\\\b"
      description: "no Secret listings"
      error_message: "Listing Secrets is not allowed here: ask the platform team."
    - pattern: "--all-namespaces|\\\\s-A\\\\b"
      description: "one namespace at a time"
`;

describe("CLI rule files (k8s-mcp-server's format)", () => {
  const rules = loadCliRules(file("rules.yaml", RULES));
  const refusal = (argv: string[], path: string[]) => cliRuleRefusal(rules, "kubectl", argv, path);

  it("refuses a dangerous prefix unless a safe pattern exempts it", () => {
    expect(refusal(["delete", "deploy", "web"], ["delete"])).toMatch(
      /This command \(kubectl delete\) is restricted by the operator's rule file/,
    );
    expect(refusal(["delete", "pod", "web-0"], ["delete"])).toBeUndefined();
    expect(refusal(["scale", "deploy/web", "--replicas=2"], ["scale"])).toMatch(/kubectl scale/);
  });

  it("matches the command as kube-mcp parsed it too (flags before the verb)", () => {
    expect(refusal(["-n", "shop", "delete", "deploy", "web"], ["delete"])).toMatch(/kubectl delete/);
  });

  it("refuses a regex match with its own message, or a default one", () => {
    expect(refusal(["get", "secrets", "-n", "shop"], ["get"])).toBe(
      "Listing Secrets is not allowed here: ask the platform team. (the operator's rule file: regex_rules)",
    );
    expect(refusal(["get", "pods", "-A"], ["get"])).toMatch(/Command matches restricted pattern/);
    expect(refusal(["get", "pods", "-n", "shop"], ["get"])).toBeUndefined();
    expect(cliRuleRefusal(rules, "helm", ["list"], ["list"])).toBeUndefined();
  });

  it("reports at start-up what it adds, and safe patterns that exempt nothing", () => {
    const notes = describeCliRules(rules);
    expect(notes[0]).toMatch(/kubectl: 2 dangerous command\(s\) and 2 regex rule\(s\) refused on top/);
    expect(notes[1]).toMatch(/"kubectl exec -it" exempt from no dangerous command; .*never allow/);
  });

  it("stops start-up on a file that does not parse (with its line), a bad rule or a bad pattern", () => {
    expect(() => loadCliRules(file("bad.yaml", "dangerous_commands:\n  kubectl: [\n  - x\n"))).toThrow(
      /line \d/,
    );
    expect(() => parseCliRules({ dangerous_commands: { oc: ["oc delete"] } })).toThrow(/unknown binary oc/);
    expect(() => parseCliRules({ regex_rules: { kubectl: [{ description: "x" }] } })).toThrow(
      /needs a pattern/,
    );
    expect(() => parseCliRules({ regex_rules: { kubectl: [{ pattern: "(a)\\1" }] } })).toThrow(
      /regex_rules\.kubectl\[0\]: the pattern/,
    );
  });

  it("is read by the configuration from K8S_MCP_SECURITY_CONFIG or --cli-rules", () => {
    const path = file("via-env.yaml", RULES);
    const viaPeer = loadConfig([], { K8S_MCP_SECURITY_CONFIG: path }, "non-destructive");
    expect(viaPeer.config.cli.ruleSet?.kubectl?.dangerous).toEqual(["kubectl delete", "kubectl scale"]);
    expect(viaPeer.warnings.join("\n")).toMatch(/CLI rule file: kubectl/);
    const viaFlag = loadConfig(["--cli-rules", path], {}, "non-destructive");
    expect(viaFlag.config.cli.ruleSet?.kubectl?.regex).toHaveLength(2);
    expect(() => loadConfig(["--cli-rules", file("broken.yaml", "a: [")], {}, "non-destructive")).toThrow(
      /CLI rule file: .*broken\.yaml line/,
    );
  });
});

// CLI output goes through the same redaction as the typed tools, decided from the command that ran:
// JSON and YAML are parsed and redacted structurally (Secrets, last-applied, env literals, Helm
// values); describe text gets its Environment blocks masked. Structured output that cannot be parsed
// (e.g. cut by the byte cap) is withheld: base64 Secret data would slip past any regex.
import { parseAllDocuments, stringify } from "yaml";
import { redactObject } from "../policy/redact.js";
import { redactDescribeEnv } from "../policy/redact-text.js";
import { isCredentialName } from "../policy/vocabulary.js";
import type { Parsed } from "./grammar.js";
import { customColumns, renderTemplate } from "./jsonpath.js";

export class Withheld extends Error {}

type Kind = "json" | "yaml" | "describe" | "helm-values" | "text" | "jsonpath" | "custom-columns";

/** The template of `-o jsonpath=T` / `-o custom-columns=SPEC`, which kube-mcp renders itself. */
export function templateOf(p: Parsed): { kind: "jsonpath" | "custom-columns"; template: string } | undefined {
  const o = p.flags.filter((f) => f.name === "output").at(-1)?.value ?? "";
  const m = /^(jsonpath|custom-columns)=(.*)$/s.exec(o);
  return m
    ? { kind: m[1] as "jsonpath" | "custom-columns", template: (m[2] as string).replace(/^'(.*)'$/s, "$1") }
    : undefined;
}

export function outputKind(binary: string, p: Parsed): Kind {
  const o = p.flags.filter((f) => f.name === "output").at(-1)?.value;
  const t = binary === "kubectl" ? templateOf(p) : undefined;
  if (t) return t.kind;
  if (binary === "helm" && p.path[0] === "get" && p.path[1] === "values")
    return o === "json" ? "json" : "helm-values";
  if (binary === "helm" && p.path[0] === "get" && ["manifest", "hooks", "all"].includes(p.path[1] ?? ""))
    return "yaml";
  if (o === "json") return "json";
  if (o === "yaml") return "yaml";
  if (binary === "kubectl" && p.path[0] === "describe") return "describe";
  return "text";
}

function maskValues(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(maskValues);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [
        k,
        isCredentialName(k) && (typeof x === "string" || typeof x === "number")
          ? "<redacted>"
          : maskValues(x),
      ]),
    );
  }
  return v;
}

export function redactOutput(text: string, kind: Kind, reveal: boolean, template = ""): string {
  if (!text.trim() || kind === "text") return text;
  if (kind === "jsonpath" || kind === "custom-columns") {
    let clean: unknown;
    try {
      clean = redactObject(JSON.parse(text), { revealSecretValues: reveal });
    } catch {
      throw new Withheld(
        "the output could not be parsed for redaction (was it cut by the size cap?), so it is withheld; narrow the request.",
      );
    }
    try {
      return kind === "jsonpath" ? renderTemplate(template, clean) : customColumns(template, clean);
    } catch (err) {
      throw new Withheld(`the ${kind} template could not be rendered: ${(err as Error).message}`);
    }
  }
  if (kind === "describe") return redactDescribeEnv(text);
  // `helm get values` prints a heading line ("USER-SUPPLIED VALUES:") before the YAML.
  const heading = kind === "helm-values" ? (/^[A-Z][A-Z -]*:\n/.exec(text)?.[0] ?? "") : "";
  if (heading) return heading + redactOutput(text.slice(heading.length), kind, reveal);
  try {
    if (kind === "json")
      return JSON.stringify(redactObject(JSON.parse(text), { revealSecretValues: reveal }), null, 2);
    const docs = parseAllDocuments(text);
    if (docs.some((d) => d.errors.length)) throw new Error("invalid YAML");
    const clean = docs.map((d) => {
      const obj = d.toJS() as unknown;
      return kind === "helm-values" ? maskValues(obj) : redactObject(obj, { revealSecretValues: reveal });
    });
    return clean.map((o) => stringify(o, { lineWidth: 0 }).trimEnd()).join("\n---\n");
  } catch {
    throw new Withheld(
      `the ${kind === "helm-values" ? "values" : kind.toUpperCase()} output could not be parsed for redaction (was it cut by the size cap?), so it is withheld; narrow the request (a namespace, a selector, one object).`,
    );
  }
}

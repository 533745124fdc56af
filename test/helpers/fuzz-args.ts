// Tool arguments for fuzzing, generated from a tool's own JSON input schema (as tools/list gives it):
// mostly valid values drawn from the test bed's vocabulary, so calls reach the API servers, and hostile
// mutations of them (wrong types, huge strings, deep objects, Unicode tricks, boundary numbers, missing
// and unknown fields). Seeded: the same seed gives the same calls, so a failure reproduces.

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export interface Schema {
  type?: string;
  enum?: Json[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  minimum?: number;
  maximum?: number;
}

/** mulberry32: a few lines, good enough to spread inputs, and reproducible from one number. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Words that mean something on the bed, by field name, so valid calls find real objects. */
const WORDS: Record<string, Json[]> = {
  kind: ["pods", "deploy", "deployment", "svc", "configmaps", "secrets", "nodes", "widgets", "events", "ns"],
  namespace: ["shop", "data", "ops", "kube-system", "default", "missing-ns"],
  name: ["web", "api", "db", "stuck-pending", "node-agent", "kube-system", "db-credentials", "nope"],
  cluster: ["alpha", "beta", "*", ["alpha", "beta"], "gamma"],
  labelSelector: ["app=web", "tier!=cache", "env in (prod,staging)", "app"],
  fieldSelector: ["status.phase=Running", "metadata.name=web"],
  container: ["web", "sidecar", "main"],
  since: ["10m", "1h", "5s"],
  sinceTime: ["2026-01-01T00:00:00Z"],
  filter: ["error", "grep -i err | head -5", "(a+)+$"],
  verb: ["get", "list", "create", "delete", "escalate"],
  subresource: ["log", "exec", "scale"],
  field: ["spec.replicas", "spec.template.spec.containers"],
  contains: ["pod", "widget"],
  group: ["", "apps", "demo.kube-mcp.io"],
  command: ["get pods -A", "get ns kube-system -o name", "version --client", "list -A"],
};
const ARGV: string[][] = [
  ["get", "pods", "-n", "shop"],
  ["get", "ns"],
  ["describe", "deploy", "web", "-n", "shop"],
  ["get", "secrets", "-A", "-o", "yaml"],
  ["logs", "-n", "shop", "deploy/web", "--tail", "3"],
  ["list", "-A"],
  ["exec", "-n", "shop", "deploy/web", "--", "id"],
  ["get", "pods", "-w"],
];

const UNICODE = [
  "\u202eweb", // right-to-left override
  "w\u200beb", // zero-width space
  "аlpha", // Cyrillic а
  "web\u0000", // NUL
  "\ud800", // lone surrogate
  "e\u0301\u0301\u0301", // stacked combining marks
  "ｗｅｂ", // fullwidth
  "line\u2028break",
  "🙂".repeat(50),
  "../../etc/passwd",
  "%2e%2e%2f",
  "*",
  "",
  " ",
  "{{.}}",
  "$(id)",
  "`id`",
  "a\nb: c",
];
const BOUNDARY = [0, -0, -1, 1, 1.5, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 53 + 1, 1e308, -1e308, 5e-324];

export interface FuzzCall {
  args: Record<string, Json>;
  /** What was done to the valid arguments, for a failure's message. */
  how: string;
}

export class ArgFuzzer {
  private readonly rand: () => number;
  constructor(seed: number) {
    this.rand = prng(seed);
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)] as T;
  }

  private chance(p: number): boolean {
    return this.rand() < p;
  }

  /** A value the schema accepts (as far as JSON Schema says; the tools may still refuse it). */
  valid(s: Schema, field = ""): Json {
    if (s.enum) return this.pick(s.enum);
    if (s.anyOf) return this.valid(this.pick(s.anyOf), field);
    switch (s.type) {
      case "object": {
        const out: Record<string, Json> = {};
        for (const [k, v] of Object.entries(s.properties ?? {}))
          if (s.required?.includes(k) || this.chance(0.4)) out[k] = this.valid(v, k);
        return out;
      }
      case "array":
        if (field === "args") return [...this.pick(ARGV)];
        return Array.from({ length: 1 + Math.floor(this.rand() * 3) }, () =>
          this.valid(s.items ?? { type: "string" }, field),
        );
      case "integer":
      case "number": {
        const lo = s.minimum ?? 0;
        const hi = Math.min(s.maximum ?? 1000, lo + 1000);
        return lo + Math.floor(this.rand() * (hi - lo + 1));
      }
      case "boolean":
        return this.chance(0.5);
      default: {
        const words = WORDS[field];
        if (field === "cluster") return this.pick((WORDS.cluster ?? []).filter((w) => typeof w === "string"));
        return words ? this.pick(words) : this.pick(["web", "x", "default"]);
      }
    }
  }

  /** A value of the wrong kind, or an extreme of the right kind. */
  hostile(s: Schema | undefined): Json {
    switch (Math.floor(this.rand() * 9)) {
      case 0:
        return this.pick<Json>([null, true, 42, "str", [], {}, [1, "2", null]]);
      case 1:
        return "x".repeat(this.pick([1000, 70_000, 1_000_000]));
      case 2:
        return deep(this.pick([50, 500, 2000]), this.chance(0.5));
      case 3:
        return this.pick(UNICODE);
      case 4: {
        if (s?.minimum !== undefined || s?.maximum !== undefined)
          return this.pick([
            (s.minimum ?? 0) - 1,
            (s.maximum ?? 0) + 1,
            s.minimum ?? 0,
            s.maximum ?? 0,
            ...BOUNDARY,
          ]);
        return this.pick(BOUNDARY);
      }
      case 5:
        return Array.from({ length: this.pick([0, 200, 10_000]) }, (_, i) => `item-${i}`);
      case 6:
        return JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}');
      case 7:
        return s?.enum ? `${String(this.pick(s.enum))} ` : this.pick(UNICODE).repeat(300);
      default:
        return String(this.pick(BOUNDARY));
    }
  }

  /** Valid arguments for `schema`, then (mostly) one to three hostile changes. */
  next(schema: Schema): FuzzCall {
    const args = this.valid({ ...schema, type: "object" }) as Record<string, Json>;
    const props = Object.keys(schema.properties ?? {});
    if (this.chance(0.2)) return { args, how: "valid" };
    const how: string[] = [];
    for (let n = 1 + Math.floor(this.rand() * 3); n > 0; n--) {
      const r = this.rand();
      if (r < 0.7 && props.length) {
        const k = this.pick(props);
        set(args, k, this.hostile(schema.properties?.[k]));
        how.push(`${k}=${describe(args[k])}`);
      } else if (r < 0.8 && schema.required?.length) {
        const k = this.pick(schema.required);
        delete args[k];
        how.push(`without ${k}`);
      } else {
        const k = this.pick(["__proto__", "constructor", "x".repeat(300), "cluster ", "\u0000", "kind"]);
        set(args, k, this.hostile(undefined));
        how.push(`extra ${JSON.stringify(k.slice(0, 20))}=${describe(args[k])}`);
      }
    }
    return { args, how: how.join(", ") };
  }
}

/** An own property even for "__proto__", so the key itself goes over the wire. */
function set(o: Record<string, Json>, k: string, v: Json): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** Nested arrays or objects `depth` levels down. */
function deep(depth: number, arrays: boolean): Json {
  let v: Json = "bottom";
  for (let i = 0; i < depth; i++) v = arrays ? [v] : { a: v };
  return v;
}

function describe(v: Json | undefined): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? "undefined";
  } catch {
    s = "(too deep to print)";
  }
  return s.length > 60 ? `${s.slice(0, 40)}…(${s.length} chars)` : s;
}

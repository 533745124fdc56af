// The `filter` parameter as the pipeline a user would have typed after `|`: "grep -i error | sort |
// uniq -c | head 20". Parsed into the in-process steps of filter.ts; nothing is executed. Quote
// arguments that hold spaces or |, e.g. jq -r '.items[] | .metadata.name'.
import { FilterError, FilterStep } from "./filter.js";
import { TokenizeError, tokenize } from "./tokenize.js";

export const PIPELINE_HELP =
  "grep [-v -i -F] PATTERN | head/tail [-n] N | sort [-n -r -u -k N] | uniq [-c] | wc [-l -w -c] | cut -f LIST [-d D] | jq [-r] QUERY";

/** Splits on unquoted `|`. */
function segments(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === "\\" && quote === '"' && i + 1 < text.length) cur += c + text[++i];
      else {
        if (c === quote) quote = undefined;
        cur += c;
      }
    } else if (c === "'" || c === '"') {
      quote = c;
      cur += c;
    } else if (c === "|") {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  if (quote) throw new FilterError(`unbalanced ${quote} quote in filter`);
  out.push(cur);
  return out;
}

/** Short options, bundled or not: "-vi" → ["v", "i"]; values are taken by `valued` letters. */
function options(words: string[], valued: string): { opts: Map<string, string>; rest: string[] } {
  const opts = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (!/^-[a-zA-Z]/.test(w) || rest.length) {
      rest.push(w);
      continue;
    }
    for (let j = 1; j < w.length; j++) {
      const c = w[j] as string;
      if (valued.includes(c)) {
        opts.set(c, w.slice(j + 1) || (words[++i] ?? ""));
        break;
      }
      opts.set(c, "true");
    }
  }
  return { opts, rest };
}

function step(words: string[]): unknown {
  const [cmd, ...args] = words;
  const count = (v: string | undefined, dflt: number) => (v === undefined ? dflt : Number(v));
  switch (cmd) {
    case "grep": {
      const { opts, rest } = options(args, "e");
      return {
        op: "grep",
        pattern: opts.get("e") ?? rest[0],
        invert: opts.has("v"),
        ignoreCase: opts.has("i"),
        fixed: opts.has("F"),
      };
    }
    case "head":
    case "tail": {
      const dash = args.find((a) => /^-\d+$/.test(a));
      const { opts, rest } = options(
        args.filter((a) => a !== dash),
        "n",
      );
      return { op: cmd, lines: dash ? Number(dash.slice(1)) : count(opts.get("n") ?? rest[0], 10) };
    }
    case "sort": {
      const { opts } = options(args, "k");
      const key = opts.get("k");
      return {
        op: "sort",
        numeric: opts.has("n") || opts.has("h"),
        reverse: opts.has("r"),
        unique: opts.has("u"),
        ...(key ? { key: Number.parseInt(key, 10) } : {}),
      };
    }
    case "uniq":
      return { op: "uniq", count: options(args, "").opts.has("c") };
    case "wc": {
      const { opts } = options(args, "");
      return { op: "wc", what: opts.has("w") ? "words" : opts.has("c") ? "bytes" : "lines" };
    }
    case "cut": {
      const { opts } = options(args, "fd");
      return { op: "cut", fields: opts.get("f"), ...(opts.has("d") ? { delimiter: opts.get("d") } : {}) };
    }
    case "jq": {
      const { opts, rest } = options(args, "");
      return { op: "jq", query: rest.join(" ") || ".", raw: opts.has("r") };
    }
    default:
      throw new FilterError(`"${cmd ?? ""}" is not a filter command. Supported: ${PIPELINE_HELP}.`);
  }
}

export function parsePipeline(text: string): FilterStep[] {
  const parts = segments(text);
  if (parts.length > 10) throw new FilterError("at most 10 filter steps");
  return parts.map((part, n) => {
    let words: string[];
    try {
      words = tokenize(part);
    } catch (err) {
      const why = err instanceof TokenizeError ? err.message.split(".")[0] : String(err);
      throw new FilterError(
        `filter step ${n + 1} ("${part.trim()}"): ${why}; quote arguments that hold special characters.`,
      );
    }
    if (!words.length) throw new FilterError(`filter step ${n + 1} is empty`);
    const parsed = FilterStep.safeParse(step(words));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new FilterError(
        `filter step ${n + 1} ("${part.trim()}"): ${issue?.path.join(".") || "step"} ${issue?.message ?? "is invalid"}. Supported: ${PIPELINE_HELP}.`,
      );
    }
    return parsed.data;
  });
}

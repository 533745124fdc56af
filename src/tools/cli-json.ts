// Reading what a pinned CLI prints as JSON (live objects, dry-run plans, releases, histories): the one
// helper kubectl's and helm's write paths share, so a failed or unreadable answer is met in one place.
import { ToolError } from "../errors.js";
import type { Obj } from "../policy/guard.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the binary pinned to the call's cluster (cli-run.ts) and returns what it printed. */
export type Cli = (argv: string[]) => Promise<CliResult>;

/**
 * Runs `argv` and reads its output with `parse` (JSON.parse by default). A non-zero exit is for
 * `failed` to answer: with a value (nothing found) or by throwing a ToolError that says what to do.
 */
export async function cliJson<T>(
  cli: Cli,
  argv: string[],
  o: {
    failed(r: CliResult): T | Promise<T>;
    /** The command as the unreadable-output sentence names it, e.g. "helm history". */
    what: string;
    parse?(text: string): T;
  },
): Promise<T> {
  const r = await cli(argv);
  if (r.code !== 0) return o.failed(r);
  try {
    return o.parse ? o.parse(r.stdout) : (JSON.parse(r.stdout) as T);
  } catch {
    throw new ToolError(`${o.what} printed output kube-mcp could not read as JSON; nothing was changed.`);
  }
}

/** kubectl prints one JSON document per object (several objects: one after the other, not a List). */
export function jsonDocuments(text: string): Obj[] {
  const out: Obj[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{") {
      if (depth++ === 0) start = i;
    } else if (ch === "}" && --depth === 0) {
      const doc = JSON.parse(text.slice(start, i + 1)) as Obj;
      out.push(...(Array.isArray(doc.items) && /List$/.test(doc.kind ?? "") ? doc.items : [doc]));
    }
  }
  return out;
}

// The README's tool table, generated from the definitions (`npm run docs` writes it; a test checks it).

import { DEFAULT_TOOLSETS, type Toolset } from "../policy/toolset-catalogue.js";
import type { CliSpec } from "./cli-specs.js";
import type { AnyTool } from "./define.js";

const set = (s: Toolset) => (DEFAULT_TOOLSETS.includes(s) ? `${s} (default)` : s);
// A renamed tool's old name stays callable for a release; the table is where a reader learns it.
const named = (t: AnyTool) => [`\`${t.name}\``, ...(t.aliases ?? []).map((a) => `(was \`${a}\`)`)].join(" ");

export function toolsTable(tools: AnyTool[], cli: CliSpec[] = []): string {
  const rows = tools.map(
    (t) =>
      `| ${named(t)} | ${set(t.toolset)} | ${t.safety} | ${t.description.split(". ")[0]?.replace(/\.$/, "")}. |`,
  );
  const cliRows = cli.map(
    (c) => `| \`${c.grammar.binary}\` | ${set(c.toolset)} | follows the mode | ${c.summary("full")} |`,
  );
  return ["| Tool | Toolset | Safety | What it does |", "|---|---|---|---|", ...rows, ...cliRows].join("\n");
}

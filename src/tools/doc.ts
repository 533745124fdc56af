// The README's tool table, generated from the definitions (`npm run docs` writes it; a test checks it).
import type { AnyTool } from "./define.js";
import type { CliToolSpec } from "./passthrough.js";

export function toolsTable(tools: AnyTool[], cli: CliToolSpec[] = []): string {
  const rows = tools.map(
    (t) => `| \`${t.name}\` | ${t.safety} | ${t.description.split(". ")[0]?.replace(/\.$/, "")}. |`,
  );
  const cliRows = cli.map(
    (c) => `| \`${c.grammar.binary}\` | follows the mode | ${c.summary("read-only")} |`,
  );
  return ["| Tool | Safety | What it does |", "|---|---|---|", ...rows, ...cliRows].join("\n");
}

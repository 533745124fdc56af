// The README's tool table, generated from the definitions (`npm run docs` writes it; a test checks it).
import type { AnyTool } from "./define.js";

export function toolsTable(tools: AnyTool[]): string {
  const rows = tools.map(
    (t) => `| \`${t.name}\` | ${t.safety} | ${t.description.split(". ")[0]?.replace(/\.$/, "")}. |`,
  );
  return ["| Tool | Safety | What it does |", "|---|---|---|", ...rows].join("\n");
}

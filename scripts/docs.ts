// `npm run docs`: regenerate the tool table and the "Coming from …" tables in README.md between their markers.
import { readFileSync, writeFileSync } from "node:fs";
import { compatTables } from "../src/config/compat.js";
import { CLI_SPECS, typedCliTools } from "../src/tools/cli.js";
import { toolsTable } from "../src/tools/doc.js";
import { ALL_TOOLS } from "../src/tools/index.js";

const file = new URL("../README.md", import.meta.url);
let readme = readFileSync(file, "utf8");
for (const [name, text] of [
  ["tools", toolsTable([...ALL_TOOLS, ...typedCliTools("non-destructive")], CLI_SPECS)],
  ["compat", compatTables()],
] as const) {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = readme.indexOf(start);
  const j = readme.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README.md needs ${start} and ${end} markers`);
  readme = `${readme.slice(0, i + start.length)}\n${text}\n${readme.slice(j)}`;
}
writeFileSync(file, readme);

// `npm run docs`: regenerate the tool table in README.md between its markers.
import { readFileSync, writeFileSync } from "node:fs";
import { CLI_SPECS } from "../src/tools/cli.js";
import { toolsTable } from "../src/tools/doc.js";
import { ALL_TOOLS } from "../src/tools/index.js";

const file = new URL("../README.md", import.meta.url);
const readme = readFileSync(file, "utf8");
const start = "<!-- tools:start -->";
const end = "<!-- tools:end -->";
const i = readme.indexOf(start);
const j = readme.indexOf(end);
if (i < 0 || j < i) throw new Error(`README.md needs ${start} and ${end} markers`);
writeFileSync(
  file,
  `${readme.slice(0, i + start.length)}\n${toolsTable(ALL_TOOLS, CLI_SPECS)}\n${readme.slice(j)}`,
);

// `npm run docs`: regenerate what is written from the code, between markers: README.md's tool table and
// "Coming from …" tables, docs/configuration.md's reference table, and the `config` part of each chart's
// values.schema.json (all from the config schema, so none of them can drift from it).
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { withChartConfig } from "../src/config/chart-schema.js";
import { compatTables } from "../src/config/compat.js";
import { configTable } from "../src/config/doc.js";
import { CLI_SPECS, typedCliTools } from "../src/tools/cli.js";
import { toolsTable } from "../src/tools/doc.js";
import { ALL_TOOLS } from "../src/tools/index.js";

function between(path: string, sections: [string, string][]): void {
  const file = new URL(`../${path}`, import.meta.url);
  let text = readFileSync(file, "utf8");
  for (const [name, body] of sections) {
    const start = `<!-- ${name}:start -->`;
    const end = `<!-- ${name}:end -->`;
    const i = text.indexOf(start);
    const j = text.indexOf(end);
    if (i < 0 || j < i) throw new Error(`${path} needs ${start} and ${end} markers`);
    text = `${text.slice(0, i + start.length)}\n${body}\n${text.slice(j)}`;
  }
  writeFileSync(file, text);
}

between("README.md", [
  ["tools", toolsTable([...ALL_TOOLS, ...typedCliTools("non-destructive")], CLI_SPECS)],
  ["compat", compatTables()],
]);
between("docs/configuration.md", [["config", configTable()]]);
for (const chart of readdirSync(new URL("../charts/", import.meta.url))) {
  const file = new URL(`../charts/${chart}/values.schema.json`, import.meta.url);
  writeFileSync(file, withChartConfig(chart, readFileSync(file, "utf8")));
}

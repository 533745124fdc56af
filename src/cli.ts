#!/usr/bin/env node
// argv → role. Each role is imported lazily so `--help` and `--version` load nothing heavy.
import { setFlagsFromString } from "node:v8";
import { version } from "./version.js";

// Regexes come from the model (log and output filters): let V8 fall back to its linear-time engine
// when one backtracks excessively, instead of hanging the process.
setFlagsFromString("--enable-experimental-regexp-engine-on-excessive-backtracks");

type Role = { summary: string; load: () => Promise<{ run: (argv: string[]) => Promise<number> }> };

const roles: Record<string, Role> = {
  serve: {
    summary: "MCP server over stdio or streamable HTTP for local clusters",
    load: () => import("./serve/index.js"),
  },
  hub: { summary: "one MCP endpoint for a fleet of agents", load: () => import("./hub/index.js") },
  agent: { summary: "in-cluster agent that dials out to a hub", load: () => import("./agent/index.js") },
};

function usage(): string {
  const lines = Object.entries(roles).map(([name, r]) => `  ${name.padEnd(8)}${r.summary}`);
  return [
    "Usage: kube-mcp [command] [options]",
    "",
    "Kubernetes MCP server for AI assistants.",
    "",
    "Commands:",
    ...lines,
    "",
    "With no command, `serve` runs.",
    "",
    "Options:",
    "  -h, --help     show help (also: kube-mcp <command> --help)",
    "  -v, --version  print the version",
    "",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === "--version" || first === "-v") {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (first === "--help" || first === "-h" || first === "help") {
    process.stdout.write(usage());
    return 0;
  }
  const isRole = first !== undefined && Object.hasOwn(roles, first);
  if (first !== undefined && !first.startsWith("-") && !isRole) {
    process.stderr.write(
      `kube-mcp: unknown command "${first}". Commands: ${Object.keys(roles).join(", ")}.\n`,
    );
    return 2;
  }
  const name = isRole ? (first as string) : "serve";
  const role = roles[name] as Role;
  const mod = await role.load();
  return mod.run(isRole ? rest : argv);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`kube-mcp: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);

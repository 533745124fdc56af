// `kube-mcp serve`: placeholder until its issue lands; it already honours --help so the CLI surface is stable.
export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write("Usage: kube-mcp serve [options]\n\nNot implemented yet.\n");
    return 0;
  }
  process.stderr.write("kube-mcp serve: not implemented yet\n");
  return 1;
}

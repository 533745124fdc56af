// `kube-mcp agent`: placeholder until its issue lands; it already honours --help so the CLI surface is stable.
export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write("Usage: kube-mcp agent [options]\n\nNot implemented yet.\n");
    return 0;
  }
  process.stderr.write("kube-mcp agent: not implemented yet\n");
  return 1;
}

// cli_help: the installed CLI's own help for one command path (`kubectl create deployment`, `helm
// upgrade`), compacted. It goes through the passthrough exactly as `<binary> <path> --help` would: the
// grammar must know the path (so no plugin binary runs), the output is redacted and fenced, and it is
// allowed in every mode (help reads nothing and changes nothing). What it adds is the trimming: examples only on request, no global-flags trailer.
import * as z from "zod";
import { ToolError } from "../errors.js";
import { cliTools } from "./cli.js";
import { TextOutput } from "./cluster-tool.js";
import { defineTool } from "./define.js";

const BINARIES = ["kubectl", "helm", "istioctl", "argocd"] as const;

/** Drops what a model rarely needs from cobra help: the examples (unless asked) and pointer lines. */
export function compactHelp(text: string, examples: boolean): string {
  const out: string[] = [];
  let skipping = false;
  for (const line of text.split("\n")) {
    if (/^[A-Z][A-Za-z ]*:\s*$/.test(line)) skipping = !examples && /^Examples:/.test(line);
    if (skipping || /^Use "\S+ (options|\[command\] --help|<command> --help)"/.test(line)) continue;
    if (line.trim() === "" && out.at(-1)?.trim() === "") continue;
    out.push(line.replace(/\s+$/, ""));
  }
  return out.join("\n");
}

export const cliHelp = defineTool({
  name: "cli_help",
  toolset: "inspect",
  title: "CLI help",
  description:
    "The installed kubectl, helm, istioctl or argocd's help for a command path, compact: usage, flags, subcommands.",
  safety: "read",
  input: z.object({
    binary: z.enum(BINARIES),
    command: z.string().max(200).default("").describe('e.g. "create deployment"; empty: the top level'),
    examples: z.boolean().default(false),
    cluster: z.string().min(1).max(253).optional().describe("Whose host runs it (hub: that cluster's agent)"),
  }),
  output: TextOutput.partial(),
  async handle(args, env) {
    const cli = cliTools("read-only", env.config).find((t) => t.name === args.binary);
    if (!cli || cli.installed?.() === false)
      throw new ToolError(
        `${args.binary} is not installed on the kube-mcp host.`,
        `Installed: ${installed(env)}.`,
      );
    const command = `${args.command} --help`.trim();
    const answer = await cli.handle(cli.input.parse({ command, cluster: args.cluster }), env);
    const data = answer.data as Partial<TextOutput>;
    const results = data.results?.map((r) => ({ ...r, text: compactHelp(r.text, args.examples) }));
    return { ...answer, text: compactHelp(answer.text, args.examples), data: { ...data, results } };
  },
});

const installed = (env: Parameters<typeof cliHelp.handle>[1]) =>
  cliTools("read-only", env.config)
    .filter((t) => (BINARIES as readonly string[]).includes(t.name) && t.installed?.() !== false)
    .map((t) => t.name)
    .join(", ");

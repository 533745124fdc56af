// The `toolsets` tool: progressive discovery. Its description names what is not listed yet, so any
// capability is one call away; enabling a toolset lists its tools for the rest of the session.
import * as z from "zod";
import { ToolError } from "../errors.js";
import { TOOLSET_NAMES, type Toolset } from "../policy/toolset-catalogue.js";
import { type AnyTool, defineTool, type SessionTools } from "./define.js";

// Built once: over HTTP a server (and this tool, whose description varies) is built for every request.
const Input = z.object({ enable: z.array(z.enum(TOOLSET_NAMES)).min(1).describe("Toolsets to list") });
const Output = z.object({ enabled: z.array(z.string()) });

export function toolsetsTool(offered: Map<Toolset, string[]>): AnyTool {
  const more = [...offered].map(([set, tools]) => `${set} (${tools.join(", ")})`).join("; ");
  return defineTool({
    name: "toolsets",
    toolset: "core",
    title: "Enable more tools",
    description: `More tools, not listed to save context: ${more}. Enable a toolset to list its tools.`,
    safety: "read",
    idempotent: true,
    input: Input,
    output: Output,
    async handle(args, env) {
      const session: SessionTools | undefined = env.session;
      if (!session) throw new ToolError("This server's tool list is fixed.");
      const offered = session.offered();
      const absent = args.enable.filter((s) => !offered.has(s));
      const added = session.enable(args.enable);
      const notes = absent.length
        ? [`Already listed or not available in this server's mode: ${absent.join(", ")}.`]
        : [];
      const text = added.length
        ? `Listed now: ${added.join(", ")}. If they are not in your tool list yet, refresh it (tools/list).`
        : "Nothing new to list.";
      return { text: [text, ...notes].join("\n"), data: { enabled: added } };
    },
  });
}

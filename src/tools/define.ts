// The Tool type. A tool is one object: name, title, description, input schema, output schema, safety
// class and handler. Registration is a list; MCP annotations are derived from `safety` in src/mcp/.
import type * as z from "zod";
import type { Config } from "../config/schema.js";
import type { PortForwards } from "../kube/portforward.js";
import type { Logger } from "../obs/log.js";
import type { Safety } from "../policy/modes.js";
import type { Toolset } from "../policy/toolset-catalogue.js";
import type { Cluster, Clusters } from "../targets/clusters.js";
import type { CallCtx } from "./cluster-tool.js";

export type Progress = (done: number, total: number, message: string) => void;

/** What every handler receives besides its arguments. */
export interface ToolEnv {
  config: Readonly<Config>;
  clusters: Clusters;
  signal: AbortSignal;
  progress: Progress;
  log: Logger;
  /** The process's port-forward sessions (they outlive the call that starts them). */
  forwards: PortForwards;
  /** The session's tool listing, for the tool that enables more toolsets. */
  session?: SessionTools;
}

/** What a session lets a tool do to its own listing. */
export interface SessionTools {
  /** Toolsets not listed yet, each with the tools it would add. */
  offered(): Map<Toolset, string[]>;
  /** Lists these toolsets' tools; returns the tools added. */
  enable(toolsets: readonly Toolset[]): string[];
}

/** A handler's answer: text for the model and the same content as structured data. */
export interface Answer<O> {
  text: string;
  data: O;
  isError?: boolean;
  /** Only a Secret revealed under an explicit revealSecrets policy: skips the regex backstop. */
  revealed?: boolean;
}

export interface Tool<I extends z.ZodObject = z.ZodObject, O = unknown> {
  name: string;
  /**
   * Names this tool had before a rename, kept for one release so clients, operators' tool lists and
   * older hubs keep working: callable and accepted in tools.allow/deny, never listed.
   */
  aliases?: readonly string[];
  title: string;
  description: string;
  input: I;
  output: z.ZodType<O>;
  safety: Safety;
  /** The group it is listed and enabled with (src/policy/toolset-catalogue.ts). */
  toolset: Toolset;
  /** For tools that need something the machine may lack (a CLI binary): listed only while it is there. */
  installed?(): boolean;
  /** Whether repeating a call with the same arguments changes nothing more. Default: true for read tools only. */
  idempotent?: boolean;
  /**
   * For destructive tools: the question a person is asked before the call runs (where the client can
   * ask), or false when these arguments need none. Default: the tool and its arguments.
   */
  confirm?(args: Record<string, unknown>): string | false;
  handle(args: z.infer<I>, env: ToolEnv): Promise<Answer<O>>;
  /**
   * Cluster tools only: the one-cluster core (arguments without `cluster`), which an agent runs for a
   * hub and whose data the hub merges exactly as a local fan-out.
   */
  perCluster?: PerCluster;
}

export interface PerCluster {
  input: z.ZodObject;
  /**
   * The class a cluster's mode is checked against before the core runs. The CLI passthrough
   * advertises the mode's broadest class but is gated per command by its validator: it says "read".
   */
  safety: Safety;
  // biome-ignore lint/suspicious/noExplicitAny: each tool's own argument type, erased in the registry.
  run(args: any, cluster: Cluster, ctx: CallCtx): Promise<unknown>;
}

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of tools erases each one's types.
export type AnyTool = Tool<any, any>;

export function defineTool<I extends z.ZodObject, O>(tool: Tool<I, O>): Tool<I, O> {
  return tool;
}

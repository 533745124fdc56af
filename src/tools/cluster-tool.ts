// The multi-cluster mutator: a cluster tool is written for ONE cluster; this adds the `cluster`
// parameter, applies per-cluster policy, fans out, and merges the per-cluster data into one answer.
import * as z from "zod";
import type { Config } from "../config/schema.js";
import { ToolError } from "../errors.js";
import { cutText, cutTextTail } from "../format/budget.js";
import { fenceUntrusted } from "../format/fence.js";
import { renderTable } from "../format/table.js";
import type { WriteCtx } from "../kube/plan.js";
import type { Logger } from "../obs/log.js";
import { KnownSecrets } from "../policy/known.js";
import type { Safety } from "../policy/modes.js";
import { permits } from "../policy/modes.js";
import type { Toolset } from "../policy/toolset-catalogue.js";
import { allowedRules, type Cluster, guardPolicy } from "../targets/clusters.js";
import { fanOut, type Settled } from "../targets/fanout.js";
import { defineTool, type Tool } from "./define.js";

export const clusterParam = z
  .union([z.string().min(1), z.array(z.string().min(1)).max(100)])
  .optional()
  .describe('Name, names, or "*" for all');

export interface TableData {
  columns: string[];
  rows: string[][];
  /** Items that matched, when known (may exceed rows shown). */
  total?: number;
  continue?: string;
  notes?: string[];
  /** The sentence to show when there are no rows, e.g. "No pods in namespace shop." */
  empty: string;
  /** Where the cells came from, for the fence's label (every table is fenced); default: the tool's name. */
  untrusted?: string;
}

export interface TextData {
  text: string;
  notes?: string[];
  /** Where the text came from, for the fence's label (every text is fenced); default: the tool's name. */
  untrusted?: string;
  /** Keep the end of the text when it must be cut (logs: the newest lines matter most). */
  tail?: boolean;
  /** A Secret shown with its values because the cluster's policy says revealSecrets. */
  revealed?: boolean;
}

export interface RunCtx {
  signal: AbortSignal;
  config: Readonly<Config>;
  log: Logger;
  /** Rows this cluster may contribute, so a page never exceeds the answer's row budget. */
  rowLimit: number;
  /** Progress of long work inside one cluster; reported only when the call targets one cluster. */
  progress: (done: number, total: number, message: string) => void;
  /** Values redaction removed from what this call read; masked wherever they reappear in its answer. */
  secrets: KnownSecrets;
}

/** What a caller (the fan-out here, or an agent for its hub) passes; the secrets are per call, made below. */
export type CallCtx = Omit<RunCtx, "secrets">;

/** What a guarded write (src/kube/plan.ts) needs from a tool call on one cluster. */
export const writeCtx = (cluster: Cluster, ctx: RunCtx): WriteCtx => ({
  policy: guardPolicy(cluster),
  secrets: ctx.secrets,
  signal: ctx.signal,
});

type Run<A, D> = (args: A, cluster: Cluster, ctx: RunCtx) => Promise<D>;

/**
 * A tool's one-cluster core with its output edge: every value redaction removed during the call is
 * masked in the data it returns and in the error it throws (an API server's message may quote one).
 */
function masked<A, D>(run: Run<A, D>): (args: A, cluster: Cluster, ctx: CallCtx) => Promise<D> {
  return async (args, cluster, ctx) => {
    const secrets = new KnownSecrets();
    try {
      return secrets.maskDeep(await run(args, cluster, { ...ctx, secrets }));
    } catch (err) {
      if (!secrets.size) throw err;
      if (err instanceof ToolError)
        throw new ToolError(
          secrets.mask(err.message),
          err.hint === undefined ? undefined : secrets.mask(err.hint),
        );
      if (err instanceof Error) err.message = secrets.mask(err.message);
      throw err;
    }
  };
}

const status = z.object({
  cluster: z.string(),
  ok: z.boolean(),
  error: z.string().optional(),
  rows: z.number().optional(),
  total: z.number().optional(),
  continue: z.string().optional(),
});

export const TableOutput = z.object({
  columns: z.array(z.string()),
  rows: z.array(z.array(z.string())),
  clusters: z.array(status),
  truncated: z.boolean(),
  notes: z.array(z.string()),
});
export type TableOutput = z.infer<typeof TableOutput>;

export const TextOutput = z.object({
  results: z.array(z.object({ cluster: z.string(), text: z.string() })),
  clusters: z.array(status.pick({ cluster: true, ok: true, error: true })),
  truncated: z.boolean(),
  notes: z.array(z.string()),
});
export type TextOutput = z.infer<typeof TextOutput>;

interface Def<I extends z.ZodObject, D> {
  name: string;
  aliases?: readonly string[];
  title: string;
  description: string;
  input: I;
  safety: Safety;
  toolset: Toolset;
  idempotent?: boolean;
  confirm?(args: Record<string, unknown>): string | false;
  run(args: z.infer<I>, cluster: Cluster, ctx: RunCtx): Promise<D>;
}

function statusOf<D extends TableData | TextData>(s: Settled<D>): z.infer<typeof status> {
  const t = s.value && "rows" in s.value ? (s.value as TableData) : undefined;
  return {
    cluster: s.cluster.name,
    ok: !s.error,
    ...(s.error ? { error: s.hint ? `${s.error} ${s.hint}` : s.error } : {}),
    ...(t
      ? {
          rows: t.rows.length,
          ...(t.total !== undefined ? { total: t.total } : {}),
          ...(t.continue ? { continue: t.continue } : {}),
        }
      : {}),
  };
}

function failureNotes(settled: Settled<unknown>[]): string[] {
  return settled
    .filter((s) => s.error)
    .map((s) => `Cluster ${s.cluster.name} failed: ${s.error}${s.hint ? ` ${s.hint}` : ""}`);
}

/** What an agent (or another replica) must send back: the same data a local run returns. */
const TableShape = z.object({
  columns: z.array(z.string()),
  rows: z.array(z.array(z.string())),
  total: z.number().optional(),
  continue: z.string().optional(),
  notes: z.array(z.string()).optional(),
  empty: z.string(),
  untrusted: z.string().optional(),
});
const TextShape = z.object({
  text: z.string(),
  notes: z.array(z.string()).optional(),
  untrusted: z.string().optional(),
  tail: z.boolean().optional(),
  revealed: z.boolean().optional(),
});

/** Remote data is checked before it is merged: a malformed answer fails its cluster, not the whole call. */
function readable<D>(shape: z.ZodType, data: unknown, cluster: string): D {
  if (shape.safeParse(data).success) return data as D;
  throw new ToolError(
    `The agent for cluster ${cluster} sent an answer this hub cannot read.`,
    "Run agent and hub of the same release (clusters_list shows each agent's version).",
  );
}

async function runAll<I extends z.ZodObject, D>(
  def: Def<I, D>,
  shape: z.ZodType,
  args: z.infer<I> & { cluster?: string | string[] },
  env: Parameters<Tool["handle"]>[1],
) {
  const targets = env.clusters.select(args.cluster);
  const multi = targets.length > 1 || args.cluster === "*";
  const rowLimit = Math.max(10, Math.floor(env.config.output.maxRows / targets.length));
  const settled = await fanOut(targets, env, async (cluster, signal) => {
    if (!permits(cluster.mode, def.safety)) {
      throw new ToolError(
        `${def.name} is not allowed on cluster ${cluster.name}: it runs in ${cluster.mode} mode.`,
      );
    }
    const progress = targets.length === 1 ? env.progress : () => {};
    if (cluster.remote) {
      // An agent's cluster: the agent runs def.run under its own policy and returns the same data.
      const { cluster: _target, ...rest } = args;
      const data = await cluster.remote.call(def.name, rest, {
        signal,
        rowLimit,
        progress,
        mode: cluster.mode,
        allow: [...allowedRules(cluster)],
        ...(cluster.scope?.active ? { scope: cluster.scope.layers } : {}),
      });
      return readable<D>(shape, data, cluster.name);
    }
    return masked(def.run)(args, cluster, {
      signal,
      config: env.config,
      log: env.log.child({ cluster: cluster.name }),
      rowLimit,
      progress,
    });
  });
  return { settled, multi };
}

function singleFailure(settled: Settled<unknown>[]): void {
  const only = settled[0];
  if (settled.length === 1 && only?.error) throw new ToolError(only.error, only.hint);
}

export function tableTool<I extends z.ZodObject>(def: Def<I, TableData>) {
  const input = def.input.extend({ cluster: clusterParam });
  return defineTool({
    ...def,
    input,
    output: TableOutput,
    perCluster: { input: def.input, safety: def.safety, run: masked(def.run) },
    async handle(args, env) {
      const { settled, multi } = await runAll(def, TableShape, args as z.infer<I>, env);
      singleFailure(settled);
      return mergeTables(def.name, settled, multi, env.config.output);
    },
  });
}

/**
 * One table from every cluster's rows: a cluster column when several answered, cut to the budget with a
 * note saying how to get the rest, fenced once.
 */
function mergeTables(
  name: string,
  settled: Settled<TableData>[],
  multi: boolean,
  output: { maxRows: number; maxBytes: number },
) {
  const ok = settled.filter((s) => s.value);
  const columns = multi ? ["cluster", ...(ok[0]?.value?.columns ?? [])] : (ok[0]?.value?.columns ?? []);
  const all = ok.flatMap((s) => (s.value as TableData).rows.map((r) => (multi ? [s.cluster.name, ...r] : r)));
  const notes = [...ok.flatMap((s) => (s.value as TableData).notes ?? []), ...failureNotes(settled)];
  let rows = all.slice(0, output.maxRows);
  let text = rows.length ? renderTable(columns, rows) : "";
  const cut = cutText(text, output.maxBytes);
  if (cut.cut) {
    rows = rows.slice(0, Math.max(0, rows.length - cut.droppedLines));
    text = renderTable(columns, rows);
  }
  const truncated = rows.length < all.length;
  if (truncated)
    notes.unshift(
      `Showing ${rows.length} of ${all.length} rows (answer budget). Narrow with namespace, labelSelector or fieldSelector, or page with limit.`,
    );
  for (const s of ok) {
    const v = s.value as TableData;
    if (v.continue)
      notes.push(
        `More rows on ${s.cluster.name}: call again with cluster "${s.cluster.name}" and continue "${v.continue}".`,
      );
    else if (v.total !== undefined && v.total > v.rows.length)
      notes.push(`${s.cluster.name}: ${v.rows.length} of ${v.total} shown.`);
  }
  // Every cell came from a cluster (names, CRD printer columns, messages): one fence per answer.
  const source = ok.find((s) => (s.value as TableData).untrusted)?.value?.untrusted ?? name;
  const from = `${ok.length > 1 ? "clusters" : "cluster"} ${ok.map((s) => s.cluster.name).join(", ")}`;
  if (text) text = fenceUntrusted(`${source} (${from})`, text);
  if (!all.length && ok.length) {
    const empties = ok.map((s) =>
      multi ? `${s.cluster.name}: ${(s.value as TableData).empty}` : (s.value as TableData).empty,
    );
    text = empties.join("\n");
  }
  const body = [text, ...notes].filter(Boolean).join("\n");
  return { text: body, data: { columns, rows, clusters: settled.map(statusOf), truncated, notes } };
}

export function textTool<I extends z.ZodObject>(def: Def<I, TextData>) {
  const input = def.input.extend({ cluster: clusterParam });
  return defineTool({
    ...def,
    input,
    output: TextOutput,
    perCluster: { input: def.input, safety: def.safety, run: masked(def.run) },
    async handle(args, env) {
      const { settled, multi } = await runAll(def, TextShape, args as z.infer<I>, env);
      singleFailure(settled);
      return mergeTexts(def.name, settled, multi, env.config.output);
    },
  });
}

/**
 * One text from every cluster's: each cut to its share of the budget (the tail, for logs) and fenced,
 * headed by its cluster when several answered.
 */
function mergeTexts(
  name: string,
  settled: Settled<TextData>[],
  multi: boolean,
  output: { maxRows: number; maxBytes: number },
) {
  const ok = settled.filter((s) => s.value);
  const per = Math.floor(output.maxBytes / Math.max(1, ok.length));
  let truncated = false;
  const notes = [...ok.flatMap((s) => (s.value as TextData).notes ?? []), ...failureNotes(settled)];
  const results = ok.map((s) => {
    const v = s.value as TextData;
    const c = (v.tail ? cutTextTail : cutText)(v.text, per);
    if (c.cut) {
      truncated = true;
      notes.push(
        `Output from ${s.cluster.name} was cut after ${per} bytes (${c.droppedLines} lines dropped); ask for less (e.g. a smaller tail, a filter, or one field).`,
      );
    }
    // The text is read from or answered by the cluster: fenced always, one block per cluster.
    const label = (s.value as TextData).untrusted ?? name;
    return {
      cluster: s.cluster.name,
      text: fenceUntrusted(`${label} (cluster ${s.cluster.name})`, c.text),
    };
  });
  const text = multi
    ? results.map((r) => `== cluster ${r.cluster} ==\n${r.text}`).join("\n\n")
    : (results[0]?.text ?? "");
  const revealed = ok.length > 0 && ok.every((s) => (s.value as TextData).revealed);
  return {
    text: [text, ...notes].filter(Boolean).join("\n"),
    data: { results, clusters: settled.map(statusOf), truncated, notes },
    ...(revealed ? { revealed } : {}),
  };
}

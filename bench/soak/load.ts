// The soak's clients: MCP sessions over HTTP to the hub replicas, each call raced against its deadline
// and judged: correct (from the cluster asked: kube-system's uid tells the clusters apart), a clean
// error naming the cluster, a misroute, a hang, or a transport failure (the client's replica is down:
// the client reconnects to the next one, as behind a load balancer).
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";

export type Outcome =
  | "ok"
  | "partial"
  | "error"
  | "cancelled"
  | "transport"
  | "hang"
  | "misroute"
  | "unclear";

export interface Record_ {
  at: number;
  ms: number;
  kind: string;
  outcome: Outcome;
  cause?: string;
}

export interface Ctx {
  uid: Record<string, string>;
  deadlineMs: number;
}

/** A session that moves to the next replica when its own stops answering. */
export class Conn {
  private client: Client | undefined;
  private i: number;

  constructor(
    private readonly urls: string[],
    start: number,
  ) {
    this.i = start % urls.length;
  }

  async session(): Promise<Client> {
    if (this.client) return this.client;
    const c = new Client({ name: "kube-mcp-soak", version: "0" });
    const url = this.urls[this.i] as string;
    await c.connect(new StreamableHTTPClientTransport(new URL(url)), { signal: AbortSignal.timeout(5000) });
    this.client = c;
    return c;
  }

  /** Drops the session and points at the next replica. */
  fail(): void {
    const c = this.client;
    this.client = undefined;
    this.i = (this.i + 1) % this.urls.length;
    void c?.close().catch(() => {});
  }

  close(): Promise<void> {
    return this.client?.close().catch(() => {}) ?? Promise.resolve();
  }
}

type Answer = { text: string; isError: boolean };

/** One call with its deadline: the answer, "hang", or the transport's error. */
async function timed(
  conn: Conn,
  name: string,
  args: Record<string, unknown>,
  deadlineMs: number,
  cancelAfterMs?: number,
): Promise<Answer | "hang" | "cancelled" | Error> {
  const ctl = new AbortController();
  let hung = false;
  const hang = setTimeout(() => {
    hung = true;
    ctl.abort(new Error("deadline"));
  }, deadlineMs);
  const cancel = cancelAfterMs === undefined ? undefined : setTimeout(() => ctl.abort(), cancelAfterMs);
  try {
    const c = await conn.session();
    const r = await c.callTool({ name, arguments: args }, { signal: ctl.signal, timeout: deadlineMs * 2 });
    const text = (r.content as { type: string; text?: string }[]).map((b) => b.text ?? "").join("\n");
    return { text, isError: r.isError === true };
  } catch (err) {
    if (hung) return "hang";
    if (ctl.signal.aborted) return "cancelled";
    return err instanceof Error ? err : new Error(String(err));
  } finally {
    clearTimeout(hang);
    if (cancel) clearTimeout(cancel);
  }
}

/** What a clean error is about, for the report's "clean errors by cause". */
export function causeOf(text: string): string {
  const rules: [RegExp, string][] = [
    [/disconnected during the call/, "agent dropped mid-call"],
    [/is not connected|has no agent connected/, "agent not connected"],
    [/held by hub replica \S+, which is gone/, "holding replica gone"],
    [/no longer connected to hub replica/, "agent left its replica mid-call"],
    [/NATS/, "NATS trouble"],
    [/did not answer|timed out|deadline|took longer/i, "cluster deadline"],
    [/connection refused|ECONNREFUSED|ECONNRESET|socket hang up|EOF/i, "API server unreachable"],
    [/cannot read/, "unreadable answer"],
  ];
  return rules.find(([re]) => re.test(text))?.[1] ?? `other: ${text.split("\n")[0]?.slice(0, 80)}`;
}

const otherThan = (ctx: Ctx, cluster: string) => Object.keys(ctx.uid).filter((c) => c !== cluster);

/** Judges an answer meant to come from `clusters` (one, or several for "*"). */
function judge(
  ctx: Ctx,
  clusters: string[],
  a: Answer,
  carriesUid: boolean,
): Omit<Record_, "at" | "ms" | "kind"> {
  if (a.isError) {
    // A one-cluster error must name its cluster; a fan-out that failed everywhere names each.
    if (!clusters.every((c) => new RegExp(`\\b${c}\\b`).test(a.text)))
      return { outcome: "unclear", cause: a.text.slice(0, 160) };
    return { outcome: "error", cause: causeOf(a.text) };
  }
  const failed = clusters.filter((c) => new RegExp(`Cluster ${c} failed`).test(a.text));
  if (clusters.length === 1) {
    const c = clusters[0] as string;
    if (otherThan(ctx, c).some((o) => a.text.includes(ctx.uid[o] as string)))
      return { outcome: "misroute", cause: `${c} answered with another cluster's uid` };
    if (carriesUid && !a.text.includes(ctx.uid[c] as string))
      return { outcome: "misroute", cause: `${c}: the answer lacks its uid` };
    return { outcome: "ok" };
  }
  if (carriesUid) {
    // "== cluster X ==" sections: each must carry X's uid and no other.
    for (const part of a.text.split(/^== cluster /m).slice(1)) {
      const c = part.split(" ")[0] as string;
      if (otherThan(ctx, c).some((o) => part.includes(ctx.uid[o] as string)))
        return { outcome: "misroute", cause: `section ${c} carries another cluster's uid` };
    }
  }
  if (failed.length) {
    const why = failed.map(
      (c) => `${c}: ${causeOf(new RegExp(`Cluster ${c} failed: (.*)`).exec(a.text)?.[1] ?? "")}`,
    );
    return { outcome: "partial", cause: why.join("; ") };
  }
  return { outcome: "ok" };
}

export interface Call {
  kind: string;
  name: string;
  args: Record<string, unknown>;
  clusters: string[];
  carriesUid: boolean;
  cancelAfterMs?: number;
}

/** The mix: weights by kind; `pick` is a [0, 1) random source. */
export function nextCall(pick: () => number): Call {
  const one = pick() < 0.5 ? "alpha" : "beta";
  const mix: [number, () => Call][] = [
    [
      3,
      () => ({
        kind: "get uid",
        name: "resources_get",
        args: { kind: "namespace", name: "kube-system", cluster: one },
        clusters: [one],
        carriesUid: true,
      }),
    ],
    [
      2,
      () => ({
        kind: "kubectl uid *",
        name: "kubectl",
        args: { args: ["get", "ns", "kube-system", "-o", "jsonpath={.metadata.uid}"], cluster: "*" },
        clusters: ["alpha", "beta"],
        carriesUid: true,
      }),
    ],
    [
      2,
      () => ({
        kind: "list pods *",
        name: "resources_list",
        args: { kind: "pods", namespace: "shop", cluster: "*" },
        clusters: ["alpha", "beta"],
        carriesUid: false,
      }),
    ],
    [
      1,
      () => ({
        kind: "logs",
        name: "pods_logs",
        args: { name: "web", kind: "deployment", namespace: "shop", tail: 20, cluster: one },
        clusters: [one],
        carriesUid: false,
      }),
    ],
    [
      1,
      () => ({
        kind: "describe",
        name: "resources_describe",
        args: { kind: "deployment", name: "web", namespace: "shop", cluster: one },
        clusters: [one],
        carriesUid: false,
      }),
    ],
    [
      1,
      () => ({
        kind: "apply dry-run",
        name: "resources_apply",
        args: {
          manifest: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: soak-dry-run, namespace: shop}\ndata: {at: "${Date.now()}"}\n`,
          dryRun: true,
          cluster: one,
        },
        clusters: [one],
        carriesUid: false,
      }),
    ],
    [
      1,
      () => ({
        kind: "cancelled",
        name: "kubectl",
        args: {
          args: ["wait", "pod/stuck-pending", "-n", "ops", "--for=condition=Ready", "--timeout=20s"],
          timeout: 25,
          cluster: one,
        },
        clusters: [one],
        carriesUid: false,
        cancelAfterMs: 200 + Math.floor(pick() * 1500),
      }),
    ],
  ];
  const total = mix.reduce((s, [w]) => s + w, 0);
  let r = pick() * total;
  for (const [w, f] of mix) {
    r -= w;
    if (r < 0) return f();
  }
  return (mix[0] as [number, () => Call])[1]();
}

/** Runs one call of the mix on `conn` and judges it. */
export async function runCall(conn: Conn, ctx: Ctx, c: Call): Promise<Record_> {
  const at = Date.now();
  const r = await timed(conn, c.name, c.args, ctx.deadlineMs, c.cancelAfterMs);
  const ms = Date.now() - at;
  const base = { at, ms, kind: c.kind };
  if (r === "hang") {
    conn.fail();
    return { ...base, outcome: "hang", cause: `${c.kind} on ${c.clusters.join(",")}` };
  }
  if (r === "cancelled") return { ...base, outcome: "cancelled" };
  if (r instanceof Error) {
    conn.fail();
    return {
      ...base,
      outcome: "transport",
      cause: `client's replica unreachable (${r.message.slice(0, 60)})`,
    };
  }
  // A call meant to be cancelled that ended first (its cluster failed fast) is judged as any other.
  return { ...base, ...judge(ctx, c.clusters, r, c.carriesUid) };
}

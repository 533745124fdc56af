// Compact, kubectl-like column tables: the cheapest readable shape for lists in a model's context.
const MAX_CELL = 100;

export function cell(v: unknown): string {
  if (v === null || v === undefined || v === "") return "<none>";
  const s = (typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v)).replace(
    /\s+/g,
    " ",
  );
  return s.length > MAX_CELL ? `${s.slice(0, MAX_CELL - 1)}…` : s;
}

/** Renders rows under headers with two-space gaps; widths come from the rows actually shown. */
export function renderTable(columns: string[], rows: string[][]): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number)))
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...rows.map(line)].join("\n");
}

/** "3d4h", "5m", "12s": the relative ages kubectl prints. */
export function age(timestamp: string | undefined, now = Date.now()): string {
  if (!timestamp) return "<unknown>";
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return timestamp;
  let s = Math.max(0, Math.floor((now - t) / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  s %= 60;
  if (d >= 2) return h && d < 8 ? `${d}d${h}h` : `${d}d`;
  if (d === 1) return `${24 + h}h`;
  if (h) return m && h < 6 ? `${h}h${m}m` : `${h}h`;
  if (m) return s && m < 10 ? `${m}m${s}s` : `${m}m`;
  return `${s}s`;
}

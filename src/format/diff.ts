// A line diff for dry-run plans: unified-style (+/-) with a little context, from an LCS table. Inputs
// are small (one object's YAML), and both sides are capped so the table stays bounded.
const MAX_LINES = 1500;

export function lineDiff(before: string, after: string, context = 2): string {
  const a = before.split("\n").slice(0, MAX_LINES);
  const b = after.split("\n").slice(0, MAX_LINES);
  const n = a.length;
  const m = b.length;
  const lcs: Uint16Array[] = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i] as Uint16Array;
    const next = lcs[i + 1] as Uint16Array;
    for (let j = m - 1; j >= 0; j--)
      row[j] =
        a[i] === b[j] ? (next[j + 1] as number) + 1 : Math.max(next[j] as number, row[j + 1] as number);
  }
  const ops: [" " | "-" | "+", string][] = [];
  let i = 0;
  let j = 0;
  const at = (x: number, y: number) => (lcs[x] as Uint16Array)[y] as number;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push([" ", a[i] as string]);
      i++;
      j++;
    } else if (i < n && (j >= m || at(i + 1, j) >= at(i, j + 1))) ops.push(["-", a[i++] as string]);
    else ops.push(["+", b[j++] as string]);
  }
  const keep = ops.map(
    (op, k) =>
      op[0] !== " " || ops.slice(Math.max(0, k - context), k + context + 1).some((o) => o[0] !== " "),
  );
  const out: string[] = [];
  let skipped = false;
  ops.forEach(([sign, line], k) => {
    if (keep[k]) {
      if (skipped) out.push("  …");
      out.push(`${sign} ${line}`);
      skipped = false;
    } else skipped = true;
  });
  if (skipped && out.length) out.push("  …");
  return out.join("\n");
}

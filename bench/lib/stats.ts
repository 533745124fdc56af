// Order statistics and number formatting. Medians only: the machine is shared, so means lie.

export function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Nearest-rank percentile, p in (0, 100]. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
}

export const ms = (x: number) => (Number.isFinite(x) ? (x < 10 ? x.toFixed(1) : x.toFixed(0)) : "–");
export const mb = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "–");

export function kb(bytes: number): string {
  if (!Number.isFinite(bytes)) return "–";
  return bytes < 10_240 ? `${(bytes / 1024).toFixed(1)} KB` : `${Math.round(bytes / 1024)} KB`;
}

/** "2.4×": how many times `x` is `base`; "–" when either is missing. */
export function ratio(x: number, base: number): string {
  if (!Number.isFinite(x) || !Number.isFinite(base) || base <= 0) return "–";
  const r = x / base;
  return `${r < 10 ? r.toFixed(2) : r.toFixed(0)}×`;
}

/** Small statistics helpers for the benchmark: quantiles over plain number arrays. */

/** The q-quantile (0..1) of `values` by linear interpolation; NaN for an empty array. */
export function quantile(values: readonly number[], q: number): number {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

/** Median with the interquartile range, the summary used for every ratio. */
export interface Spread { median: number; p25: number; p75: number; n: number }

export function spread(values: readonly number[]): Spread {
  return { median: quantile(values, 0.5), p25: quantile(values, 0.25), p75: quantile(values, 0.75), n: values.filter(Number.isFinite).length };
}

/** Formats a number with a fixed count of significant-looking decimals for tables. */
export function fmt(v: number | undefined, digits = 2): string {
  if (v === undefined || !Number.isFinite(v)) return 'n/a';
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return v.toFixed(digits);
}

export function fmtSpread(s: Spread | undefined, digits = 2): string {
  if (!s || !Number.isFinite(s.median)) return 'n/a';
  return `${fmt(s.median, digits)} (${fmt(s.p25, digits)}–${fmt(s.p75, digits)})`;
}

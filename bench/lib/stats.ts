/**
 * Summary statistics for benchmark samples.
 *
 * @module
 */

/** Median, p90, min, max and count of a list of samples. */
export interface Summary {
  /** Number of samples. */
  n: number;
  /** Middle value (mean of the two middle values for an even count). */
  median: number;
  /** 90th percentile, linear interpolation between closest ranks. */
  p90: number;
  /** Smallest sample. */
  min: number;
  /** Largest sample. */
  max: number;
}

/** The `q` quantile (0..1) of `values`, interpolating linearly between closest ranks. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  if (q < 0 || q > 1) throw new RangeError(`quantile: q must be within 0..1, got ${q}`);
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Median of `values` (NaN when empty). */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** 90th percentile of `values` (NaN when empty). */
export function p90(values: readonly number[]): number {
  return quantile(values, 0.9);
}

/** Median, p90, min, max and count of `values`. */
export function summarize(values: readonly number[]): Summary {
  return {
    n: values.length,
    median: median(values),
    p90: p90(values),
    min: values.length ? Math.min(...values) : NaN,
    max: values.length ? Math.max(...values) : NaN,
  };
}

/** `a / b`, or NaN when either is missing or b is 0. */
export function ratio(a: number | undefined, b: number | undefined): number {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) {
    return NaN;
  }
  return a / b;
}

/** Percentiles of one run and medians across runs. */

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN when there are none. */
export function percentile(samples: ArrayLike<number>, p: number): number {
  if (samples.length === 0) return NaN
  const sorted = Float64Array.from(samples).sort()
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]
}

export function median(values: number[]): number {
  const finite = values.filter((v) => Number.isFinite(v))
  if (finite.length === 0) return NaN
  const sorted = [...finite].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** The median of each numeric property over runs (properties missing from a run are skipped). */
export function medians<T extends object>(runs: T[]): Partial<Record<keyof T, number>> {
  const out: Partial<Record<keyof T, number>> = {}
  const keys = new Set(runs.flatMap((r) => Object.keys(r) as (keyof T)[]))
  for (const key of keys) {
    const values = runs.map((r) => r[key]).filter((v): v is T[keyof T] & number => typeof v === 'number')
    if (values.length) out[key] = median(values)
  }
  return out
}

/** a / b rounded to two decimals, or null when either side is missing. */
export function ratio(a: number | undefined, b: number | undefined): number | null {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null
  return Math.round((a / b) * 100) / 100
}

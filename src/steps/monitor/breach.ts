/**
 * The monitoring window's decision, kept pure: given the samples so far, the baseline and the
 * thresholds, is there a breach? The step only gathers samples and acts on the answer.
 */

export interface HealthSample {
  ok: boolean
  status?: number
  /** Why it failed: HTTP status text or the failing stage (DNS, connect, TLS, timeout). */
  error?: string
  ms?: number
}

export interface Sample {
  at: string
  /** Milliseconds since the window opened. */
  elapsedMs: number
  health?: HealthSample
  /** Error rate measured at this sample; null when it could not be read (or needs a second sample). */
  errorsPerMinute?: number | null
  /** Why the error rate could not be read. */
  errorsProblem?: string
}

export interface Baseline {
  perMinute: number
  /** before-deploy: sampled before the release went out; window-start: the window's first reading. */
  source: 'before-deploy' | 'window-start'
}

export interface Thresholds {
  /** Error lines per minute above which the window breaches. */
  maxPerMinute: number
  /** Also breach when the rate rises this much above the baseline, whatever the absolute limit. */
  maxIncreasePerMinute?: number
  /** Rate readings over the limit in a row before it counts (1 = the first one). */
  samplesInRow: number
  /** Failed health checks in a row before it counts. */
  healthFailuresInRow: number
}

export interface Breach {
  kind: 'health' | 'error-rate'
  reason: string
  at: string
  elapsedMs: number
}

/**
 * The effective limit. A baseline sampled before the deploy raises it: errors the old release already
 * had are not the new release's fault, only a rise above them is. A baseline read at the window's
 * start is already the new release, so it never excuses anything.
 */
export function effectiveLimit(baseline: Baseline | null, t: Thresholds): number {
  return baseline?.source === 'before-deploy' ? Math.max(t.maxPerMinute, baseline.perMinute) : t.maxPerMinute
}

/** Why one reading is over the limit, or null when it is not. */
export function overLimit(rate: number, baseline: Baseline | null, t: Thresholds): string | null {
  const limit = effectiveLimit(baseline, t)
  const base = baseline ? `, baseline ${fmt(baseline.perMinute)}/min ${baseline.source === 'before-deploy' ? 'before the deploy' : 'at the window\'s start'}` : ''
  if (rate > limit) return `error rate ${fmt(rate)}/min above the limit of ${fmt(limit)}/min${base}`
  if (t.maxIncreasePerMinute !== undefined && baseline && rate - baseline.perMinute > t.maxIncreasePerMinute) {
    return `error rate ${fmt(rate)}/min rose more than ${fmt(t.maxIncreasePerMinute)}/min above the baseline${base}`
  }
  return null
}

/** The first breach the latest sample completes, or null. Health first: an app that is down says more. */
export function findBreach(samples: readonly Sample[], baseline: Baseline | null, t: Thresholds): Breach | null {
  const last = samples[samples.length - 1]
  if (!last) return null

  const failing = trailing(samples, (s) => s.health !== undefined && !s.health.ok)
  if (failing.length >= t.healthFailuresInRow) {
    return {
      kind: 'health',
      reason: `health check failed ${failing.length} time${failing.length === 1 ? '' : 's'} in a row (last: ${last.health?.error ?? 'failed'})`,
      at: last.at,
      elapsedMs: last.elapsedMs,
    }
  }

  // A reading that could not be taken neither breaks nor continues a run of high readings.
  const readings = samples.filter((s) => typeof s.errorsPerMinute === 'number')
  const high = trailing(readings, (s) => overLimit(s.errorsPerMinute as number, baseline, t) !== null)
  const newest = readings[readings.length - 1]
  if (newest === last && high.length >= t.samplesInRow) {
    const why = overLimit(last.errorsPerMinute as number, baseline, t)!
    return { kind: 'error-rate', reason: `${why}${t.samplesInRow > 1 ? ` (${high.length} readings in a row)` : ''}`, at: last.at, elapsedMs: last.elapsedMs }
  }
  return null
}

/** One line for a quiet window. */
export function quietSummary(samples: readonly Sample[], baseline: Baseline | null, t: Thresholds): string {
  const parts: string[] = [`${samples.length} sample${samples.length === 1 ? '' : 's'}`]
  const health = samples.filter((s) => s.health)
  if (health.length) parts.push(`health ${health.filter((s) => s.health!.ok).length}/${health.length} OK`)
  const rates = samples.map((s) => s.errorsPerMinute).filter((r): r is number => typeof r === 'number')
  if (rates.length) {
    parts.push(`errors at most ${fmt(Math.max(...rates))}/min (limit ${fmt(effectiveLimit(baseline, t))}/min${baseline ? `, baseline ${fmt(baseline.perMinute)}/min` : ''})`)
  }
  return parts.join(', ')
}

function trailing<T>(items: readonly T[], test: (item: T) => boolean): T[] {
  let i = items.length
  while (i > 0 && test(items[i - 1]!)) i--
  return items.slice(i)
}

export function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1)
}

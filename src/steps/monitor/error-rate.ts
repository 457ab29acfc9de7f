import type { LogLine } from '../../adapters/providers/provider.js'

/**
 * Turning raw readings into "errors per minute", one pure function per source: provider log lines,
 * a Prometheus instant query, a JSON metric.
 */

const ERROR_LEVELS = /^(error|err|fatal|critical|crit|emerg|alert|panic)$/i

export function isErrorLine(line: LogLine, pattern: RegExp): boolean {
  return (line.level !== undefined && ERROR_LEVELS.test(line.level)) || pattern.test(line.message)
}

/** What the log reader remembers between samples. */
export interface LogRateState {
  seen: Set<string>
  lastAt: number | null
}

/**
 * Error lines per minute. When every line carries a timestamp, the lines of the last minute are
 * counted. Otherwise the lines not seen at the previous sample are counted, over the time since
 * then; the first such reading only learns what is already there, and gives null.
 */
export function logErrorsPerMinute(lines: readonly LogLine[], pattern: RegExp, now: number, state: LogRateState): number | null {
  const errors = lines.filter((l) => isErrorLine(l, pattern))
  const stamped = lines.length > 0 && lines.every((l) => l.timestamp && !Number.isNaN(Date.parse(l.timestamp)))
  if (stamped) {
    state.lastAt = now
    return errors.filter((l) => {
      const t = Date.parse(l.timestamp!)
      return t > now - 60_000 && t <= now + 5_000
    }).length
  }
  const fresh = errors.map(lineKey).filter((k) => !state.seen.has(k))
  for (const k of fresh) state.seen.add(k)
  const previous = state.lastAt
  state.lastAt = now
  if (previous === null) return null
  return fresh.length / (Math.max(now - previous, 1) / 60_000)
}

function lineKey(line: LogLine): string {
  return `${line.timestamp ?? ''}\u0000${line.level ?? ''}\u0000${line.message}`
}

/**
 * The value of a Prometheus instant query (`GET /api/v1/query`): a scalar, or the sum of an instant
 * vector (an empty vector is 0: no series has errors). Documented shape:
 * `{"status":"success","data":{"resultType":"vector","result":[{"metric":{…},"value":[1700000000.123,"2.5"]}]}}`
 */
export function prometheusValue(body: unknown): number {
  const b = body as { status?: string; error?: string; errorType?: string; data?: { resultType?: string; result?: unknown } }
  if (b?.status !== 'success') throw new Error(`Prometheus answered ${b?.status ?? 'no status'}${b?.error ? `: ${b.errorType ?? 'error'}: ${b.error}` : ''}`)
  const { resultType, result } = b.data ?? {}
  const number = (pair: unknown): number => {
    const v = Array.isArray(pair) ? Number(pair[1]) : NaN
    if (!Number.isFinite(v)) throw new Error(`Prometheus returned a value that is not a finite number: ${JSON.stringify(pair)}`)
    return v
  }
  if (resultType === 'scalar') return number(result)
  if (resultType === 'vector' && Array.isArray(result)) return result.reduce((sum: number, s: { value?: unknown }) => sum + number(s.value), 0)
  throw new Error(`Prometheus returned a ${resultType ?? 'missing'} result; the query must give a scalar or an instant vector`)
}

/** A value inside JSON by a path such as `errors.perMinute` or `checks[0].value`. */
export function fieldValue(body: unknown, field: string): number {
  const keys = field.match(/[^.[\]]+/g) ?? []
  let at: unknown = body
  for (const key of keys) {
    if (at === null || typeof at !== 'object' || !(key in (at as object))) throw new Error(`the JSON has no field "${field}" (missing at "${key}")`)
    at = (at as Record<string, unknown>)[key]
  }
  const value = typeof at === 'string' && at.trim() !== '' ? Number(at) : at
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`field "${field}" is ${JSON.stringify(at)}, not a number`)
  return value
}

/** A running total turned into a rate; null on the first reading. A total that went down was reset. */
export function counterRate(value: number, now: number, previous: { value: number; at: number } | null): number | null {
  if (!previous) return null
  const delta = value >= previous.value ? value - previous.value : value
  return delta / (Math.max(now - previous.at, 1) / 60_000)
}

import type { LogLine } from '../../adapters/providers/provider.js'

/**
 * Which log lines are errors, and which of them are new since the sample taken before the deploy.
 * Pure. A structured line (JSON, or a provider's line with a level) is judged by its level; a plain
 * text line by the pattern (default /\berror\b/i), as `grep -i error` over the logs would.
 */

export interface LogEntry {
  raw: string
  message: string
  level?: string
  /** Epoch milliseconds, when the line carries a time. */
  time?: number
}

export interface ErrorRules {
  pattern: RegExp
  levels: ReadonlySet<string>
  /** Known noise: lines matching any are not counted. */
  ignore: RegExp[]
}

export const ERROR_LEVELS = ['error', 'err', 'fatal', 'critical', 'crit', 'alert', 'emerg', 'emergency', 'panic', 'severe']

// pino and bunyan write numeric levels: 50 error, 60 fatal.
function levelWord(level: unknown): string | undefined {
  if (typeof level === 'number') return level >= 60 ? 'fatal' : level >= 50 ? 'error' : level >= 40 ? 'warn' : 'info'
  if (typeof level === 'string' && level.trim()) return level.trim().toLowerCase()
  return undefined
}

function timeOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value > 1e12 ? value : value * 1000
  if (typeof value === 'string') {
    const t = Date.parse(value)
    return Number.isNaN(t) ? undefined : t
  }
  return undefined
}

const LEADING_TIME = /^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)\]?/

/** One line as text or as a provider gave it → message, level and time where they can be read. */
export function toEntry(line: LogLine | string): LogEntry {
  const given = typeof line === 'string' ? { message: line } : line
  const raw = given.message
  let message = raw
  let level = levelWord(given.level)
  let time = timeOf(given.timestamp)
  if (raw.trimStart().startsWith('{')) {
    try {
      const o = JSON.parse(raw) as Record<string, unknown>
      level ??= levelWord(o.level ?? o.severity ?? o.lvl ?? o.levelname)
      time ??= timeOf(o.time ?? o.timestamp ?? o.ts ?? o['@timestamp'])
      const text = o.msg ?? o.message
      if (typeof text === 'string') message = text
    } catch {
      // plain text that starts with a brace
    }
  }
  if (time === undefined) {
    const m = LEADING_TIME.exec(raw)
    if (m) time = timeOf(m[1]!.replace(' ', 'T').replace(',', '.'))
  }
  return { raw: typeof line === 'string' || !given.level ? raw : `${given.timestamp ? `${given.timestamp} ` : ''}[${given.level}] ${raw}`, message, ...(level ? { level } : {}), ...(time !== undefined ? { time } : {}) }
}

export function isErrorLine(entry: LogEntry, rules: ErrorRules): boolean {
  if (entry.level !== undefined) return rules.levels.has(entry.level)
  return rules.pattern.test(entry.raw)
}

export interface ErrorCount {
  lines: number
  errors: LogEntry[]
  /** Error lines left out as known noise. */
  ignored: number
  /** Newest time among the lines, when any line has one. */
  newestAt?: number
}

export function countErrors(entries: LogEntry[], rules: ErrorRules): ErrorCount {
  const errors: LogEntry[] = []
  let ignored = 0
  let newestAt: number | undefined
  for (const e of entries) {
    if (e.time !== undefined && (newestAt === undefined || e.time > newestAt)) newestAt = e.time
    if (!isErrorLine(e, rules)) continue
    if (rules.ignore.some((re) => re.test(e.raw))) ignored++
    else errors.push(e)
  }
  return { lines: entries.length, errors, ignored, ...(newestAt !== undefined ? { newestAt } : {}) }
}

/** What the `logs-baseline` step records, and the `logs` step compares with. */
export interface Baseline {
  errorCount: number
  lineCount: number
  sampledAt: string
  newestAt?: string
}

export interface NewErrors {
  /** 'time': error lines newer than the newest line of the sample; 'count': more error lines than the sample had. */
  method: 'time' | 'count' | 'none'
  count: number
  /** The lines known to be new (method 'time'), else every error line now. */
  lines: LogEntry[]
}

/**
 * New errors since the baseline. When every error line has a time and the sample had one, the lines
 * after the sample's newest are new: exact, even when the window of N lines moved. Otherwise the
 * difference of the counts before and after, never below zero. Without a baseline every
 * error line counts.
 */
export function newSince(now: ErrorCount, baseline: Baseline | undefined): NewErrors {
  if (!baseline) return { method: 'none', count: now.errors.length, lines: now.errors }
  const since = baseline.newestAt ? Date.parse(baseline.newestAt) : Number.NaN
  if (!Number.isNaN(since) && now.errors.every((e) => e.time !== undefined)) {
    const fresh = now.errors.filter((e) => e.time! > since)
    return { method: 'time', count: fresh.length, lines: fresh }
  }
  return { method: 'count', count: Math.max(0, now.errors.length - baseline.errorCount), lines: now.errors }
}

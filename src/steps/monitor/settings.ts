import { z } from 'zod'
import { duration, positiveDuration } from '../../config/schema.js'
import { regexSource } from '../../config/regex.js'
import { formatIssues } from '../../config/issues.js'
import type { ResolvedEnvironment } from '../../config/types.js'

const headers = z.record(z.string(), z.string()).optional().describe('Headers of the request (e.g. authorization).')

/** Where the error rate comes from. */
const source = z.discriminatedUnion('source', [
  /** Error lines per minute in the provider's logs: lines at an error level or matching `pattern`. */
  z.strictObject({
    source: z.literal('logs'),
    pattern: regexSource.default('\\b(error|fatal)\\b').describe('Regular expression for error lines without a level.'),
    lines: z.number().int().min(10).max(10_000).default(500).describe('Newest log lines read per sample.'),
  }),
  /** A Prometheus instant query whose value is errors per minute, e.g. `sum(rate(http_requests_total{code=~"5.."}[1m]))*60`. */
  z.strictObject({
    source: z.literal('prometheus'),
    url: z.string().regex(/^https?:\/\//i, 'expected the Prometheus base URL (http:// or https://)').describe('The Prometheus base URL.'),
    query: z.string().min(1).describe('Instant query whose value is errors per minute.'),
    headers,
  }),
  /** A JSON document (absolute URL or a path on the environment) with a numeric field; `counter` when it is a running total. */
  z.strictObject({
    source: z.literal('metric'),
    url: z.string().min(1).describe('Absolute URL or a path on the environment of a JSON document.'),
    field: z.string().min(1).describe('Path of the numeric field in the document.'),
    counter: z.boolean().default(false).describe('true when the field is a running total rather than a rate.'),
    headers,
  }),
  z.strictObject({ source: z.literal('none') }),
])

const limits = z.strictObject({
  maxPerMinute: z.number().min(0).default(5).describe('Errors per minute above which a sample breaches.'),
  maxIncreasePerMinute: z.number().min(0).optional().describe('Also breach when the rate rises this much above the baseline (before the deploy, else the window\'s start), whatever the absolute limit.'),
  samplesInRow: z.number().int().min(1).max(100).default(1).describe('Breaching samples in a row that make a breach.'),
})

const health = z.strictObject({
  path: z.string().min(1).optional().describe('Path or absolute URL; by default the environment\'s first health path.'),
  failuresInRow: z.number().int().min(1).max(100).default(3).describe('Failed health checks in a row that make a breach.'),
  timeout: duration.default(5_000).describe('How long one health check may take.'),
})

/** The schemas of the monitor section's `health` and `errors` (limits, and one of the sources), for the reference. */
export const monitorSectionSchemas = { health, limits, sources: source.options }

/** The window's own settings, merged from the section and the step's options. */
const mainSettings = z.strictObject({
  window: positiveDuration,
  interval: positiveDuration.default(15_000),
  onBreach: z.enum(['rollback', 'alert']).default('rollback'),
  health: z.union([z.literal(false), health]).default({ failuresInRow: 3, timeout: 5_000 }),
})

/** The step's options: the same keys as the environment's `monitor` section, all optional. */
export const monitorOptions = z.strictObject({
  window: positiveDuration.optional(),
  interval: positiveDuration.optional(),
  onBreach: z.enum(['rollback', 'alert']).optional(),
  health: z.union([z.literal(false), z.record(z.string(), z.unknown())]).optional(),
  errors: z.record(z.string(), z.unknown()).optional(),
})
export type MonitorOptions = z.output<typeof monitorOptions>

export type ErrorSource = z.output<typeof source>
export type ErrorLimits = z.output<typeof limits>

export interface ResolvedMonitor {
  windowMs: number
  intervalMs: number
  onBreach: 'rollback' | 'alert'
  health: false | { path: string; failuresInRow: number; timeoutMs: number }
  source: ErrorSource
  limits: ErrorLimits
}

export class MonitorSettingsError extends Error {}

/**
 * Merges `environments.<env>.monitor` with the step's options (options win, key by key) and checks
 * the result; errors name the key in the environment's section. Without a source, the error rate
 * comes from the provider's logs when there is a provider, else it is not watched.
 */
export function resolveMonitor(env: ResolvedEnvironment, options: MonitorOptions, at: (string | number)[] = ['monitor']): ResolvedMonitor {
  const section = env.monitor as Record<string, unknown>
  const pick = <T>(key: string, fromOptions: T | undefined): unknown => (fromOptions !== undefined ? fromOptions : section[key])
  const mergeObj = (key: 'health' | 'errors', fromOptions: unknown): unknown => {
    const base = section[key]
    if (fromOptions === false || base === false) return fromOptions ?? base
    if (fromOptions === undefined) return base
    return { ...(base as object | undefined), ...(fromOptions as object) }
  }
  const errorsRaw = { ...((mergeObj('errors', options.errors) as Record<string, unknown> | undefined) ?? {}) }
  const { maxPerMinute, maxIncreasePerMinute, samplesInRow, ...sourceRaw } = errorsRaw
  if (sourceRaw.source === undefined) sourceRaw.source = env.provider ? 'logs' : 'none'

  const fail = (issues: readonly z.core.$ZodIssue[], prefix: (string | number)[], schema: z.core.$ZodType) => {
    throw new MonitorSettingsError(formatIssues(issues, prefix, schema))
  }
  const main = mainSettings
    .safeParse(
      { window: pick('window', options.window), interval: pick('interval', options.interval), onBreach: pick('onBreach', options.onBreach), health: mergeObj('health', options.health) },
      { reportInput: true },
    )
  if (!main.success) fail(main.error.issues, at, mainSettings)
  const lim = limits.safeParse(
    Object.fromEntries(Object.entries({ maxPerMinute, maxIncreasePerMinute, samplesInRow }).filter(([, v]) => v !== undefined)),
    { reportInput: true },
  )
  if (!lim.success) fail(lim.error.issues, [...at, 'errors'], limits)
  const src = source.safeParse(sourceRaw, { reportInput: true })
  if (!src.success) fail(src.error.issues, [...at, 'errors'], source)

  const m = main.data!
  return {
    windowMs: m.window,
    intervalMs: Math.max(m.interval, 50),
    onBreach: m.onBreach,
    health: m.health === false ? false : { path: m.health.path ?? env.health.paths[0]!, failuresInRow: m.health.failuresInRow, timeoutMs: m.health.timeout },
    source: src.data!,
    limits: lim.data!,
  }
}

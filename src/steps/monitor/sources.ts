import { httpRequest, HttpRequestError } from '../../adapters/http/request.js'
import type { StepContext } from '../../engine/step-kind.js'
import { resolveUrl } from '../url.js'
import { stepCa } from '../trust.js'
import type { HealthSample } from './breach.js'
import { counterRate, fieldValue, logErrorsPerMinute, prometheusValue, type LogRateState } from './error-rate.js'
import type { LogFetcher } from './provider-logs.js'
import type { ErrorSource } from './settings.js'

/** Reads the error rate once; null when this reading cannot give a rate yet. Throws when the source fails. */
export type ErrorReader = (signal: AbortSignal) => Promise<number | null>

/** One GET of the health endpoint; never throws, the failure is the sample. */
export async function sampleHealth(url: string, opts: { timeoutMs: number; signal: AbortSignal; resolve?: Record<string, string>; ca?: string }): Promise<HealthSample> {
  try {
    const res = await httpRequest({ url, timeoutMs: opts.timeoutMs, signal: opts.signal, resolve: opts.resolve, ca: opts.ca, maxBodyBytes: 2000 })
    const ok = res.status >= 200 && res.status < 300
    return { ok, status: res.status, ms: Math.round(res.timings.totalMs), ...(ok ? {} : { error: `HTTP ${res.status}${snippet(res.body)}` }) }
  } catch (error) {
    return { ok: false, error: error instanceof HttpRequestError ? `${error.stage}: ${error.message}` : String(error) }
  }
}

async function getJson(url: string, opts: { headers?: Record<string, string>; signal: AbortSignal; resolve?: Record<string, string>; ca?: string; what: string }): Promise<unknown> {
  const res = await httpRequest({ url, headers: { accept: 'application/json', ...opts.headers }, timeoutMs: 10_000, signal: opts.signal, resolve: opts.resolve, ca: opts.ca })
  if (res.status < 200 || res.status >= 300) throw new Error(`${opts.what} answered HTTP ${res.status}${snippet(res.body)}`)
  try {
    return JSON.parse(res.body)
  } catch {
    throw new Error(`${opts.what} did not answer JSON${snippet(res.body)}`)
  }
}

/**
 * A reader for the configured source. `logs` is given the provider's log fetcher by the caller, so
 * the provider is built once and only when the source needs it.
 */
export function errorReader(ctx: StepContext<unknown>, source: ErrorSource, fetchLogs?: () => Promise<LogFetcher>): ErrorReader | null {
  const resolve = ctx.environment.resolve
  const trusted = () => stepCa(ctx)
  switch (source.source) {
    case 'none':
      return null
    case 'logs': {
      const pattern = new RegExp(source.pattern, 'i')
      const state: LogRateState = { seen: new Set(), lastAt: null }
      let fetcher: LogFetcher | undefined
      return async (signal) => {
        fetcher ??= await fetchLogs!()
        const lines = await fetcher(source.lines, signal)
        // No line is no reading: a rate of 0 from an empty log would call a silent app quiet.
        if (lines.length === 0) throw new Error("the deploy provider's logs gave 0 lines: no error rate can be read from them")
        return logErrorsPerMinute(lines, pattern, Date.now(), state)
      }
    }
    case 'prometheus': {
      const url = `${source.url.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(source.query)}`
      return async (signal) => prometheusValue(await getJson(url, { headers: source.headers, signal, resolve, ca: await trusted(), what: 'Prometheus' }))
    }
    case 'metric': {
      const url = resolveUrl(ctx.environment.url, source.url)
      let previous: { value: number; at: number } | null = null
      return async (signal) => {
        const value = fieldValue(await getJson(url, { headers: source.headers, signal, resolve, ca: await trusted(), what: 'the metric endpoint' }), source.field)
        if (!source.counter) return value
        const now = Date.now()
        const rate = counterRate(value, now, previous)
        previous = { value, at: now }
        return rate
      }
    }
  }
}

function snippet(body: string): string {
  const text = body.replace(/\s+/g, ' ').trim().slice(0, 120)
  return text ? `: ${text}` : ''
}

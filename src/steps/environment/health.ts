import { z } from 'zod'
import { defineStepKind } from '../../engine/step-kind.js'
import { httpRequest, HttpRequestError } from '../../adapters/http/request.js'
import { resolveUrl } from '../url.js'
import { failureWords, targetOptionShape, trustedCa } from './target.js'
import { parseHealthBody, worst, type HealthBody, type HealthWord } from './health-body.js'

export const healthOptions = z.strictObject({
  ca: targetOptionShape.ca,
  timeoutMs: targetOptionShape.timeoutMs,
  paths: z.array(z.string().startsWith('/')).min(1).optional().describe('Paths tried in order; by default the environment\'s `health.paths`.'),
  all: z.boolean().default(false).describe('true: every path must answer healthy (TERP\'s /health/live and /health/ready); false: the first that exists is judged.'),
  maxLatencyMs: z.number().int().positive().default(2_000).describe('A slower answer makes the gate a warning.'),
})
export type HealthOptions = z.output<typeof healthOptions>

interface Attempt {
  path: string
  url: string
  status?: number
  latencyMs?: number
  health?: HealthBody
  verdict: HealthWord | 'missing' | 'error'
  note: string
  body?: string
}

export default defineStepKind<HealthOptions>({
  kind: 'health',
  needsLiveApp: true,
  description: 'the health endpoint answers healthy: status code, JSON status with its sub-checks, latency',
  options: healthOptions,
  async run(ctx) {
    const o = ctx.options
    const paths = o.paths ?? ctx.environment.health.paths
    const ca = await trustedCa(ctx, o.ca)
    const attempts: Attempt[] = []
    for (const path of paths) {
      const attempt = await check(resolveUrl(ctx.environment.url, path), path, { ca, timeoutMs: o.timeoutMs, signal: ctx.signal, resolve: ctx.environment.resolve })
      attempts.push(attempt)
      ctx.log(`GET ${path} → ${attempt.note}`)
      // A connection failure is the same for every path: trying the next one would only hide it.
      if (attempt.verdict === 'error') break
      if (!o.all && attempt.verdict !== 'missing') break
    }
    await ctx.writeEvidence('health.json', JSON.stringify({ paths, attempts }, null, 2), 'health endpoint answers')

    const judged = attempts.filter((a) => a.verdict !== 'missing')
    const data = { attempts: attempts.map(({ path, status, latencyMs, verdict }) => ({ path, status, latencyMs, verdict })) }
    const failedOne = attempts.find((a) => a.verdict === 'error')
    if (failedOne) return { status: 'failed', summary: `${failedOne.path}: ${failedOne.note}`, data }
    if (judged.length === 0 || (o.all && judged.length < attempts.length)) {
      const missing = attempts.filter((a) => a.verdict === 'missing').map((a) => `${a.path} → ${a.status}`).join(', ')
      return { status: 'failed', summary: `no health endpoint answered: ${missing}; set environments.${ctx.environmentName}.health.paths`, data }
    }
    const state = worst(judged.map((a) => a.verdict as HealthWord))
    const text = judged.map((a) => `${a.path} ${a.note}`).join('; ')
    const slow = judged.filter((a) => (a.latencyMs ?? 0) > o.maxLatencyMs)
    if (state === 'unhealthy') return { status: 'failed', summary: text, data }
    if (state === 'degraded') return { status: 'warning', summary: text, data }
    if (slow.length) return { status: 'warning', summary: `${text}; slower than ${o.maxLatencyMs} ms: ${slow.map((a) => a.path).join(', ')}`, data }
    return { status: 'passed', summary: text, data }
  },
})

async function check(url: string, path: string, opts: { ca?: string; timeoutMs: number; signal: AbortSignal; resolve?: Record<string, string> }): Promise<Attempt> {
  try {
    const res = await httpRequest({ url, ...opts, headers: { accept: 'application/json' }, maxBodyBytes: 64_000 })
    const latencyMs = Math.round(res.timings.totalMs)
    const base = { path, url, status: res.status, latencyMs, body: res.body.slice(0, 4000) }
    if (res.status === 404 || res.status === 405) return { ...base, verdict: 'missing', note: `${res.status} (no such endpoint)` }
    let health: HealthBody | undefined
    try {
      health = parseHealthBody(JSON.parse(res.body))
    } catch {
      // not JSON: the status code alone speaks
    }
    const byCode: HealthWord = res.status >= 200 && res.status < 300 ? 'healthy' : 'unhealthy'
    // The body can make a 200 worse (degraded, unhealthy), never a failing status code better.
    const verdict = health && health.status !== 'unknown' && byCode === 'healthy' ? health.status : byCode
    const subs = health?.checks.length
      ? ` (${health.checks.map((c) => `${c.name} ${c.said || c.status}${c.status !== 'healthy' && c.message ? `: ${c.message}` : ''}`).join(', ')})`
      : ''
    const said = health?.said ? ` ${health.said}` : ''
    return { ...base, health, verdict, note: `${res.status}${said}${subs} in ${latencyMs} ms` }
  } catch (error) {
    if (!(error instanceof HttpRequestError)) throw error
    return { path, url, verdict: 'error', note: `${failureWords(error)}: ${error.message}` }
  }
}

import { z } from 'zod'
import { defineStepKind } from '../../engine/step-kind.js'
import { httpRequest, HttpRequestError } from '../../adapters/http/request.js'
import { stepCa } from '../trust.js'
import { resolveUrl } from '../url.js'
import { regexSource } from '../../config/regex.js'

export const httpOptions = z.strictObject({
  url: z.string().refine(isPathOrHttpUrl, { message: 'expected a path such as "/api/health" or an http:// or https:// URL' }).describe('Absolute URL, or a path joined to the environment\'s URL.'),
  method: z.string().default('GET'),
  headers: z.record(z.string(), z.string()).default({}),
  body: z.string().optional(),
  expectStatus: z.union([z.number().int(), z.array(z.number().int()).min(1)]).optional().describe('Accepted status codes; by default any 2xx.'),
  expectBody: regexSource.optional().describe('A regular expression the response body must match.'),
  timeoutMs: z.number().int().positive().default(10_000),
})
export type HttpOptions = z.output<typeof httpOptions>

/** A path joined to the environment's URL, or an absolute URL that parses: checked at load, not at request time. */
function isPathOrHttpUrl(value: string): boolean {
  if (value.startsWith('/')) return URL.canParse(value, 'http://base.invalid')
  return /^https?:\/\//i.test(value) && URL.canParse(value)
}

export default defineStepKind<HttpOptions>({
  kind: 'http',
  needsLiveApp: true,
  description: 'sends one HTTP request; checks the status code and an optional body pattern',
  options: httpOptions,
  async run(ctx) {
    const o = ctx.options
    const url = resolveUrl(ctx.environment.url, o.url)
    ctx.log(`${o.method} ${url}`)
    try {
      const res = await httpRequest({
        url,
        method: o.method,
        headers: o.headers,
        body: o.body,
        timeoutMs: o.timeoutMs,
        signal: ctx.signal,
        resolve: ctx.environment.resolve,
        ca: await stepCa(ctx),
      })
      const evidence = { url, status: res.status, headers: res.headers, timings: res.timings, tls: res.tls, body: res.body.slice(0, 4000) }
      await ctx.writeEvidence('response.json', JSON.stringify(evidence, null, 2), `${o.method} ${url}`)
      const data = { status: res.status, totalMs: res.timings.totalMs }
      const accepted = o.expectStatus === undefined ? res.status >= 200 && res.status < 300 : ([] as number[]).concat(o.expectStatus).includes(res.status)
      if (!accepted) {
        const wanted = o.expectStatus === undefined ? '2xx' : ([] as number[]).concat(o.expectStatus).join(' or ')
        return { status: 'failed', summary: `HTTP ${res.status}, expected ${wanted}: ${res.body.slice(0, 200).trim()}`, data }
      }
      if (o.expectBody && !new RegExp(o.expectBody, 'm').test(res.body)) {
        return { status: 'failed', summary: `HTTP ${res.status} but the body does not match /${o.expectBody}/`, data }
      }
      return { status: 'passed', summary: `HTTP ${res.status} in ${Math.round(res.timings.totalMs)} ms`, data }
    } catch (error) {
      if (error instanceof HttpRequestError) return { status: 'failed', summary: error.message, data: { stage: error.stage } }
      throw error
    }
  },
})

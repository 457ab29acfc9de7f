import { z } from 'zod'
import { defineStepKind } from '../../engine/step-kind.js'
import { httpRequest, HttpRequestError } from '../../adapters/http/request.js'
import { failureWords, targetOptionShape, targetUrl, trustedCa } from './target.js'
import { hstsShortfalls, parseHsts, redirectShortfall } from './hsts-header.js'

export const hstsOptions = z.strictObject({
  ...targetOptionShape,
  maxAge: z.number().int().min(0).default(31_536_000).describe('Shortest max-age accepted, in seconds (one year by default).'),
  includeSubDomains: z.boolean().optional().describe('true: includeSubDomains required; false: must be absent; unset: either.'),
  preload: z.boolean().optional(),
  httpUrl: z.string().regex(/^http:\/\//i, 'expected an http:// URL').optional().describe('A plain-HTTP address of the site; when set it must redirect to HTTPS.'),
})
export type HstsOptions = z.output<typeof hstsOptions>

export default defineStepKind<HstsOptions>({
  kind: 'hsts',
  needsLiveApp: true,
  description: 'HTTPS responses carry Strict-Transport-Security with a long enough max-age; plain HTTP redirects to HTTPS',
  options: hstsOptions,
  async run(ctx) {
    const o = ctx.options
    const url = targetUrl(ctx, o.url)
    if (url.protocol !== 'https:') return { status: 'failed', summary: `${url.origin} is not HTTPS, so it cannot send HSTS (environments.${ctx.environmentName}.url)` }
    const evidence: Record<string, unknown> = { url: url.toString(), rules: { maxAge: o.maxAge, includeSubDomains: o.includeSubDomains, preload: o.preload } }
    const problems: string[] = []
    let header: string | undefined
    try {
      const res = await httpRequest({ url: url.toString(), resolve: ctx.environment.resolve, ca: await trustedCa(ctx, o.ca), timeoutMs: o.timeoutMs, signal: ctx.signal, maxBodyBytes: 1024 })
      header = res.headers['strict-transport-security']
      evidence.https = { status: res.status, header: header ?? null, policy: header ? parseHsts(header) : null }
      ctx.log(`GET ${url} → ${res.status}, Strict-Transport-Security: ${header ?? '(none)'}`)
      problems.push(...hstsShortfalls(header, { minMaxAge: o.maxAge, includeSubDomains: o.includeSubDomains, preload: o.preload }))
    } catch (error) {
      if (!(error instanceof HttpRequestError)) throw error
      problems.push(`${failureWords(error)}: ${error.message}`)
    }
    if (o.httpUrl) {
      try {
        const res = await httpRequest({ url: o.httpUrl, resolve: ctx.environment.resolve, timeoutMs: o.timeoutMs, signal: ctx.signal, maxBodyBytes: 1024 })
        evidence.http = { url: o.httpUrl, status: res.status, location: res.headers.location ?? null }
        ctx.log(`GET ${o.httpUrl} → ${res.status}${res.headers.location ? ` → ${res.headers.location}` : ''}`)
        const shortfall = redirectShortfall(o.httpUrl, { status: res.status, location: res.headers.location })
        if (shortfall) problems.push(shortfall)
      } catch (error) {
        if (!(error instanceof HttpRequestError)) throw error
        // Nothing listening on plain HTTP is safe too: no page is ever served without TLS.
        if (error.stage === 'connect') evidence.http = { url: o.httpUrl, refused: error.message }
        else problems.push(`${o.httpUrl}: ${failureWords(error)}: ${error.message}`)
      }
    }
    await ctx.writeEvidence('hsts.json', JSON.stringify(evidence, null, 2), 'HSTS header and HTTP redirect')
    const data = { header: header ?? null }
    if (problems.length) return { status: 'failed', summary: `${url.host}: ${problems.join('; ')}`, data }
    return { status: 'passed', summary: `${url.host}: Strict-Transport-Security: ${header}${o.httpUrl ? '; plain HTTP redirects to HTTPS' : ''}`, data }
  },
})

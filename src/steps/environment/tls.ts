import { z } from 'zod'
import { defineStepKind } from '../../engine/step-kind.js'
import { HttpRequestError } from '../../adapters/http/request.js'
import { probeTls } from '../../adapters/tls/probe.js'
import { stepTrust } from '../trust.js'
import { failureWords, portOf, targetOptionShape, targetUrl } from './target.js'
import { judgeTls } from './tls-verdict.js'

export const tlsOptions = z.strictObject({
  ...targetOptionShape,
  warnDays: z.number().int().min(0).default(14).describe('Warn when the certificate expires within this many days.'),
  minProtocol: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
})
export type TlsOptions = z.output<typeof tlsOptions>

export default defineStepKind<TlsOptions>({
  kind: 'tls',
  needsLiveApp: true,
  description: 'the HTTPS certificate is trusted, names the host, is within its dates and not about to expire; TLS 1.2 or newer',
  options: tlsOptions,
  async run(ctx) {
    const o = ctx.options
    const url = targetUrl(ctx, o.url)
    if (url.protocol !== 'https:') {
      return { status: 'failed', summary: `${url.origin} is not HTTPS: all staging endpoints must use HTTPS (environments.${ctx.environmentName}.url)` }
    }
    const trust = await stepTrust(ctx, o.ca)
    const host = url.hostname.replace(/^\[|\]$/g, '')
    try {
      const probe = await probeTls({ host, port: portOf(url), ca: trust.pem, resolve: ctx.environment.resolve, timeoutMs: o.timeoutMs, signal: ctx.signal })
      const verdict = judgeTls(probe, { now: new Date(), warnDays: o.warnDays, minProtocol: o.minProtocol })
      const cert = probe.certificate
      await ctx.writeEvidence('tls.json', JSON.stringify({ url: url.origin, trustedBesidesNodeRoots: trust.sources, ...probe, verdict }, null, 2), `TLS certificate of ${url.host}`)
      ctx.log(`${probe.protocol} ${probe.cipher}; subject ${cert.subject}; issuer ${cert.issuer}; SANs ${cert.subjectAltNames.join(', ')}; valid ${cert.validFrom} → ${cert.validTo}`)
      const data = {
        protocol: probe.protocol,
        subject: cert.subject,
        issuer: cert.issuer,
        subjectAltNames: cert.subjectAltNames,
        validTo: cert.validTo,
        daysLeft: verdict.daysLeft,
      }
      if (verdict.status === 'failed') return { status: 'failed', summary: `${url.host}: ${verdict.problems.concat(verdict.warnings).join('; ')}`, data }
      if (verdict.status === 'warning') return { status: 'warning', summary: `${url.host}: ${verdict.warnings.join('; ')}`, data }
      return { status: 'passed', summary: `${url.host}: valid ${probe.protocol} certificate from ${issuerName(cert.issuer)}, expires ${cert.validTo.slice(0, 10)} (${verdict.daysLeft} days)`, data }
    } catch (error) {
      if (!(error instanceof HttpRequestError)) throw error
      return { status: 'failed', summary: `${failureWords(error)}: ${error.message}`, data: { stage: error.stage } }
    }
  },
})

function issuerName(issuer: string): string {
  return /(?:^|, )CN=([^,]+)/.exec(issuer)?.[1] ?? issuer
}

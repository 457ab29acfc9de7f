import dns from 'node:dns/promises'
import net from 'node:net'
import { z } from 'zod'
import { defineStepKind } from '../../engine/step-kind.js'
import { httpRequest, HttpRequestError } from '../../adapters/http/request.js'
import { targetOptionShape, targetUrl, trustedCa } from './target.js'
import { judgeAllowed, judgeForeign, type Judged, type ProbeAnswer } from './host-guard-verdict.js'

export const hostGuardOptions = z.strictObject({
  ...targetOptionShape,
  allowedHosts: z.array(z.string().min(1)).min(1).optional().describe('Host names the app must serve; by default the environment\'s hostGuard.allowedHosts, else the URL\'s host.'),
  path: z.string().startsWith('/').default('/').describe('Path requested in every probe: a page the app serves to its own host.'),
  foreignHost: z.string().min(1).default('host-guard-probe.invalid').describe('The Host header a foreign request carries. `.invalid` can never be a real site.'),
  byIp: z.boolean().default(true).describe('Also probe by bare IP address (a request that names no host of the app).'),
})
export type HostGuardOptions = z.output<typeof hostGuardOptions>

interface Probe {
  name: string
  request: { url: string; host: string }
  answer: ProbeAnswer
  judged: Judged
  expect: 'served' | 'refused'
}

export default defineStepKind<HostGuardOptions>({
  kind: 'host-guard',
  needsLiveApp: true,
  description: 'the allowed hosts are served, while a foreign Host header and a bare IP address are refused',
  options: hostGuardOptions,
  async run(ctx) {
    const o = ctx.options
    const url = targetUrl(ctx, o.url)
    url.pathname = o.path
    url.search = ''
    const allowedHosts = o.allowedHosts ?? ctx.environment.hostGuard.allowedHosts ?? [url.hostname]
    const ca = await trustedCa(ctx, o.ca)
    const portSuffix = url.port ? `:${url.port}` : ''
    const ask = async (target: string, hostHeader: string, insecure = false): Promise<ProbeAnswer> => {
      try {
        const res = await httpRequest({
          url: target,
          headers: { host: hostHeader },
          resolve: ctx.environment.resolve,
          ca,
          insecure,
          timeoutMs: o.timeoutMs,
          signal: ctx.signal,
          maxBodyBytes: 2048,
        })
        return { kind: 'response', status: res.status, location: res.headers.location }
      } catch (error) {
        if (!(error instanceof HttpRequestError)) throw error
        return { kind: 'error', stage: error.stage, code: error.code, message: error.message }
      }
    }

    const probes: Probe[] = []
    // Each allowed host is asked through the environment's own address (and TLS name), as a proxy would.
    for (const host of allowedHosts) {
      const answer = await ask(url.toString(), `${host}${portSuffix}`)
      probes.push({ name: `allowed host ${host}`, request: { url: url.toString(), host }, answer, judged: judgeAllowed(answer), expect: 'served' })
    }
    const reference = probes[0]?.answer
    const foreign = await ask(url.toString(), `${o.foreignHost}${portSuffix}`)
    probes.push({ name: `foreign Host header ${o.foreignHost}`, request: { url: url.toString(), host: o.foreignHost }, answer: foreign, judged: judgeForeign(foreign, reference, allowedHosts), expect: 'refused' })

    if (o.byIp) {
      const address = await addressOf(url.hostname, ctx.environment.resolve)
      if (address && !net.isIP(url.hostname.replace(/^\[|\]$/g, ''))) {
        const ipUrl = new URL(url)
        ipUrl.hostname = address.includes(':') ? `[${address}]` : address
        // The certificate cannot name a bare IP: the probe is about what the app does, not about TLS.
        const answer = await ask(ipUrl.toString(), ipUrl.host, true)
        probes.push({ name: `bare IP address ${address}`, request: { url: ipUrl.toString(), host: ipUrl.host }, answer, judged: judgeForeign(answer, reference, allowedHosts), expect: 'refused' })
      } else if (!address) ctx.log(`${url.hostname} did not resolve: the bare-IP probe is skipped`)
    }

    for (const p of probes) ctx.log(`${p.name}: ${p.judged.ok ? 'ok' : 'NOT OK'} — ${p.judged.why}`)
    await ctx.writeEvidence('host-guard.json', JSON.stringify({ url: url.toString(), allowedHosts, probes }, null, 2), 'host guard probes')
    const data = { allowedHosts, probes: probes.map((p) => ({ name: p.name, expect: p.expect, ok: p.judged.ok, why: p.judged.why })) }
    // While the app refuses its own host, refusals of foreign ones say nothing about a guard.
    const notServed = probes.filter((p) => p.expect === 'served' && !p.judged.ok)
    if (notServed.length) {
      return { status: 'failed', summary: `${notServed.map((p) => `${p.name} ${p.judged.why}`).join('; ')} (the foreign-host probes mean nothing until it is served)`, data }
    }
    const bad = probes.filter((p) => !p.judged.ok)
    if (bad.length) return { status: 'failed', summary: `host guard missing or incomplete: ${bad.map((p) => `${p.name} ${p.judged.why}`).join('; ')}`, data }
    return { status: 'passed', summary: probes.map((p) => `${p.name} ${p.judged.why}`).join('; '), data }
  },
})

async function addressOf(hostname: string, resolve: Record<string, string> | undefined): Promise<string | null> {
  const host = hostname.replace(/^\[|\]$/g, '')
  if (resolve?.[host]) return resolve[host]!
  if (net.isIP(host)) return host
  try {
    return (await dns.lookup(host)).address
  } catch {
    return null
  }
}

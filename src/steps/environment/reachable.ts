import dns from 'node:dns/promises'
import net from 'node:net'
import { z } from 'zod'
import { defineStepKind, type StepOutcome } from '../../engine/step-kind.js'
import { httpRequest, HttpRequestError } from '../../adapters/http/request.js'
import { failureWords, portOf, targetOptionShape, targetUrl, trustedCa } from './target.js'

export const reachableOptions = z.strictObject({
  ...targetOptionShape,
  timeoutMs: z.number().int().positive().default(10_000).describe('Per stage (DNS, TCP, HTTP).'),
})
export type ReachableOptions = z.output<typeof reachableOptions>

interface Stage {
  stage: 'dns' | 'tcp' | 'http'
  ok: boolean
  ms: number
  detail: string
}

export default defineStepKind<ReachableOptions>({
  kind: 'reachable',
  needsLiveApp: true,
  description: 'the environment answers: DNS, TCP and HTTP each timed; a failure says which of them failed',
  options: reachableOptions,
  async run(ctx) {
    const o = ctx.options
    const url = targetUrl(ctx, o.url)
    const host = url.hostname.replace(/^\[|\]$/g, '')
    const port = portOf(url)
    const stages: Stage[] = []
    const finish = async (outcome: StepOutcome): Promise<StepOutcome> => {
      for (const s of stages) ctx.log(`${s.stage.toUpperCase()} ${s.ok ? 'ok' : 'FAILED'} in ${s.ms} ms: ${s.detail}`)
      await ctx.writeEvidence('reachable.json', JSON.stringify({ url: url.toString(), stages }, null, 2), `reachability of ${url.origin}`)
      return { ...outcome, data: { ...outcome.data, url: url.toString(), stages: Object.fromEntries(stages.map((s) => [s.stage, { ok: s.ok, ms: s.ms }])) } }
    }

    // DNS: the resolve map (curl --resolve style) wins over the system resolver, as in every other gate.
    let t = performance.now()
    let address = ctx.environment.resolve?.[host] ?? (net.isIP(host) ? host : undefined)
    if (address) stages.push({ stage: 'dns', ok: true, ms: ms(t), detail: `${host} → ${address} (${net.isIP(host) ? 'IP address' : 'resolve map'})` })
    else {
      try {
        address = (await withTimeout(dns.lookup(host), o.timeoutMs, ctx.signal)).address
        stages.push({ stage: 'dns', ok: true, ms: ms(t), detail: `${host} → ${address}` })
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error'
        const detail = code === 'ETIMEDOUT' ? `no answer for ${host} within ${o.timeoutMs} ms` : `${host} does not resolve (${code})`
        stages.push({ stage: 'dns', ok: false, ms: ms(t), detail })
        return finish({ status: 'failed', summary: `${code === 'ETIMEDOUT' ? 'timeout' : 'DNS failure'}: ${detail}`, data: { failedAt: 'dns' } })
      }
    }

    t = performance.now()
    const tcp = await connectTcp(address, port, o.timeoutMs, ctx.signal)
    stages.push({ stage: 'tcp', ok: tcp.ok, ms: ms(t), detail: tcp.detail })
    // A refused connection is also what an environment with nothing deployed yet looks like.
    const firstHint = tcp.words === 'connection refused' && !ctx.firstDeploy ? '; if nothing is deployed there yet, this is a first deploy: run with --first' : ''
    if (!tcp.ok) return finish({ status: 'failed', summary: `${tcp.words}: ${tcp.detail}${firstHint}`, data: { failedAt: 'tcp' } })

    t = performance.now()
    try {
      const res = await httpRequest({
        url: url.toString(),
        resolve: { ...ctx.environment.resolve, [host]: address },
        ca: await trustedCa(ctx, o.ca),
        timeoutMs: o.timeoutMs,
        signal: ctx.signal,
        maxBodyBytes: 4096,
      })
      const tlsNote = res.tls ? `, ${res.tls.protocol}` : ''
      const detail = `GET ${url.pathname} → ${res.status}${tlsNote} (first byte ${res.timings.firstByteMs} ms)`
      // A 5xx comes from a proxy or a crashed app: the host answers, the environment is not usable.
      const ok = res.status < 500
      stages.push({ stage: 'http', ok, ms: ms(t), detail })
      const summary = stages.map((s) => `${s.stage.toUpperCase()} ${s.ms} ms`).join(', ')
      return finish(ok
        ? { status: 'passed', summary: `${url.host} reachable: ${summary}, HTTP ${res.status}`, data: { status: res.status } }
        : { status: 'failed', summary: `HTTP failure: ${url.host} answers, but with ${res.status} (${summary})`, data: { status: res.status, failedAt: 'http' } })
    } catch (error) {
      if (!(error instanceof HttpRequestError)) throw error
      stages.push({ stage: 'http', ok: false, ms: ms(t), detail: error.message })
      return finish({ status: 'failed', summary: `${failureWords(error)}: ${error.message}`, data: { failedAt: 'http', stage: error.stage } })
    }
  },
})

function connectTcp(address: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<{ ok: boolean; words: string; detail: string }> {
  return new Promise((resolve) => {
    const target = `${address.includes(':') ? `[${address}]` : address}:${port}`
    const socket = net.connect({ host: address, port })
    const done = (r: { ok: boolean; words: string; detail: string }) => {
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
      socket.destroy()
      resolve(r)
    }
    const timer = setTimeout(() => done({ ok: false, words: 'timeout', detail: `TCP connection to ${target} not accepted within ${timeoutMs} ms` }), timeoutMs)
    const onAbort = () => done({ ok: false, words: 'cancelled', detail: 'cancelled' })
    signal.addEventListener('abort', onAbort, { once: true })
    socket.once('connect', () => done({ ok: true, words: 'ok', detail: `connected to ${target}` }))
    socket.once('error', (e: NodeJS.ErrnoException) => {
      const words = e.code === 'ECONNREFUSED' ? 'connection refused' : e.code === 'ETIMEDOUT' ? 'timeout' : 'connection failed'
      done({ ok: false, words, detail: `TCP connection to ${target} failed (${e.code ?? 'error'}): ${e.message}` })
    })
  })
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), timeoutMs)
    const onAbort = () => reject(Object.assign(new Error('cancelled'), { code: 'ABORT_ERR' }))
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => {
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
    })
  })
}

function ms(start: number): number {
  return Math.round((performance.now() - start) * 10) / 10
}

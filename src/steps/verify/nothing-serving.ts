import { z } from 'zod'
import { defineStepKind } from '../../engine/step-kind.js'
import { httpRequest, HttpRequestError } from '../../adapters/http/request.js'
import { failureWords, targetUrl, trustedCa } from '../environment/target.js'

/** Answers that mean no app is behind the address: a proxy or platform with nothing to route to. */
const NOTHING_BEHIND = new Set([404, 502, 503, 504])

/**
 * The proof of a rolled-back first deploy: before it nothing served, so after the take-down nothing
 * may answer at the environment's URL. Smoke tests cannot prove that (they need an app to pass).
 * Passes on a failed name lookup, a refused connection or a timeout, or a 404/502/503/504 from
 * whatever fronts the address; any other answer (a TLS handshake included) means something serves.
 */
export default defineStepKind<Record<string, never>>({
  kind: 'nothing-serving',
  description: "after a first deploy is taken down, nothing answers at the environment's URL (connection refused, or 404/502/503/504 from a front with nothing behind it)",
  options: z.strictObject({}),
  async run(ctx) {
    const url = targetUrl(ctx, undefined)
    const ca = await trustedCa(ctx, undefined)
    try {
      const res = await httpRequest({ url: url.toString(), ca, resolve: ctx.environment.resolve, timeoutMs: 10_000, signal: ctx.signal, maxBodyBytes: 2000 })
      await ctx.writeEvidence('nothing-serving.json', JSON.stringify({ url: url.toString(), status: res.status }, null, 2), 'what answers at the URL')
      return NOTHING_BEHIND.has(res.status)
        ? { status: 'passed', summary: `nothing serving at ${url.origin}: HTTP ${res.status} with no app behind it`, data: { status: res.status } }
        : { status: 'failed', summary: `something still serves at ${url.origin}: HTTP ${res.status}`, data: { status: res.status } }
    } catch (error) {
      if (!(error instanceof HttpRequestError) || error.stage === 'aborted') throw error
      const why = failureWords(error)
      // A TLS handshake, or a broken answer, means a server is there.
      if (error.stage === 'tls' || error.stage === 'response') return { status: 'failed', summary: `something still answers at ${url.origin} (${why}: ${error.message})` }
      await ctx.writeEvidence('nothing-serving.json', JSON.stringify({ url: url.toString(), failure: why, stage: error.stage }, null, 2), 'what answers at the URL')
      return { status: 'passed', summary: `nothing serving at ${url.origin}: ${why}`, data: { failure: why } }
    }
  },
})

import { z } from 'zod'
import { defineStepKind, type StepOutcome } from '../../engine/step-kind.js'
import { stepCa } from '../trust.js'
import { duration } from '../../config/schema.js'
import { formatDuration } from '../../config/duration.js'
import { httpRequest, HttpRequestError, type HttpResponse } from '../../adapters/http/request.js'
import { resolveUrl } from '../url.js'
import { valueAt, matchesRelease } from './version-match.js'

export const waitLiveOptions = z.strictObject({
  path: z.string().min(1).default('/version.json').describe('The version endpoint: a path on the environment\'s URL, or an absolute URL.'),
  field: z.string().min(1).default('version').describe('Dotted path of the field holding the version in its JSON ("version", "commit", "build.sha").'),
  release: z.string().min(1).optional().describe('The release to wait for; the deploy step\'s, else the run\'s release.'),
  interval: duration.default(5000),
  timeout: duration.default(10 * 60_000).describe('Longest wait; the step fails after it with the last answer.'),
  requestTimeout: duration.default(10_000).describe('Per request.'),
  headers: z.record(z.string(), z.string()).default({}),
  deployStep: z.string().default('deploy').describe('Id of the deploy step whose release this waits for.'),
})
export type WaitLiveOptions = z.output<typeof waitLiveOptions>

interface Look {
  /** What the endpoint said, in a few words (for the log when it changes). */
  note: string
  reported?: unknown
  /** The top-level field that does report the release, when the configured one is missing. */
  misnamed?: string
  response?: HttpResponse
  error?: string
}

/** Waits `ms` or until the signal aborts (then resolves early: the caller checks the signal). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}

export default defineStepKind<WaitLiveOptions>({
  kind: 'wait-live',
  description: 'polls the version endpoint (/version.json by default) until it reports the release being deployed; bounded',
  options: waitLiveOptions,
  async run(ctx): Promise<StepOutcome> {
    const o = ctx.options
    const deployed = ctx.outputs.get(o.deployStep) as { release?: string } | undefined
    const release = o.release ?? deployed?.release ?? ctx.environment.release
    if (!release) return { status: 'failed', summary: 'no release to wait for: pass --release, set the environment\'s release, or options.release' }
    const url = resolveUrl(ctx.environment.url, o.path)
    ctx.log(`waiting for ${url} to report ${o.field} = ${release}`)

    const ca = await stepCa(ctx)
    const started = performance.now()
    const deadline = started + o.timeout
    let polls = 0
    let last: Look | undefined
    let lastNote: string | undefined
    for (;;) {
      polls++
      last = await look(url, o, release, { resolve: ctx.environment.resolve, ca }, ctx.signal)
      if (ctx.signal.aborted) throw new Error('stopped')
      // Each change of answer once, not every poll.
      if (last.note !== lastNote) ctx.log(`${url}: ${last.note}`)
      lastNote = last.note
      if (last.reported !== undefined && matchesRelease(last.reported, release)) break
      // The release is live, only named differently: waiting longer would not change the answer.
      if (last.misnamed) break
      const left = deadline - performance.now()
      if (left <= 0) break
      await pause(Math.min(o.interval, left), ctx.signal)
      if (ctx.signal.aborted) throw new Error('stopped')
    }

    const elapsedMs = Math.round(performance.now() - started)
    const evidence = {
      url,
      field: o.field,
      expected: release,
      reported: last.reported ?? null,
      polls,
      elapsedMs,
      lastAnswer: last.response
        ? { status: last.response.status, headers: last.response.headers, body: last.response.body.slice(0, 4000), timings: last.response.timings }
        : { error: last.error },
    }
    await ctx.writeEvidence('version-response.json', JSON.stringify(evidence, null, 2), `last answer of ${url}`)
    const data = { url, release, reported: last.reported ?? null, polls, elapsedMs }
    if (last.reported !== undefined && matchesRelease(last.reported, release)) {
      return { status: 'passed', summary: `${url} reports ${String(last.reported)} after ${polls} poll${polls === 1 ? '' : 's'}`, data }
    }
    return { status: 'failed', summary: `after ${formatDuration(elapsedMs)} ${url} still does not report ${release}: ${last.note}`, data }
  },
})

async function look(url: string, o: WaitLiveOptions, release: string, reach: { resolve?: Record<string, string>; ca?: string }, signal: AbortSignal): Promise<Look> {
  // A request of its own per poll, detached afterwards, so a long wait leaves no listeners behind.
  const child = new AbortController()
  const follow = () => child.abort()
  signal.addEventListener('abort', follow, { once: true })
  try {
    const res = await httpRequest({ url, headers: { accept: 'application/json', 'cache-control': 'no-cache', ...o.headers }, timeoutMs: o.requestTimeout, ...reach, signal: child.signal })
    if (res.status !== 200) return { note: `HTTP ${res.status}`, response: res }
    let json: unknown
    try {
      json = JSON.parse(res.body)
    } catch {
      return { note: 'HTTP 200 but the body is not JSON', response: res }
    }
    const reported = valueAt(json, o.field)
    if (reported === undefined || reported === null) {
      const misnamed = json && typeof json === 'object' ? Object.entries(json).find(([, v]) => (typeof v === 'string' || typeof v === 'number') && matchesRelease(v, release))?.[0] : undefined
      if (misnamed) return { note: `HTTP 200 without the field "${o.field}"; the release is in "${misnamed}": set the wait-live step's options.field to "${misnamed}"`, misnamed, response: res }
      return { note: `HTTP 200 without the field "${o.field}"`, response: res }
    }
    return { note: `reports ${String(reported)}`, reported, response: res }
  } catch (error) {
    const message = error instanceof HttpRequestError ? error.message : (error as Error).message
    return { note: message, error: message }
  } finally {
    signal.removeEventListener('abort', follow)
  }
}

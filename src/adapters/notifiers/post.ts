import { setTimeout as sleep } from 'node:timers/promises'
import { httpRequest, HttpRequestError, type HttpResponse } from '../http/request.js'
import { NotifyError } from './notifier.js'

export interface RetryPolicy {
  /** Extra attempts after the first one (429, 5xx, refused connection). */
  maxRetries: number
  /** A 429 asking to wait longer than this is not retried: the step must not hang on a rate limit. */
  maxRetryWaitMs: number
}

export interface PostOptions extends RetryPolicy {
  /** Channel name for error messages; the URL itself never appears in one (it is a secret). */
  channel: string
  url: string
  body: string
  headers: Record<string, string>
  timeoutMs: number
  signal: AbortSignal
  resolve?: Record<string, string>
}

/**
 * POSTs a JSON body, retrying what is safe to retry: a 429 after its Retry-After, a 5xx, and a
 * connection that was never made. A timeout is not retried: the message may have arrived.
 * Returns the accepted response; throws NotifyError with the last reason otherwise.
 */
export async function postWithRetry(opts: PostOptions): Promise<HttpResponse> {
  let attempt = 0
  for (;;) {
    attempt++
    let wait: number
    try {
      const res = await httpRequest({
        url: opts.url,
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', ...opts.headers },
        body: opts.body,
        timeoutMs: opts.timeoutMs,
        signal: opts.signal,
        resolve: opts.resolve,
        maxBodyBytes: 4000,
      })
      if (res.status >= 200 && res.status < 300) return res
      const reason = `${opts.channel} answered HTTP ${res.status}${bodyHint(res.body)}`
      if (res.status === 429) {
        const asked = retryAfterMs(res.headers['retry-after'])
        if (asked > opts.maxRetryWaitMs) throw new NotifyError(opts.channel, `${reason}; rate limited, asked to wait ${Math.ceil(asked / 1000)} s (more than the ${Math.ceil(opts.maxRetryWaitMs / 1000)} s allowed)`, 429)
        wait = asked
      } else if (res.status >= 500) {
        wait = backoff(attempt)
      } else {
        throw new NotifyError(opts.channel, reason, res.status)
      }
      if (attempt > opts.maxRetries) throw new NotifyError(opts.channel, `${reason} (after ${attempt} attempts)`, res.status)
    } catch (error) {
      if (error instanceof NotifyError) throw error
      if (!(error instanceof HttpRequestError)) throw error
      const retryable = error.stage === 'connect' || error.stage === 'dns'
      if (!retryable || attempt > opts.maxRetries) {
        throw new NotifyError(opts.channel, `${opts.channel}: ${error.message}${attempt > 1 ? ` (after ${attempt} attempts)` : ''}`, undefined, { cause: error })
      }
      wait = backoff(attempt)
    }
    await sleep(wait, undefined, { signal: opts.signal }).catch(() => {
      throw new NotifyError(opts.channel, `${opts.channel}: cancelled while waiting to retry`)
    })
  }
}

/** Retry-After in seconds or as an HTTP date; a missing or unreadable one means one second. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number {
  if (!header) return 1000
  const seconds = Number(header.trim())
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000
  const date = Date.parse(header)
  return Number.isNaN(date) ? 1000 : Math.max(0, date - now)
}

function backoff(attempt: number): number {
  return Math.min(250 * 2 ** (attempt - 1), 4000)
}

/** The start of an error body (Slack answers with a short word such as `channel_not_found`). */
function bodyHint(body: string): string {
  const text = body.replace(/\s+/g, ' ').trim().slice(0, 200)
  return text ? `: ${text}` : ''
}

import { httpRequest, HttpRequestError } from '../http/request.js'
import { sleep, withChildSignal } from './poll.js'

export interface ApiCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  url: string
  headers: Record<string, string>
  body?: unknown
  signal: AbortSignal
  resolve?: Record<string, string>
  log?: (line: string) => void
  timeoutMs?: number
  /** How many times a 429 / 503 is waited out before giving up. */
  maxRetries?: number
  /** Longest single wait for a rate limit; a longer one fails at once, naming when to retry. */
  maxWaitMs?: number
}

export interface ApiAnswer {
  status: number
  headers: Record<string, string>
  json: unknown
  text: string
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly json?: unknown,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/**
 * One JSON request to a provider's API. Rate limits (429, and 503 with Retry-After) are waited
 * out: Retry-After in seconds or as a date, else the reset time the provider sends
 * (DigitalOcean `ratelimit-reset`, Railway `X-RateLimit-Reset`, both epoch seconds), else a short
 * backoff. Any other answer comes back as is: the caller knows its provider's error shape.
 */
export async function requestJson(call: ApiCall): Promise<ApiAnswer> {
  const maxRetries = call.maxRetries ?? 4
  const maxWaitMs = call.maxWaitMs ?? 90_000
  for (let attempt = 0; ; attempt++) {
    let res
    try {
      res = await withChildSignal(call.signal, (signal) => httpRequest({
        url: call.url,
        method: call.method,
        headers: {
          accept: 'application/json',
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...call.headers,
        },
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal,
        resolve: call.resolve,
        timeoutMs: call.timeoutMs ?? 30_000,
      }))
    } catch (error) {
      if (error instanceof HttpRequestError) throw new ApiError(`${call.method} ${pathOf(call.url)}: ${error.message}`)
      throw error
    }
    const limited = res.status === 429 || (res.status === 503 && res.headers['retry-after'] !== undefined)
    if (limited && attempt < maxRetries) {
      const waitMs = retryDelay(res.headers, attempt)
      if (waitMs > maxWaitMs) {
        throw new ApiError(`${call.method} ${pathOf(call.url)}: rate limited (HTTP ${res.status}); the provider asks to wait ${Math.ceil(waitMs / 1000)} s`, res.status)
      }
      call.log?.(`rate limited (HTTP ${res.status}) on ${call.method} ${pathOf(call.url)}; retrying in ${(waitMs / 1000).toFixed(1)} s`)
      await sleep(waitMs, call.signal)
      continue
    }
    let json: unknown
    try {
      json = res.body ? JSON.parse(res.body) : undefined
    } catch {
      json = undefined
    }
    return { status: res.status, headers: res.headers, json, text: res.body }
  }
}

/** Milliseconds to wait before retrying a rate-limited call. */
export function retryDelay(headers: Record<string, string>, attempt: number, now = Date.now()): number {
  const retryAfter = headers['retry-after']
  if (retryAfter !== undefined) {
    if (/^\d+(\.\d+)?$/.test(retryAfter.trim())) return Math.round(Number(retryAfter) * 1000)
    const at = Date.parse(retryAfter)
    if (!Number.isNaN(at)) return Math.max(0, at - now)
  }
  const reset = headers['ratelimit-reset'] ?? headers['x-ratelimit-reset']
  if (reset !== undefined && /^\d+$/.test(reset.trim())) {
    const value = Number(reset)
    // Epoch seconds, or (some APIs) seconds from now.
    const ms = value > 1e9 ? value * 1000 - now : value * 1000
    return Math.max(0, ms)
  }
  return Math.min(30_000, 1000 * 2 ** attempt)
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname
  } catch {
    return url
  }
}

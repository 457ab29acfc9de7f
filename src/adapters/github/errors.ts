/** Why a GitHub call failed, in the words a user acts on. */
export type GitHubFailure = 'unauthorized' | 'rate-limited' | 'forbidden' | 'not-found' | 'unreachable' | 'http' | 'graphql'

export class GitHubError extends Error {
  constructor(
    readonly failure: GitHubFailure,
    message: string,
    readonly status?: number,
    /** When a rate limit lifts (ISO time), for rate-limited failures. */
    readonly resetAt?: string,
  ) {
    super(message)
    this.name = 'GitHubError'
  }
}

export interface FailedResponse {
  status: number
  headers: Record<string, string>
  body: string
}

export interface FailureContext {
  /** What was asked for, for the message: "GET /repos/o/r/commits/abc/status". */
  what: string
  /** Variable the token came from, and whether it held one. */
  tokenEnv: string
  tokenSet: boolean
  now?: Date
}

/**
 * Turns a GitHub error response into a message that says what to do. Primary rate limit: 403 or 429
 * with x-ratelimit-remaining 0 (wait until x-ratelimit-reset); secondary: 403/429 with retry-after
 * or a message saying so.
 */
export function describeFailure(res: FailedResponse, ctx: FailureContext): GitHubError {
  const apiMessage = messageOf(res.body)
  const said = apiMessage ? `: ${apiMessage}` : ''
  const now = ctx.now ?? new Date()
  if (res.status === 401) {
    const hint = ctx.tokenSet
      ? `GitHub rejected the token in ${ctx.tokenEnv} (401${said}); check that it is valid, not expired, and authorised for this organisation`
      : `GitHub asked for credentials (401${said}) and ${ctx.tokenEnv} is not set; export a token with read access to the repository`
    return new GitHubError('unauthorized', hint, 401)
  }
  if (res.status === 403 || res.status === 429) {
    const remaining = res.headers['x-ratelimit-remaining']
    const retryAfter = res.headers['retry-after']
    if (remaining === '0') {
      const resetEpoch = Number(res.headers['x-ratelimit-reset'])
      const reset = Number.isFinite(resetEpoch) && resetEpoch > 0 ? new Date(resetEpoch * 1000) : undefined
      const wait = reset ? ` at ${reset.toISOString()} (in ${minutesUntil(reset, now)})` : ''
      const limit = res.headers['x-ratelimit-limit'] ? ` of ${res.headers['x-ratelimit-limit']} requests an hour` : ''
      const tokenHint = ctx.tokenSet ? '' : `; without a token the limit is 60 an hour: set ${ctx.tokenEnv}`
      return new GitHubError('rate-limited', `GitHub API rate limit${limit} used up (${res.status}); it resets${wait}${tokenHint}`, res.status, reset?.toISOString())
    }
    if (retryAfter || /secondary rate limit|abuse/i.test(apiMessage)) {
      const seconds = Number(retryAfter)
      const reset = Number.isFinite(seconds) ? new Date(now.getTime() + seconds * 1000) : undefined
      const wait = Number.isFinite(seconds) ? `retry after ${seconds} s` : 'wait at least a minute before retrying'
      return new GitHubError('rate-limited', `GitHub secondary rate limit hit (${res.status}${said}); ${wait}`, res.status, reset?.toISOString())
    }
    const scope = ctx.tokenSet ? `the token in ${ctx.tokenEnv} lacks access` : `${ctx.tokenEnv} is not set`
    return new GitHubError('forbidden', `GitHub refused ${ctx.what} (${res.status}${said}); ${scope}?`, res.status)
  }
  if (res.status === 404) {
    const scope = ctx.tokenSet ? `check the repository name, the ref, and that the token in ${ctx.tokenEnv} can read it` : `a private repository needs a token in ${ctx.tokenEnv}`
    return new GitHubError('not-found', `GitHub answered 404 for ${ctx.what}; ${scope}`, 404)
  }
  return new GitHubError('http', `GitHub answered ${res.status} for ${ctx.what}${said}`, res.status)
}

function messageOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown }
    return typeof parsed.message === 'string' ? parsed.message : ''
  } catch {
    return body.trim().slice(0, 200)
  }
}

function minutesUntil(when: Date, now: Date): string {
  const minutes = Math.max(0, Math.ceil((when.getTime() - now.getTime()) / 60_000))
  return minutes === 1 ? '1 minute' : `${minutes} minutes`
}

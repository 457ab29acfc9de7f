import { httpRequest, HttpRequestError, type HttpResponse } from '../http/request.js'
import { describeFailure, GitHubError } from './errors.js'
import { nextPageUrl } from './link.js'
import { graphqlUrlFor } from './remote.js'

export interface GitHubClientOptions {
  /** REST base: https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise. */
  apiUrl: string
  /** GraphQL endpoint; by default derived from apiUrl. */
  graphqlUrl?: string
  token?: string
  /** Name of the variable the token came from, for messages. */
  tokenEnv: string
  signal?: AbortSignal
  timeoutMs?: number
}

/** The few GitHub REST and GraphQL calls the gates make, with messages that say what went wrong. */
export class GitHubClient {
  private readonly base: string
  private readonly graphqlEndpoint: string

  constructor(private readonly opts: GitHubClientOptions) {
    this.base = opts.apiUrl.replace(/\/+$/, '')
    this.graphqlEndpoint = opts.graphqlUrl ?? graphqlUrlFor(this.base)
  }

  /** GET a REST path ('/repos/o/r/…') and parse its JSON. */
  async get<T>(path: string, query: Record<string, string | number> = {}): Promise<T> {
    const res = await this.send('GET', this.url(path, query), `GET ${path}`)
    return parseJson<T>(res, path)
  }

  /**
   * Every page of a list, following `Link: rel="next"` on the same origin only (the token must not
   * travel elsewhere). `items` picks the list out of a page: the page itself, or a field of it.
   */
  async paginate<P, T>(path: string, query: Record<string, string | number>, items: (page: P) => T[], maxPages = 20): Promise<{ items: T[]; pages: P[] }> {
    const all: T[] = []
    const pages: P[] = []
    let next: string | null = this.url(path, { per_page: 100, ...query })
    const origin = new URL(this.base).origin
    for (let n = 0; next && n < maxPages; n++) {
      const res = await this.send('GET', next, `GET ${path}`)
      const page = parseJson<P>(res, path)
      pages.push(page)
      all.push(...items(page))
      const candidate = nextPageUrl(res.headers.link)
      next = candidate && new URL(candidate, next).origin === origin ? new URL(candidate, next).toString() : null
    }
    return { items: all, pages }
  }

  /** One GraphQL query; GraphQL errors (answered with HTTP 200) become a GitHubError too. */
  async graphql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const res = await this.send('POST', this.graphqlEndpoint, 'POST graphql', JSON.stringify({ query, variables }))
    const body = parseJson<{ data?: T; errors?: { message?: string; type?: string }[] }>(res, 'graphql')
    if (body.errors?.length) {
      const messages = body.errors.map((e) => `${e.type ? `${e.type}: ` : ''}${e.message ?? 'unknown error'}`).join('; ')
      throw new GitHubError('graphql', `GitHub GraphQL query failed: ${messages}`, res.status)
    }
    if (!body.data) throw new GitHubError('graphql', 'GitHub GraphQL answer carried no data', res.status)
    return body.data
  }

  private url(path: string, query: Record<string, string | number>): string {
    const url = new URL(this.base + path)
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v))
    return url.toString()
  }

  private async send(method: string, url: string, what: string, body?: string): Promise<HttpResponse> {
    const headers: Record<string, string> = {
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
    }
    // The token travels in a header only, never in a URL that could end up in a log.
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`
    if (body) headers['content-type'] = 'application/json'
    let res: HttpResponse
    try {
      res = await httpRequest({ url, method, headers, body, signal: this.opts.signal, timeoutMs: this.opts.timeoutMs ?? 30_000 })
    } catch (error) {
      if (error instanceof HttpRequestError && error.stage !== 'aborted') {
        throw new GitHubError('unreachable', `GitHub API at ${new URL(url).origin} unreachable: ${error.message}`)
      }
      throw error
    }
    if (res.status >= 400) {
      throw describeFailure(res, { what, tokenEnv: this.opts.tokenEnv, tokenSet: Boolean(this.opts.token) })
    }
    return res
  }
}

function parseJson<T>(res: HttpResponse, what: string): T {
  try {
    return JSON.parse(res.body) as T
  } catch {
    throw new GitHubError('http', `GitHub answered ${res.status} for ${what} with a body that is not JSON: ${res.body.slice(0, 120)}`, res.status)
  }
}

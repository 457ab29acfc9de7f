import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Recorded {
  method: string
  path: string
  query: URLSearchParams
  headers: http.IncomingHttpHeaders
  body: string
}

export interface Reply {
  status?: number
  headers?: Record<string, string>
  body?: unknown
}

export type Handler = (req: Recorded & { call: number; base: string }) => Reply

/**
 * A local stand-in for the GitHub API answering the documented JSON shapes. Routes are added per
 * test; a token, when set, is required the way GitHub requires it (401 "Bad credentials"), and a
 * rate limit can be switched on (403 with x-ratelimit-remaining 0).
 */
export async function startFakeGitHub(opts: { token?: string } = {}) {
  const routes = new Map<string, Handler>()
  const calls = new Map<string, number>()
  const requests: Recorded[] = []
  let rateLimitedUntil: number | null = null

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x')
      const recorded: Recorded = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }
      requests.push(recorded)
      const send = (r: Reply) => {
        res.writeHead(r.status ?? 200, { 'content-type': 'application/json; charset=utf-8', 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4999', ...r.headers })
        res.end(r.body === undefined ? '' : JSON.stringify(r.body))
      }
      if (opts.token && req.headers.authorization !== `Bearer ${opts.token}`) {
        return send({ status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' } })
      }
      if (rateLimitedUntil !== null) {
        return send({
          status: 403,
          headers: { 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '60', 'x-ratelimit-reset': String(rateLimitedUntil) },
          body: { message: "API rate limit exceeded for 203.0.113.7. (But here's the good news: Authenticated requests get a higher rate limit.)", documentation_url: 'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting' },
        })
      }
      const key = `${recorded.method} ${recorded.path}`
      const handler = routes.get(key)
      if (!handler) return send({ status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } })
      const call = (calls.get(key) ?? 0) + 1
      calls.set(key, call)
      send(handler({ ...recorded, call, base }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: base,
    requests,
    on(method: string, path: string, handler: Handler | Reply) {
      routes.set(`${method} ${path}`, typeof handler === 'function' ? handler : () => handler)
    },
    calls: (method: string, path: string) => calls.get(`${method} ${path}`) ?? 0,
    rateLimit(resetEpochSeconds: number) {
      rateLimitedUntil = resetEpochSeconds
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/**
 * One page of a list the way GitHub pages it: `page` and `per_page` (capped, as GitHub caps at 100),
 * a `Link` header with rel="next"/"last". `wrap` puts the slice into an object (check runs).
 */
export function paged<T>(req: Recorded & { base: string }, items: T[], maxPerPage: number, wrap?: (slice: T[]) => unknown): Reply {
  const perPage = Math.min(Number(req.query.get('per_page') ?? 30), maxPerPage)
  const page = Number(req.query.get('page') ?? 1)
  const slice = items.slice((page - 1) * perPage, page * perPage)
  const last = Math.max(1, Math.ceil(items.length / perPage))
  const link = (p: number) => {
    const u = new URL(req.base + req.path)
    for (const [k, v] of req.query) u.searchParams.set(k, v)
    u.searchParams.set('page', String(p))
    return u.toString()
  }
  const links = [page < last ? `<${link(page + 1)}>; rel="next"` : null, page < last ? `<${link(last)}>; rel="last"` : null].filter(Boolean)
  return { headers: links.length ? { link: links.join(', ') } : {}, body: wrap ? wrap(slice) : slice }
}

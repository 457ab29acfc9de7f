import { httpRequest, type HttpTimings } from '../http/request.js'
import type { CookieJar } from './cookies.js'
import { buildRequest, parseResponse, type CallResult, type Transformer, type TrpcCall } from './wire.js'

export interface TrpcClientOptions {
  /** Absolute URL of the tRPC handler, e.g. https://staging.example/trpc. */
  endpoint: string
  transformer: Transformer
  headers?: Record<string, string>
  /** Host → IP map, as the environment's `resolve`. */
  resolve?: Record<string, string>
  ca?: string
  timeoutMs: number
  signal: AbortSignal
  /** Cookies set by earlier answers are sent, and new ones kept. */
  jar?: CookieJar
}

export interface TrpcExchange {
  method: string
  /** The request URL (a query's input is in it). */
  url: string
  status: number
  timings: HttpTimings
  results: CallResult[]
}

/**
 * Sends one tRPC request carrying `calls` (one call, or a batch of calls of one type) and returns
 * each call's result. Throws HttpRequestError when the server cannot be reached, TrpcWireError when
 * what answered is not tRPC.
 */
export async function callTrpc(opts: TrpcClientOptions, calls: TrpcCall[]): Promise<TrpcExchange> {
  const req = buildRequest(opts.endpoint, calls, opts.transformer)
  const cookie = opts.jar?.header(new URL(req.url).pathname)
  const res = await httpRequest({
    url: req.url,
    method: req.method,
    headers: { ...req.headers, ...opts.headers, ...(cookie ? { cookie } : {}) },
    body: req.body,
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
    resolve: opts.resolve,
    ca: opts.ca,
  })
  opts.jar?.absorb(res.headers['set-cookie'])
  return { method: req.method, url: req.url, status: res.status, timings: res.timings, results: parseResponse(res, calls, opts.transformer) }
}

import http from 'node:http'
import https from 'node:https'
import dns from 'node:dns'
import type { LookupFunction } from 'node:net'
import tls, { type TLSSocket, type PeerCertificate } from 'node:tls'

export interface HttpRequest {
  url: string
  method?: string
  headers?: Record<string, string>
  body?: string
  timeoutMs?: number
  signal?: AbortSignal
  /** Host name → IP address, like curl's --resolve: lets a test or sandbox host be reached without DNS. */
  resolve?: Record<string, string>
  /** Extra trusted CA certificates (PEM). Node's NODE_EXTRA_CA_CERTS applies as well. */
  ca?: string
  /** Keep the response body up to this many bytes. */
  maxBodyBytes?: number
  /**
   * Accept any server certificate. Only for probes that judge the server's behaviour rather than its
   * certificate (a request by bare IP address); `tls.authorized` still tells whether it would verify.
   */
  insecure?: boolean
}

export interface HttpTimings {
  dnsMs?: number
  connectMs?: number
  tlsMs?: number
  firstByteMs?: number
  totalMs: number
}

export interface TlsInfo {
  protocol: string | null
  authorized: boolean
  authorizationError?: string
  subject?: string
  issuer?: string
  subjectAltNames?: string[]
  validFrom?: string
  validTo?: string
}

export interface HttpResponse {
  status: number
  headers: Record<string, string>
  body: string
  timings: HttpTimings
  remoteAddress?: string
  tls?: TlsInfo
}

/** Which stage of a request failed: the thing a health check must name. */
export type HttpFailureStage = 'dns' | 'connect' | 'tls' | 'timeout' | 'response' | 'aborted'

export class HttpRequestError extends Error {
  constructor(
    readonly stage: HttpFailureStage,
    message: string,
    readonly code: string | undefined,
    readonly timings: HttpTimings,
  ) {
    super(message)
    this.name = 'HttpRequestError'
  }
}

/**
 * One HTTP(S) request with the detail a gate reports: timings per stage, the TLS peer, and errors
 * that say whether DNS, the connection, TLS or the server failed. No redirects are followed.
 */
export function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  const url = new URL(req.url)
  const isHttps = url.protocol === 'https:'
  const started = performance.now()
  const timings: HttpTimings = { totalMs: 0 }
  const since = () => Math.round((performance.now() - started) * 10) / 10
  const pinned = req.resolve?.[url.hostname]
  const lookup: LookupFunction | undefined = pinned
    ? (_host, options, callback) => {
        const family = pinned.includes(':') ? 6 : 4
        if ((options as { all?: boolean }).all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: pinned, family }])
        else callback(null, pinned, family)
      }
    : undefined

  return new Promise<HttpResponse>((resolve, reject) => {
    let stage: HttpFailureStage = 'dns'
    const fail = (error: NodeJS.ErrnoException, forced?: HttpFailureStage) => {
      timings.totalMs = since()
      const where = forced ?? stageOf(error, stage)
      reject(new HttpRequestError(where, describe(where, error, url), error.code, timings))
    }
    const options: https.RequestOptions = {
      method: req.method ?? 'GET',
      headers: { 'user-agent': 'rollout', ...req.headers },
      lookup: lookup ?? dns.lookup,
      servername: isHttps && !/^[\d.]+$|:/.test(url.hostname) ? url.hostname : undefined,
      // A configured CA is added to the public roots, not put in their place.
      ca: req.ca ? [...tls.rootCertificates, req.ca] : undefined,
      ...(req.insecure ? { rejectUnauthorized: false } : {}),
      agent: false,
    }
    const request = (isHttps ? https : http).request(url, options, (res) => {
      timings.firstByteMs = since()
      stage = 'response'
      const chunks: Buffer[] = []
      let size = 0
      const max = req.maxBodyBytes ?? 2_000_000
      res.on('data', (chunk: Buffer) => {
        if (size < max) chunks.push(chunk)
        size += chunk.length
      })
      res.on('error', (e) => fail(e))
      res.on('end', () => {
        timings.totalMs = since()
        const socket = res.socket as TLSSocket | null
        const headers: Record<string, string> = {}
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v
        resolve({
          status: res.statusCode ?? 0,
          headers,
          body: Buffer.concat(chunks).toString('utf8').slice(0, max),
          timings,
          remoteAddress: socket?.remoteAddress,
          tls: isHttps && socket ? tlsInfo(socket) : undefined,
        })
      })
    })
    request.on('socket', (socket) => {
      socket.on('lookup', () => {
        timings.dnsMs = since()
        stage = 'connect'
      })
      socket.on('connect', () => {
        timings.connectMs = since()
        stage = isHttps ? 'tls' : 'response'
      })
      socket.on('secureConnect', () => {
        timings.tlsMs = since()
        stage = 'response'
      })
    })
    request.on('error', (e) => fail(e))
    if (req.timeoutMs) {
      request.setTimeout(req.timeoutMs, () => {
        request.destroy(Object.assign(new Error(`no answer within ${req.timeoutMs} ms (while waiting for ${stageWord(stage)})`), { code: 'ETIMEDOUT' }))
      })
    }
    if (req.signal) {
      if (req.signal.aborted) return fail(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }), 'aborted')
      const signal = req.signal
      const onAbort = () => request.destroy(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }))
      signal.addEventListener('abort', onAbort, { once: true })
      // A step's signal outlives its many requests: each one takes its listener away when done.
      request.on('close', () => signal.removeEventListener('abort', onAbort))
    }
    request.end(req.body)
  })
}

function stageOf(error: NodeJS.ErrnoException, current: HttpFailureStage): HttpFailureStage {
  if (error.code === 'ABORT_ERR') return 'aborted'
  if (error.code === 'ETIMEDOUT') return 'timeout'
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') return 'dns'
  if (error.code === 'ECONNREFUSED' || error.code === 'EHOSTUNREACH' || error.code === 'ENETUNREACH') return 'connect'
  if (error.code?.startsWith('ERR_TLS') || error.code?.startsWith('CERT_') || /certificate|SSL|TLS/i.test(error.message) || error.code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || error.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || error.code === 'SELF_SIGNED_CERT_IN_CHAIN') return 'tls'
  return current
}

function stageWord(stage: HttpFailureStage): string {
  return { dns: 'DNS', connect: 'the TCP connection', tls: 'the TLS handshake', response: 'the response', timeout: 'the response', aborted: 'the response' }[stage]
}

function describe(stage: HttpFailureStage, error: NodeJS.ErrnoException, url: URL): string {
  const target = `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`
  const code = error.code ? ` (${error.code})` : ''
  switch (stage) {
    case 'dns':
      return `DNS lookup of ${url.hostname} failed${code}`
    case 'connect':
      return `TCP connection to ${target} failed${code}: ${error.message}`
    case 'tls':
      return `TLS handshake with ${target} failed${code}: ${error.message}`
    case 'timeout':
      return `timed out: ${error.message}`
    case 'aborted':
      return 'request cancelled'
    default:
      return `request to ${url.origin} failed${code}: ${error.message}`
  }
}

function tlsInfo(socket: TLSSocket): TlsInfo {
  const cert = socket.getPeerCertificate?.() as PeerCertificate | undefined
  const name = (o: unknown) =>
    o && typeof o === 'object' ? Object.entries(o as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(', ') : undefined
  return {
    protocol: socket.getProtocol?.() ?? null,
    authorized: socket.authorized,
    authorizationError: socket.authorizationError ? String(socket.authorizationError) : undefined,
    subject: cert ? name(cert.subject) : undefined,
    issuer: cert ? name(cert.issuer) : undefined,
    subjectAltNames: cert?.subjectaltname?.split(', ').map((s) => s.replace(/^DNS:/, '')),
    validFrom: cert?.valid_from,
    validTo: cert?.valid_to,
  }
}

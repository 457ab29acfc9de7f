import dns from 'node:dns/promises'
import net from 'node:net'
import tls, { type DetailedPeerCertificate, type TLSSocket } from 'node:tls'
import { HttpRequestError, type HttpTimings } from '../http/request.js'

export interface CertificateInfo {
  subject: string
  issuer: string
  subjectAltNames: string[]
  validFrom: string
  validTo: string
  serialNumber: string
  fingerprint256: string
  selfSigned: boolean
}

export interface TlsProbeResult {
  host: string
  port: number
  /** The name sent as SNI and checked against the certificate; undefined for an IP address. */
  servername?: string
  address: string
  protocol: string | null
  cipher: string | null
  /** Chain verified against the trusted CAs (dates included); the hostname is checked separately. */
  authorized: boolean
  /** OpenSSL's code when not authorized: CERT_HAS_EXPIRED, DEPTH_ZERO_SELF_SIGNED_CERT, … */
  authorizationError?: string
  /** Set when the certificate does not cover the host name. */
  hostnameError?: string
  certificate: CertificateInfo
  /** Leaf first, then its issuers as the server sent them. */
  chain: CertificateInfo[]
  timings: HttpTimings
}

export interface TlsProbeOptions {
  host: string
  port: number
  /** PEM of CAs trusted besides Node's own roots. */
  ca?: string
  /** Host name → IP address, like curl --resolve. */
  resolve?: Record<string, string>
  timeoutMs?: number
  signal?: AbortSignal
}

/**
 * One TLS handshake that accepts whatever the server presents, so the certificate can be described
 * even when it is bad; the verdict (chain, hostname, dates) is then reported, not thrown. Failures
 * before a certificate is seen throw an HttpRequestError naming the stage: dns, connect, tls, timeout.
 */
export async function probeTls(opts: TlsProbeOptions): Promise<TlsProbeResult> {
  const started = performance.now()
  const since = () => Math.round((performance.now() - started) * 10) / 10
  const timings: HttpTimings = { totalMs: 0 }
  const isIp = net.isIP(opts.host) !== 0
  let address = opts.resolve?.[opts.host] ?? (isIp ? opts.host : undefined)
  if (!address) {
    try {
      address = (await dns.lookup(opts.host)).address
    } catch (error) {
      timings.totalMs = since()
      const code = (error as NodeJS.ErrnoException).code
      throw new HttpRequestError('dns', `DNS lookup of ${opts.host} failed${code ? ` (${code})` : ''}`, code, timings)
    }
  }
  timings.dnsMs = since()
  const servername = isIp ? undefined : opts.host
  const target = `${opts.host}:${opts.port}`

  return new Promise<TlsProbeResult>((resolve, reject) => {
    let stage: 'connect' | 'tls' = 'connect'
    let done = false
    const socket: TLSSocket = tls.connect({
      host: address,
      port: opts.port,
      servername,
      ca: opts.ca ? [...tls.rootCertificates, opts.ca] : undefined,
      rejectUnauthorized: false,
      // The hostname is checked below on its own, so `authorized` speaks for the chain alone.
      checkServerIdentity: () => undefined,
    })
    const finish = (error: HttpRequestError | null, result?: TlsProbeResult) => {
      if (done) return
      done = true
      clearTimeout(timer)
      opts.signal?.removeEventListener('abort', onAbort)
      socket.destroy()
      if (error) reject(error)
      else resolve(result!)
    }
    const fail = (stageNow: 'connect' | 'tls' | 'timeout' | 'aborted', message: string, code?: string) => {
      timings.totalMs = since()
      finish(new HttpRequestError(stageNow, message, code, timings))
    }
    const timer = setTimeout(
      () => fail('timeout', `timed out: no ${stage === 'connect' ? 'TCP connection' : 'TLS handshake'} with ${target} within ${opts.timeoutMs} ms`, 'ETIMEDOUT'),
      opts.timeoutMs ?? 10_000,
    )
    const onAbort = () => fail('aborted', 'request cancelled', 'ABORT_ERR')
    opts.signal?.addEventListener('abort', onAbort, { once: true })
    if (opts.signal?.aborted) return onAbort()

    socket.once('connect', () => {
      timings.connectMs = since()
      stage = 'tls'
    })
    socket.once('secureConnect', () => {
      timings.tlsMs = since()
      timings.totalMs = timings.tlsMs
      const peer = socket.getPeerCertificate(true) as DetailedPeerCertificate
      if (!peer || !peer.raw) return fail('tls', `TLS handshake with ${target} gave no certificate`)
      const chain = chainOf(peer)
      const identity = servername ?? opts.host
      const hostnameError = tls.checkServerIdentity(identity, peer)
      finish(null, {
        host: opts.host,
        port: opts.port,
        servername,
        address: address!,
        protocol: socket.getProtocol(),
        cipher: socket.getCipher()?.name ?? null,
        authorized: socket.authorized,
        authorizationError: socket.authorizationError ? String((socket.authorizationError as unknown as { code?: string }).code ?? socket.authorizationError) : undefined,
        hostnameError: hostnameError?.message,
        certificate: chain[0]!,
        chain,
        timings,
      })
    })
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const refused = error.code === 'ECONNREFUSED' || error.code === 'EHOSTUNREACH' || error.code === 'ENETUNREACH'
      if (stage === 'connect' || refused) return fail('connect', `TCP connection to ${target} failed (${error.code ?? 'error'}): ${error.message}`, error.code)
      // OpenSSL's messages carry a source path and numbers; the reason is the part worth reading.
      const reason = /routines:[^:]*:([^:]+)/.exec(error.message)?.[1] ?? error.message.trim()
      const protocolHint = /unsupported protocol|wrong version number|no protocols available|version too low|protocol version/i.test(error.message)
        ? ' — the server offers no TLS version this client accepts (TLS 1.2 or newer)'
        : ''
      fail('tls', `TLS handshake with ${target} failed (${error.code ?? 'error'}): ${reason}${protocolHint}`, error.code)
    })
  })
}

function chainOf(leaf: DetailedPeerCertificate): CertificateInfo[] {
  const chain: CertificateInfo[] = []
  const seen = new Set<string>()
  let cert: DetailedPeerCertificate | undefined = leaf
  while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256)
    chain.push(describeCertificate(cert))
    cert = cert.issuerCertificate
  }
  return chain
}

function describeCertificate(cert: DetailedPeerCertificate): CertificateInfo {
  return {
    subject: distinguishedName(cert.subject),
    issuer: distinguishedName(cert.issuer),
    subjectAltNames: cert.subjectaltname ? cert.subjectaltname.split(', ').map((s) => s.trim()) : [],
    validFrom: isoDate(cert.valid_from),
    validTo: isoDate(cert.valid_to),
    serialNumber: cert.serialNumber,
    fingerprint256: cert.fingerprint256,
    selfSigned: cert.issuerCertificate ? cert.issuerCertificate.fingerprint256 === cert.fingerprint256 : distinguishedName(cert.subject) === distinguishedName(cert.issuer),
  }
}

function distinguishedName(name: unknown): string {
  if (!name || typeof name !== 'object') return ''
  return Object.entries(name as Record<string, string | string[]>)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ')
}

function isoDate(text: string): string {
  const d = new Date(text)
  return Number.isNaN(d.getTime()) ? text : d.toISOString()
}

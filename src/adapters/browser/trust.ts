import { createHash } from 'node:crypto'
import tls from 'node:tls'

export interface KeyPin {
  host: string
  /** base64 SHA-256 of the leaf certificate's public key (SPKI), as Chromium's flag wants it. */
  spki: string
}

export interface TrustResult {
  pins: KeyPin[]
  /** HTTPS origins whose certificate the tool's TLS client did not accept, with the reason. */
  refused: { origin: string; reason: string }[]
}

/**
 * Verifies each HTTPS origin's certificate with Node's TLS client — public roots, NODE_EXTRA_CA_CERTS
 * and the configured CA — including the host name and the dates, and returns the public key of each
 * one that passed. The browser is then told to accept those keys only, so it trusts what the
 * environment's own TLS gate trusts: a private staging CA works, and an expired or foreign
 * certificate still fails in the browser as it would for a user.
 */
export async function verifiedKeys(origins: string[], opts: { ca?: string; resolve?: Record<string, string>; timeoutMs?: number }): Promise<TrustResult> {
  const result: TrustResult = { pins: [], refused: [] }
  const unique = [...new Set(origins.map((o) => new URL(o)).filter((u) => u.protocol === 'https:').map((u) => u.origin))]
  await Promise.all(
    unique.map(async (origin) => {
      try {
        result.pins.push(await probe(new URL(origin), opts))
      } catch (error) {
        result.refused.push({ origin, reason: error instanceof Error ? error.message : String(error) })
      }
    }),
  )
  return result
}

function probe(url: URL, opts: { ca?: string; resolve?: Record<string, string>; timeoutMs?: number }): Promise<KeyPin> {
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const port = Number(url.port || 443)
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: opts.resolve?.[host] ?? host,
      port,
      servername: /^[\d.]+$|:/.test(host) ? undefined : host,
      // The configured CA is added to the public roots, as the HTTP client does.
      ca: opts.ca ? [...tls.rootCertificates, opts.ca] : undefined,
      checkServerIdentity: (_name, cert) => tls.checkServerIdentity(host, cert),
    })
    socket.setTimeout(opts.timeoutMs ?? 10_000, () => socket.destroy(new Error(`no TLS answer from ${host}:${port} within ${opts.timeoutMs ?? 10_000} ms`)))
    socket.once('secureConnect', () => {
      const cert = socket.getPeerX509Certificate()
      socket.end()
      if (!cert) return reject(new Error(`${host}:${port} presented no certificate`))
      const der = cert.publicKey.export({ type: 'spki', format: 'der' })
      resolve({ host, spki: createHash('sha256').update(der).digest('base64') })
    })
    socket.once('error', (error: NodeJS.ErrnoException) => reject(new Error(`${host}:${port}: ${error.code ? `${error.code}: ` : ''}${error.message}`)))
  })
}

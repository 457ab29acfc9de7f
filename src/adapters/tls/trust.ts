import { readFile } from 'node:fs/promises'
import path from 'node:path'
import tls from 'node:tls'

/** Where distributions keep the system's CA bundle (Debian/Ubuntu, Fedora/RHEL, Alpine/macOS-style). */
const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem']

export interface TrustSources {
  /** PEM text of the CAs to add to Node's own roots; undefined when there is nothing to add. */
  pem: string | undefined
  /** Where the added CAs came from, for the evidence. */
  sources: string[]
}

/**
 * The CAs a gate trusts on top of Node's bundled roots: the system bundle (an internal CA installed
 * with update-ca-certificates lands there, and Node does not read it), NODE_EXTRA_CA_CERTS (read
 * again here: Node only reads it at start-up, and only when no `ca` is passed) and a configured CA
 * file. A configured file that cannot be read is an error; the others are optional.
 */
export async function trustedExtras(opts: { caFile?: string; cwd: string; system?: boolean; env?: NodeJS.ProcessEnv }): Promise<TrustSources> {
  const env = opts.env ?? process.env
  const parts: string[] = []
  const sources: string[] = []
  const add = async (file: string, label: string, required: boolean) => {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      if (required) throw new Error(`cannot read the CA file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
      return
    }
    const certs = pemCertificates(text)
    if (!certs.length) {
      if (required) throw new Error(`the CA file ${file} holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)`)
      return
    }
    // Certificates Node already trusts are left out: each one added costs time on every handshake.
    const added = certs.filter((c) => !nodeRoots().has(body(c)))
    parts.push(...added)
    sources.push(`${label} (${file}${added.length < certs.length ? `, ${added.length} of ${certs.length} not among Node's roots` : ''})`)
  }
  if (opts.system !== false) {
    for (const file of env.SSL_CERT_FILE ? [env.SSL_CERT_FILE, ...SYSTEM_BUNDLES] : SYSTEM_BUNDLES) {
      const before = sources.length
      await add(file, 'system CAs', false)
      if (sources.length > before) break
    }
  }
  if (env.NODE_EXTRA_CA_CERTS) await add(env.NODE_EXTRA_CA_CERTS, 'NODE_EXTRA_CA_CERTS', false)
  if (opts.caFile) await add(path.resolve(opts.cwd, opts.caFile), 'configured CA', true)
  return { pem: parts.length ? parts.join('\n') : undefined, sources }
}

function pemCertificates(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
}

function body(pem: string): string {
  return pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '')
}

let roots: Set<string> | undefined
function nodeRoots(): Set<string> {
  roots ??= new Set(tls.rootCertificates.map(body))
  return roots
}

import { execFileSync } from 'node:child_process'
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { isIP } from 'node:net'
import path from 'node:path'

/**
 * Certificates for a sandbox: a local certificate authority and server certificates it signs, made
 * with the openssl CLI. Only file names go into openssl's arguments, never key material; keys are
 * owner-only and their folders 0700.
 */

const DAY = 86_400_000
/** A certificate with less than this left is made again rather than reused. */
const RENEW_BEFORE = 7 * DAY
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']

export interface CertificateAuthority {
  /** Folder holding the CA's key, certificate and its `openssl ca` database. */
  dir: string
  certFile: string
  keyFile: string
}

export interface CertificateFiles {
  caFile: string
  certFile: string
  keyFile: string
}

export interface EnsureCertificatesOptions {
  dir: string
  /** Names the server answers to; 127.0.0.1 is always added. */
  hosts: string[]
  /** Validity of the server certificate (default 90 days); the CA lasts ten years. */
  days?: number
}

/**
 * A local CA (made once, then reused) and a server certificate for `hosts` and 127.0.0.1 signed by
 * it. Both are reused while valid for more than a week (and, for the server certificate, while it
 * covers every host and was signed by this CA); otherwise they are made again.
 */
export function ensureCertificates(opts: EnsureCertificatesOptions): CertificateFiles & { made: ('ca' | 'server')[] } {
  const dir = path.resolve(opts.dir)
  privateDir(dir)
  const hosts = [...new Set([...opts.hosts, '127.0.0.1'])]
  const made: ('ca' | 'server')[] = []

  const caDir = path.join(dir, 'ca')
  const ca: CertificateAuthority = { dir: caDir, certFile: path.join(caDir, 'ca.pem'), keyFile: path.join(caDir, 'ca.key') }
  if (!usable(ca.certFile, ca.keyFile)) {
    createCertificateAuthority(caDir, { name: 'Rollout Sandbox CA', days: 3650 })
    made.push('ca')
  }

  const certFile = path.join(dir, 'server.pem')
  const keyFile = path.join(dir, 'server.key')
  if (made.includes('ca') || !usable(certFile, keyFile, { issuer: ca.certFile, hosts })) {
    const now = Date.now()
    issueCertificate(ca, { certFile, keyFile, hosts, notBefore: new Date(now - DAY), notAfter: new Date(now + (opts.days ?? 90) * DAY) })
    made.push('server')
  }
  return { caFile: ca.certFile, certFile, keyFile, made }
}

/** A new CA in `dir` (key, self-signed certificate, and the files `openssl ca` keeps its serials in). */
export function createCertificateAuthority(dir: string, opts: { name: string; days: number }): CertificateAuthority {
  privateDir(dir)
  privateDir(path.join(dir, 'issued'))
  writeFileSync(path.join(dir, 'index.txt'), '')
  writeFileSync(path.join(dir, 'serial'), `${randomSerial()}\n`)
  writeFileSync(path.join(dir, 'ca.cnf'), caConfig(dir))
  const ca: CertificateAuthority = { dir, certFile: path.join(dir, 'ca.pem'), keyFile: path.join(dir, 'ca.key') }
  openssl(dir, 'req', '-x509', ...EC_KEY, '-keyout', ca.keyFile, '-out', ca.certFile, '-days', String(opts.days), '-subj', `/CN=${opts.name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign')
  chmodSync(ca.keyFile, 0o600)
  return ca
}

/** A server certificate for `hosts` (names and IP addresses) signed by `ca`, valid between the two dates. */
export function issueCertificate(
  ca: CertificateAuthority,
  opts: { certFile: string; keyFile: string; hosts: string[]; notBefore: Date; notAfter: Date },
): void {
  const csr = `${opts.certFile}.csr`
  const san = opts.hosts.map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`)).join(',')
  openssl(ca.dir, 'req', '-new', ...EC_KEY, '-keyout', opts.keyFile, '-out', csr, '-subj', `/CN=${opts.hosts[0]}`,
    '-addext', `subjectAltName=${san}`, '-addext', 'extendedKeyUsage=serverAuth', '-addext', 'basicConstraints=CA:FALSE')
  chmodSync(opts.keyFile, 0o600)
  openssl(ca.dir, 'ca', '-batch', '-notext', '-config', path.join(ca.dir, 'ca.cnf'), '-cert', ca.certFile, '-keyfile', ca.keyFile,
    '-in', csr, '-out', opts.certFile, '-startdate', opensslTime(opts.notBefore), '-enddate', opensslTime(opts.notAfter))
}

/**
 * Whether a certificate and key pair can be used as it is: both files there, the key belongs to the
 * certificate, more than a week left, and (when asked) signed by `issuer` and valid for every host.
 */
export function usable(certFile: string, keyFile: string, want: { issuer?: string; hosts?: string[]; now?: number } = {}): boolean {
  if (!existsSync(certFile) || !existsSync(keyFile)) return false
  try {
    const cert = new X509Certificate(readFileSync(certFile))
    const now = want.now ?? Date.now()
    if (Date.parse(cert.validFrom) > now || Date.parse(cert.validTo) - now < RENEW_BEFORE) return false
    if (!cert.checkPrivateKey(createPrivateKey(readFileSync(keyFile)))) return false
    if (want.issuer) {
      const issuer = new X509Certificate(readFileSync(want.issuer))
      if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) return false
    }
    for (const host of want.hosts ?? []) {
      if (!(isIP(host) ? cert.checkIP(host) : cert.checkHost(host))) return false
    }
    return true
  } catch {
    // Unreadable or not PEM: made again.
    return false
  }
}

function caConfig(dir: string): string {
  return [
    '[ ca ]', 'default_ca = sandbox_ca', '[ sandbox_ca ]', `dir = ${dir}`, 'database = $dir/index.txt', 'new_certs_dir = $dir/issued',
    'serial = $dir/serial', 'default_md = sha256', 'policy = any', 'copy_extensions = copy', 'unique_subject = no', 'email_in_dn = no',
    '[ any ]', 'commonName = supplied', '',
  ].join('\n')
}

function openssl(cwd: string, ...args: string[]): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: Buffer }
    if (e.code === 'ENOENT') throw new Error('openssl was not found on PATH: install it (Debian/Ubuntu: apt-get install openssl) to make the sandbox certificates')
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString().trim().split('\n').slice(-3).join(' | ') ?? e.message}`)
  }
}

function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  chmodSync(dir, 0o700)
}

/** Serials differ between CAs made again, so a browser never sees two certificates with one issuer and serial. */
function randomSerial(): string {
  return `1${randomBytes(8).toString('hex')}0`
}

/** openssl ca's GeneralizedTime: YYYYMMDDHHMMSSZ. */
function opensslTime(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z')
}

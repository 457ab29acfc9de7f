import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { createCertificateAuthority, issueCertificate, type CertificateAuthority } from '../../../src/sandbox/tls.js'

export interface Pair {
  key: string
  cert: string
}

export interface TestCerts {
  dir: string
  /** The trusted test CA's certificate file. */
  caFile: string
  ca: string
  valid: Pair
  expired: Pair
  notYetValid: Pair
  wrongHost: Pair
  nearExpiry: Pair
  selfSigned: Pair
  unknownCa: Pair
}

const DAY = 86_400_000

/**
 * Certificates for `host`, made at test time by the sandbox's own CA code: a CA the tests trust and
 * leaves it signed with chosen dates, plus a self-signed one and one from a CA nobody trusts.
 * EC P-256 keys keep it to a fraction of a second.
 */
export function makeCerts(dir: string, host: string): TestCerts {
  mkdirSync(dir, { recursive: true })
  const trusted = createCertificateAuthority(path.join(dir, 'trusted-ca'), { name: 'Rollout Test CA', days: 30 })
  const untrusted = createCertificateAuthority(path.join(dir, 'untrusted-ca'), { name: 'Untrusted CA', days: 30 })
  const leaf = (name: string, ca: CertificateAuthority, san: string, from: number, to: number): Pair => {
    issueCertificate(ca, { certFile: path.join(dir, `${name}.pem`), keyFile: path.join(dir, `${name}.key`), hosts: [san], notBefore: new Date(from), notAfter: new Date(to) })
    return read(name)
  }
  const read = (name: string): Pair => ({ key: readFileSync(path.join(dir, `${name}.key`), 'utf8'), cert: readFileSync(path.join(dir, `${name}.pem`), 'utf8') })

  const now = Date.now()
  return {
    dir,
    caFile: trusted.certFile,
    ca: readFileSync(trusted.certFile, 'utf8'),
    valid: leaf('valid', trusted, host, now - DAY, now + 90 * DAY),
    expired: leaf('expired', trusted, host, now - 60 * DAY, now - 2 * DAY),
    notYetValid: leaf('future', trusted, host, now + 10 * DAY, now + 100 * DAY),
    wrongHost: leaf('wrong-host', trusted, `other.${host}`, now - DAY, now + 90 * DAY),
    nearExpiry: leaf('near', trusted, host, now - 80 * DAY, now + 5 * DAY + 3_600_000),
    unknownCa: leaf('unknown-ca', untrusted, host, now - DAY, now + 90 * DAY),
    selfSigned: (() => {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'self.key', '-out', 'self.pem',
        '-days', '30', '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
      return read('self')
    })(),
  }
}

import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

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
 * Certificates made with the openssl CLI for `host`, at test time: a CA the tests trust and leaves it
 * signed with chosen dates (`openssl ca` sets both ends), plus a self-signed one and one from a CA
 * nobody trusts. EC P-256 keys keep it to a fraction of a second.
 */
export function makeCerts(dir: string, host: string): TestCerts {
  mkdirSync(dir, { recursive: true })
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']

  const makeCa = (name: string) => {
    mkdirSync(path.join(dir, name, 'new'), { recursive: true })
    writeFileSync(path.join(dir, name, 'index.txt'), '')
    writeFileSync(path.join(dir, name, 'serial'), '1000\n')
    writeFileSync(path.join(dir, name, 'ca.cnf'), [
      '[ ca ]', 'default_ca = test_ca', '[ test_ca ]', `dir = ${path.join(dir, name)}`, 'database = $dir/index.txt',
      'new_certs_dir = $dir/new', 'serial = $dir/serial', 'default_md = sha256', 'policy = any', 'copy_extensions = copy',
      'unique_subject = no', 'email_in_dn = no', '[ any ]', 'commonName = supplied',
    ].join('\n'))
    ssl('req', '-x509', ...ec, '-keyout', `${name}/ca.key`, '-out', `${name}/ca.pem`, '-days', '30', '-subj', `/CN=${name}`)
  }
  const leaf = (name: string, ca: string, san: string, from: number, to: number): Pair => {
    ssl('req', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${san}`, '-addext', `subjectAltName=DNS:${san}`)
    ssl('ca', '-batch', '-notext', '-config', `${ca}/ca.cnf`, '-cert', `${ca}/ca.pem`, '-keyfile', `${ca}/ca.key`, '-in', `${name}.csr`, '-out', `${name}.pem`,
      '-startdate', stamp(from), '-enddate', stamp(to))
    return read(name)
  }
  const read = (name: string): Pair => ({ key: readFileSync(path.join(dir, `${name}.key`), 'utf8'), cert: readFileSync(path.join(dir, `${name}.pem`), 'utf8') })

  makeCa('Rollout Test CA')
  makeCa('Untrusted CA')
  const now = Date.now()
  const trusted = 'Rollout Test CA'
  const certs: TestCerts = {
    dir,
    caFile: path.join(dir, trusted, 'ca.pem'),
    ca: readFileSync(path.join(dir, trusted, 'ca.pem'), 'utf8'),
    valid: leaf('valid', trusted, host, now - DAY, now + 90 * DAY),
    expired: leaf('expired', trusted, host, now - 60 * DAY, now - 2 * DAY),
    notYetValid: leaf('future', trusted, host, now + 10 * DAY, now + 100 * DAY),
    wrongHost: leaf('wrong-host', trusted, `other.${host}`, now - DAY, now + 90 * DAY),
    nearExpiry: leaf('near', trusted, host, now - 80 * DAY, now + 5 * DAY + 3_600_000),
    unknownCa: leaf('unknown-ca', 'Untrusted CA', host, now - DAY, now + 90 * DAY),
    selfSigned: (() => {
      ssl('req', '-x509', ...ec, '-keyout', 'self.key', '-out', 'self.pem', '-days', '30', '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`)
      return read('self')
    })(),
  }
  return certs
}

/** openssl ca's GeneralizedTime: YYYYMMDDHHMMSSZ. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z')
}

import { before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import tlsGate from '../../../src/steps/environment/tls.js'
import { judgeTls } from '../../../src/steps/environment/tls-verdict.js'
import { gate } from '../preflight/harness.js'
import { makeCerts, type Pair, type TestCerts } from './certs.js'
import { HOST, RESOLVE, httpsServer } from './servers.js'

let certs: TestCerts
before(() => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rollout-certs-'))
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  certs = makeCerts(dir, HOST)
})

async function check(t: Parameters<typeof gate>[0] & { after(fn: () => unknown): void }, pair: Pair, options: Record<string, unknown> = { ca: certs.caFile }, serverTls: Record<string, unknown> = {}) {
  const port = await httpsServer(t, pair, undefined, serverTls)
  const h = gate(t, tlsGate, { phase: 'environment', environment: { url: `https://${HOST}:${port}`, resolve: RESOLVE }, options })
  return { h, outcome: await h.run() }
}

test('tls: a valid certificate passes with issuer, subject, SANs and expiry in the evidence', async (t) => {
  const { h, outcome } = await check(t, certs.valid)
  assert.equal(outcome.status, 'passed', outcome.summary)
  assert.match(outcome.summary, /^staging\.test:\d+: valid TLSv1\.3 certificate from Rollout Test CA, expires \d{4}-\d\d-\d\d \((89|90) days\)$/)
  const evidence = JSON.parse(h.readEvidence('tls.json'))
  assert.equal(evidence.certificate.subject, 'CN=staging.test')
  assert.equal(evidence.certificate.issuer, 'CN=Rollout Test CA')
  assert.deepEqual(evidence.certificate.subjectAltNames, ['DNS:staging.test'])
  assert.equal(evidence.protocol, 'TLSv1.3')
  assert.ok(evidence.trustedBesidesNodeRoots.some((s: string) => s.startsWith('configured CA')))
  assert.equal(outcome.data?.validTo, evidence.certificate.validTo)
})

test('tls: an expired certificate fails and says when it expired', async (t) => {
  const { outcome } = await check(t, certs.expired)
  assert.equal(outcome.status, 'failed')
  assert.match(outcome.summary, /: certificate expired on \d{4}-\d\d-\d\d \(2 days ago\)$/)
})

test('tls: a certificate not valid yet fails', async (t) => {
  const { outcome } = await check(t, certs.notYetValid)
  assert.equal(outcome.status, 'failed')
  assert.match(outcome.summary, /: certificate is not valid before \d{4}-\d\d-\d\d$/)
})

test('tls: a certificate for another host fails naming the names it covers', async (t) => {
  const { outcome } = await check(t, certs.wrongHost)
  assert.equal(outcome.status, 'failed')
  assert.match(outcome.summary, /: certificate does not cover staging\.test \(it names DNS:other\.staging\.test\)$/)
})

test('tls: a self-signed certificate without its CA fails, and says how to trust it', async (t) => {
  const { outcome } = await check(t, certs.selfSigned, {})
  assert.equal(outcome.status, 'failed')
  assert.match(outcome.summary, /: self-signed certificate \(CN=staging\.test\) is not trusted; trust its CA with the step's `ca` option or NODE_EXTRA_CA_CERTS$/)
})

test('tls: a certificate from an unknown CA fails', async (t) => {
  const { outcome } = await check(t, certs.unknownCa)
  assert.equal(outcome.status, 'failed')
  assert.match(outcome.summary, /: issued by an unknown CA \(CN=Untrusted CA\)/)
})

test('tls: a certificate close to expiry is a warning', async (t) => {
  const { outcome } = await check(t, certs.nearExpiry)
  assert.equal(outcome.status, 'warning')
  assert.match(outcome.summary, /: certificate expires on \d{4}-\d\d-\d\d, in 5 days \(warning below 14\)$/)
  const relaxed = await check(t, certs.nearExpiry, { ca: certs.caFile, warnDays: 3 })
  assert.equal(relaxed.outcome.status, 'passed', relaxed.outcome.summary)
})

test('tls: NODE_EXTRA_CA_CERTS is trusted without any option', async (t) => {
  const before = process.env.NODE_EXTRA_CA_CERTS
  process.env.NODE_EXTRA_CA_CERTS = certs.caFile
  t.after(() => (before === undefined ? delete process.env.NODE_EXTRA_CA_CERTS : (process.env.NODE_EXTRA_CA_CERTS = before)))
  const { outcome } = await check(t, certs.valid, {})
  assert.equal(outcome.status, 'passed', outcome.summary)
})

test('tls: a server offering only TLS 1.1 fails on the protocol', async (t) => {
  const { outcome } = await check(t, certs.valid, { ca: certs.caFile }, { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' })
  assert.equal(outcome.status, 'failed')
  assert.match(outcome.summary, /^TLS failure: TLS handshake with staging\.test:\d+ failed .* — the server offers no TLS version this client accepts \(TLS 1\.2 or newer\)$/)
})

test('tls: a plain-HTTP environment URL fails at once', async (t) => {
  const outcome = await gate(t, tlsGate, { environment: { url: 'http://staging.test' } }).run()
  assert.equal(outcome.status, 'failed')
  assert.equal(outcome.summary, 'http://staging.test is not HTTPS: all staging endpoints must use HTTPS (environments.staging.url)')
})

test('tls verdict: an old protocol and several faults are all named', () => {
  const cert = { subject: 'CN=a', issuer: 'CN=a', subjectAltNames: ['DNS:a'], validFrom: '2026-01-01T00:00:00.000Z', validTo: '2026-02-01T00:00:00.000Z', serialNumber: '01', fingerprint256: 'x', selfSigned: true }
  const verdict = judgeTls(
    { host: 'b', port: 443, servername: 'b', address: '10.0.0.1', protocol: 'TLSv1.1', cipher: null, authorized: false, authorizationError: 'CERT_HAS_EXPIRED', hostnameError: "Hostname/IP does not match certificate's altnames", certificate: cert, chain: [cert], timings: { totalMs: 1 } },
    { now: new Date('2026-03-01T00:00:00Z'), warnDays: 14, minProtocol: 'TLSv1.2' },
  )
  assert.deepEqual(verdict.problems, [
    'certificate expired on 2026-02-01 (28 days ago)',
    'certificate does not cover b (it names DNS:a)',
    'protocol TLSv1.1 is below TLSv1.2',
  ])
})

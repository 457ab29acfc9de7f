import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import https from 'node:https'
import path from 'node:path'
import tls from 'node:tls'
import type { AddressInfo } from 'node:net'
import { ensureCertificates, issueCertificate } from '../../src/sandbox/tls.js'
import { tempDir } from '../support/cli.js'

const HOST = 'staging.terp-app.local'
const DAY = 86_400_000

/** A TLS handshake with a server using the certificate, as a client trusting only the sandbox CA. */
async function handshake(files: { caFile: string; certFile: string; keyFile: string }, name: string): Promise<{ authorized: boolean; error?: string }> {
  const server = https.createServer({ cert: readFileSync(files.certFile), key: readFileSync(files.keyFile) }, (_req, res) => res.end('ok'))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  try {
    return await new Promise((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port, servername: /^[\d.]+$/.test(name) ? undefined : name, ca: readFileSync(files.caFile), rejectUnauthorized: false, checkServerIdentity: (host, cert) => tls.checkServerIdentity(name, cert) }, () => {
        resolve({ authorized: socket.authorized, error: socket.authorizationError ? String(socket.authorizationError) : undefined })
        socket.destroy()
      })
      socket.on('error', (error) => resolve({ authorized: false, error: error.message }))
    })
  } finally {
    server.close()
  }
}

test('a local CA and a server certificate for the hosts and 127.0.0.1, trusted through that CA; keys owner-only', async () => {
  const dir = path.join(tempDir('rollout-tls-'), 'certs')
  const files = ensureCertificates({ dir, hosts: [HOST] })
  assert.deepEqual(files.made, ['ca', 'server'])
  assert.equal(statSync(dir).mode & 0o777, 0o700)
  assert.equal(statSync(files.keyFile).mode & 0o777, 0o600)
  assert.equal(statSync(path.join(dir, 'ca', 'ca.key')).mode & 0o777, 0o600)

  assert.deepEqual(await handshake(files, HOST), { authorized: true, error: undefined })
  assert.deepEqual(await handshake(files, '127.0.0.1'), { authorized: true, error: undefined })
  assert.deepEqual(await handshake(files, 'other.terp-app.local'), { authorized: false, error: 'ERR_TLS_CERT_ALTNAME_INVALID' })
})

test('reused while valid; a certificate about to expire or missing a host is made again, the CA kept', () => {
  const dir = tempDir('rollout-tls-')
  const first = ensureCertificates({ dir, hosts: [HOST] })
  const ca = readFileSync(first.caFile, 'utf8')
  const cert = readFileSync(first.certFile, 'utf8')

  const again = ensureCertificates({ dir, hosts: [HOST] })
  assert.deepEqual(again.made, [])
  assert.equal(readFileSync(again.certFile, 'utf8'), cert)

  const more = ensureCertificates({ dir, hosts: [HOST, 'admin.terp-app.local'] })
  assert.deepEqual(more.made, ['server'])
  assert.equal(readFileSync(more.caFile, 'utf8'), ca)

  // Five days left: less than the week a sandbox certificate must still have.
  const now = Date.now()
  issueCertificate({ dir: path.join(dir, 'ca'), certFile: first.caFile, keyFile: path.join(dir, 'ca', 'ca.key') }, { certFile: first.certFile, keyFile: first.keyFile, hosts: [HOST, '127.0.0.1'], notBefore: new Date(now - 80 * DAY), notAfter: new Date(now + 5 * DAY) })
  assert.deepEqual(ensureCertificates({ dir, hosts: [HOST] }).made, ['server'])
  assert.deepEqual(ensureCertificates({ dir, hosts: [HOST] }).made, [])

  // A damaged CA key: everything is made again, the server certificate signed by the new CA.
  writeFileSync(path.join(dir, 'ca', 'ca.key'), 'not a key')
  const remade = ensureCertificates({ dir, hosts: [HOST] })
  assert.deepEqual(remade.made, ['ca', 'server'])
  assert.notEqual(readFileSync(remade.caFile, 'utf8'), ca)
})

test('openssl is given file names only, never key material', () => {
  const dir = tempDir('rollout-tls-')
  const bin = path.join(dir, 'bin')
  const calls = path.join(dir, 'calls.log')
  // A stand-in openssl that records its arguments and runs the real one.
  const real = execFileSync('sh', ['-c', 'command -v openssl'], { encoding: 'utf8' }).trim()
  mkdirSync(bin)
  writeFileSync(path.join(bin, 'openssl'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${calls}'\nexec ${real} "$@"\n`)
  chmodSync(path.join(bin, 'openssl'), 0o755)
  const saved = process.env.PATH
  process.env.PATH = `${bin}:${saved}`
  try {
    const files = ensureCertificates({ dir: path.join(dir, 'certs'), hosts: [HOST] })
    const argv = readFileSync(calls, 'utf8')
    assert.match(argv, /req -x509/)
    assert.match(argv, /ca -batch/)
    for (const key of [files.keyFile, path.join(dir, 'certs', 'ca', 'ca.key')]) {
      const body = readFileSync(key, 'utf8').split('\n').filter((l) => l && !l.startsWith('-----'))
      for (const line of body) assert.ok(!argv.includes(line), 'key material in an openssl argument')
    }
    assert.ok(!argv.includes('PRIVATE KEY'))
  } finally {
    process.env.PATH = saved
  }
})

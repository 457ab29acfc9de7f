import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { createProvider } from '../../../src/adapters/providers/index.js'
import { localSiteStatus } from '../../../src/adapters/providers/local.js'
import { httpRequest } from '../../../src/adapters/http/request.js'
import { Redactor } from '../../../src/config/redact.js'
import { ConfigError } from '../../../src/shared/errors.js'
import { tempDir } from '../../support/cli.js'
import { localSite, HOST } from './local-helpers.js'

/** The fixture app without certificate variables speaks plain HTTP; the site's front terminates TLS. */
const tlsFront = {
  tls: { cert: 'certs/server.pem', key: 'certs/server.key' },
  health: { path: '/health/ready', hostHeader: HOST },
  env: { APP_SECRET: 'x' },
}

test('tls: a plain-HTTP app is served over HTTPS with the configured certificate, verified against its CA', async (t) => {
  const site = await localSite(t, tlsFront)
  site.release('v1')
  await site.ship('v1')
  // site.get is an https request trusting only the sandbox CA: it fails unless the front's certificate verifies.
  const res = await site.get('/version.json')
  assert.equal(res.status, 200)
  assert.equal(JSON.parse(res.body).version, 'v1')

  const status = await localSiteStatus(site.root)
  assert.deepEqual(status.listening, { host: '127.0.0.1', port: site.port, tls: true })
  // Behind the front the app itself answers plain HTTP on its internal port.
  const direct = await httpRequest({ url: `http://127.0.0.1:${status.current!.port}/version.json`, timeoutMs: 5000 })
  assert.equal(JSON.parse(direct.body).version, 'v1')
  assert.equal((await site.provider.current(site.opts))!.url, `https://${HOST}:${site.port}`)
})

test('tls: a deploy switches the upstream while the TLS front keeps answering', async (t) => {
  const site = await localSite(t, tlsFront)
  site.release('v1')
  site.release('v2')
  await site.ship('v1')
  const versions: string[] = []
  let shipping = true
  const load = (async () => {
    // Requests one after another for as long as the deploy runs: none may fail.
    while (shipping) versions.push(JSON.parse((await site.get('/version.json')).body).version)
  })()
  try {
    await site.ship('v2')
  } finally {
    shipping = false
  }
  await load
  versions.push(JSON.parse((await site.get('/version.json')).body).version)
  assert.ok(versions.length >= 2, String(versions))
  assert.ok(versions.every((v) => v === 'v1' || v === 'v2'), String(versions))
  assert.equal(versions.at(-1), 'v2')
  assert.equal((await localSiteStatus(site.root)).listening?.tls, true)
})

test('tls: a certificate or key file that cannot be read is a config error naming the key and the path', async () => {
  const cwd = tempDir('rollout-local-tls-')
  const config = { kind: 'local', start: 'node app.mjs', port: 8443 }
  const make = (extra: Record<string, unknown>) => createProvider({ ...config, ...extra }, { cwd, env: process.env, redactor: new Redactor() })
  await assert.rejects(make({ tls: { cert: 'missing.pem', key: 'missing.key' } }), (error: Error) => {
    assert.ok(error instanceof ConfigError)
    assert.match(error.message, new RegExp(`provider\\.tls\\.cert: cannot read ${path.join(cwd, 'missing.pem').replace(/[.]/g, '\\.')} \\(ENOENT\\)`))
    return true
  })
  const certs = (await localSite({ after: () => {} })).certs
  await assert.rejects(make({ tls: { cert: certs.certFile, key: 'gone.key' } }), /provider\.tls\.key: cannot read .*gone\.key \(ENOENT\)/)
  // A key that is not the certificate's: named as the pair, without quoting either file.
  await assert.rejects(make({ tls: { cert: certs.certFile, key: certs.caFile } }), (error: Error) => {
    assert.match(error.message, /provider\.tls: the certificate and key cannot serve TLS/)
    assert.doesNotMatch(error.message, /BEGIN/)
    return true
  })
  await assert.rejects(make({ tls: { cert: certs.certFile, key: certs.keyFile }, health: { https: true } }), /provider\.health\.https: must be false when provider\.tls is set/)
})

import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { seed } from '../../examples/terp-app/src/seed.js'
import { ensureCertificates } from '../../src/sandbox/tls.js'
import { createTestDatabase } from '../support/mysql.js'
import { ROOT, runCli, tempDir } from '../support/cli.js'
import { build, runInRelease, startApp, type RunningApp } from '../examples/terp-app-harness.js'

/*
 * A TERP-shaped repository gets its config from `rollout init --preset terp`; the user fills in
 * what init cannot know (the CA their staging certificate comes from) and sets the variables init
 * names. Its environment gates then pass against the example app, which serves TERP's routes.
 */

let database: Awaited<ReturnType<typeof createTestDatabase>>
let app: RunningApp
let caFile: string

before(async () => {
  database = await createTestDatabase('initterp')
  await seed({ url: database.url, volume: 'small' })
  const tls = ensureCertificates({ dir: path.join(tempDir('init-terp-tls-'), 'tls'), hosts: ['localhost'] })
  caFile = tls.caFile
  const dir = build('v2')
  const migrated = await runInRelease(dir, 'src/migrate.ts', [], { DATABASE_URL: database.url })
  assert.equal(migrated.code, 0, migrated.stderr)
  app = await startApp(dir, { DATABASE_URL: database.url, TLS_CERT_FILE: tls.certFile, TLS_KEY_FILE: tls.keyFile, ALLOWED_HOSTS: 'localhost', SESSION_SECRET: 'init-terp-secret' })
})
after(async () => {
  await app?.stop()
  await database?.drop()
})

test('init --preset terp in a TERP-shaped repository: with the CA filled in, its environment gates pass against the example app', async () => {
  const dir = tempDir('rollout-init-terp-')
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'terp',
    scripts: { 'db:push': 'drizzle-kit push', 'validate:schema': 'node validate.mjs', 'test:unit': 'vitest run' },
    dependencies: { '@trpc/server': '^11.6.0', express: '^4.21.2', 'drizzle-orm': '^0.44.5' },
  }))
  writeFileSync(path.join(dir, 'pnpm-lock.yaml'), "lockfileVersion: '9.0'\n")
  writeFileSync(path.join(dir, 'railway.json'), '{}')
  const init = await runCli(['init', '--preset', 'terp'], { cwd: dir })
  assert.equal(init.code, 0, init.stderr)

  // What init leaves to the user: the CA of the staging certificate, in the commented line it wrote.
  const file = path.join(dir, 'rollout.config.ts')
  const config = readFileSync(file, 'utf8')
  assert.match(config, /\/\/ ca: 'certs\/staging-ca\.pem',/)
  mkdirSync(path.join(dir, 'certs'))
  writeFileSync(path.join(dir, 'certs/staging-ca.pem'), readFileSync(caFile))
  writeFileSync(file, config.replace("// ca: 'certs/staging-ca.pem',", "ca: 'certs/staging-ca.pem',"))

  // The Railway CLI is a stand-in answering with Railway's documented output (its logs: quiet).
  const state = path.join(dir, 'railway-state.json')
  writeFileSync(state, JSON.stringify({ deployments: [{ id: 'dep-1', status: 'SUCCESS', createdAt: new Date().toISOString() }], logs: [{ message: 'GET /health/ready 200', severity: 'info', timestamp: new Date().toISOString() }] }))
  const env = {
    STAGING_URL: `https://localhost:${app.port}`,
    DATABASE_URL: database.url,
    TERP_SMOKE_USER: 'demo@terp.example',
    TERP_SMOKE_PASSWORD: 'password',
    RAILWAY_TOKEN: 'railway-token-for-tests',
    STANDIN_STATE: state,
    PATH: `${path.join(ROOT, 'test/fixtures/bin')}${path.delimiter}${process.env.PATH}`,
  }
  const planned = await runCli(['plan', 'staging'], { cwd: dir, env })
  assert.equal(planned.code, 0, planned.stderr)
  const checked = await runCli(['check', 'staging', '--phase', 'environment'], { cwd: dir, env })
  assert.equal(checked.code, 0, checked.stdout + checked.stderr)
  for (const title of ['Staging environment is accessible', 'Database connection is working', 'SSL certificate is valid', 'HSTS header is configured', 'Host guard refuses foreign hosts']) {
    assert.match(checked.stdout, new RegExp(`✓ ${title} \\(`), `"${title}" did not pass:\n${checked.stdout}`)
  }
  // The preset's readiness path, not /health: it knows whether the schema is there.
  // On a loaded machine the answer may take longer than the gate's 2 s: a warning that says so, by design.
  const health = /([✓!]) Health check responding \(\/health\/ready, \/health\/live\) \([\d.]+m?s\) \/health\/ready 200.*/.exec(checked.stdout)
  assert.ok(health, `the readiness path was not checked:\n${checked.stdout}`)
  const slow = health[1] === '!'
  if (slow) assert.match(health[0], /slower than 2000 ms: \/health\/ready$/)
  // The rehearsal had nothing to rehearse on: the summary counts it as skipped, never as passed.
  assert.match(checked.stdout, new RegExp(`PASSED after \\S+: 8 steps: ${slow ? '6 passed, 1 with warnings' : '7 passed'}, 1 skipped`))
  // No backup is taken by a check: the rehearsal says it had nothing to rehearse on, never that it passed.
  assert.match(checked.stdout, /Rehearse the migration on a scratch copy of the backup \(schema only\).*no backup was taken in this run/)
})

import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { buffer } from 'node:stream/consumers'
import { makeProject, runCli, tempDir } from '../support/cli.js'
import { createTestDatabase } from '../support/mysql.js'
import { createPostgresDatabase } from '../support/postgres.js'
import { startTestS3 } from '../support/s3.js'
import { openStorage } from '../../src/adapters/storage/open-storage.js'
import { readRunFile } from '../../src/app/evidence.js'

const APPLY = fileURLToPath(new URL('../steps/migrate/fixtures/apply-sql.mjs', import.meta.url))
const APP_MATCHES_DB = fileURLToPath(new URL('./fixtures/app-matches-db.mjs', import.meta.url))

let s3: Awaited<ReturnType<typeof startTestS3>>
before(async () => {
  s3 = await startTestS3()
})
after(() => s3?.stop())

test('machine A rolls out with its backup and evidence in object storage; machine B rolls that run back from storage alone, proven by the same smoke test', async (t) => {
  const store = await createPostgresDatabase('teams3')
  t.after(() => store.drop())
  const db = await createTestDatabase('teams3')
  t.after(() => db.drop())
  const mysql = await import('mysql2/promise')
  const conn = await mysql.createConnection({ uri: db.url, multipleStatements: true })
  t.after(() => conn.end())
  await conn.query("CREATE TABLE orders (id INT PRIMARY KEY, status VARCHAR(20) NOT NULL); INSERT INTO orders VALUES (1, 'new'), (2, 'paid')")

  // The app both machines deploy: one live-release file, as one hosting provider would be.
  const app = tempDir('rollout-app-')
  const live = path.join(app, 'live')
  writeFileSync(live, 'd-v1\n')
  writeFileSync(path.join(app, '0002.sql'), "ALTER TABLE orders ADD COLUMN priority INT NULL;\nUPDATE orders SET status = 'migrated';\n")
  const config = {
    storage: { endpoint: s3.endpoint, forcePathStyle: true },
    evidence: `s3://${s3.bucket}/team/evidence`,
    environments: {
      staging: {
        url: 'http://127.0.0.1:9',
        defaults: false,
        release: 'v2',
        database: { url: db.url },
        backups: { dir: `s3://${s3.bucket}/team/backups`, verify: 'full' },
        migrate: { command: `node ${APPLY} ${path.join(app, '0002.sql')}` },
        provider: { kind: 'command', current: `cat ${live}`, deploy: `echo "d-$ROLLOUT_RELEASE" > ${live}; echo "d-$ROLLOUT_RELEASE"`, rollback: `echo {previousDeploymentId} > ${live}` },
        add: [
          // A careless step that prints the storage secret: the record and the evidence must not keep it.
          { id: 'careless', phase: 'preflight', kind: 'command', options: { command: 'echo "secret=$AWS_SECRET_ACCESS_KEY"' } },
          { id: 'backup', phase: 'backup', kind: 'backup' },
          { id: 'backup-verify', phase: 'backup', kind: 'backup-verify', after: ['backup'] },
          { id: 'migrate', phase: 'migrate', kind: 'migrate' },
          { id: 'deploy', phase: 'deploy', kind: 'deploy' },
          { id: 'smoke', phase: 'smoke', kind: 'command', options: { command: `node ${APP_MATCHES_DB} ${live}` } },
        ],
      },
    },
  }
  // Credentials and the shared store come from each machine's environment, as a team would set them.
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = s3.env
  const machine = (name: string) => ({ ROLLOUT_HOST_NAME: name, ROLLOUT_STORE_URL: store.url, DATABASE_URL: db.url, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY })
  const a = makeProject(config)
  const b = makeProject(config)

  const run = await runCli(['run', 'staging'], { cwd: a, env: machine('machine-a') })
  assert.equal(run.code, 0, run.stdout + run.stderr)
  const history = await runCli(['--json', 'history', 'staging'], { cwd: b, env: machine('machine-b') })
  const [{ id: runId, host }] = JSON.parse(history.stdout) as [{ id: string; host: string }]
  assert.equal(host, 'machine-a')
  assert.equal(readFileSync(live, 'utf8').trim(), 'd-v2')

  // The backup went to storage whole (file, manifest, seal) and nowhere on machine A's disk.
  const kept = await openStorage(`s3://${s3.bucket}/team/backups`, s3.env).list()
  assert.equal(kept.filter((n) => /^backup_\d{8}_\d{6}\.sql\.(zst|gz)$/.test(n)).length, 1, kept.join(', '))
  assert.equal(kept.filter((n) => n.endsWith('.manifest.json')).length, 1, kept.join(', '))
  assert.equal(kept.filter((n) => n.endsWith('.seal.json')).length, 1, kept.join(', '))
  assert.equal(existsSync(path.join(a, '.rollout', 'backups')), false, 'no local backup folder on machine A')

  // Machine B sees that backup, verified, and the run in the shared history.
  const listed = await runCli(['--json', 'backups', 'staging'], { cwd: b, env: machine('machine-b') })
  assert.equal(listed.code, 0, listed.stderr)
  const backups = (JSON.parse(listed.stdout) as { backups?: { id: string; verified: string | null }[] }).backups ?? JSON.parse(listed.stdout)
  assert.deepEqual(backups.map((x: { verified: string | null }) => x.verified), ['full'])
  const shown = await runCli(['backups', 'staging'], { cwd: b, env: machine('machine-b') })
  assert.match(shown.stdout, new RegExp(`^Backups in s3://${s3.bucket}/team/backups:$`, 'm'))

  // Machine A is gone (its folder with it): B rolls the run back from the record and storage alone.
  rmSync(a, { recursive: true, force: true })
  const rolled = await runCli(['rollback', runId], { cwd: b, env: machine('machine-b') })
  // Exit 1: the run did not stay; its rollback completed and was proven.
  assert.equal(rolled.code, 1, rolled.stdout + rolled.stderr)
  assert.match(rolled.stdout, /Rollback complete: rolled back deploy, migrate; verified by smoke/)
  assert.equal(readFileSync(live, 'utf8').trim(), 'd-v1')
  const [rows] = await conn.query('SELECT * FROM orders ORDER BY id')
  assert.deepEqual(JSON.parse(JSON.stringify(rows)), [{ id: 1, status: 'new' }, { id: 2, status: 'paid' }])

  const status = await runCli(['--json', 'status', runId], { cwd: b, env: machine('machine-b') })
  const detail = JSON.parse(status.stdout) as { status: string; steps: { stepId: string; pass: string; status: string; undoStatus: string | null; undoSummary: string | null; summary: string | null }[] }
  assert.equal(detail.status, 'rolled-back')
  const migrate = detail.steps.find((s) => s.stepId === 'migrate' && s.pass === 'run')!
  assert.equal(migrate.undoStatus, 'rolled-back')
  assert.match(migrate.undoSummary!, /restored backup_\d{8}_\d{6} .*every table's checksum equals the backup's/)
  const proof = detail.steps.find((s) => s.stepId === 'smoke' && s.pass === 'proof')!
  assert.equal(proof.status, 'passed', 'the smoke test proves the rollback: app d-v1 with the database as it was')

  // Machine A's evidence, read on machine B from storage.
  const file = await readRunFile({ cwd: b, env: machine('machine-b'), runId, name: 'backup/manifest-summary.json' })
  assert.ok(file, 'the backup step\'s evidence is readable from machine B')
  const summary = JSON.parse((await buffer(file.body)).toString('utf8')) as { id: string }
  assert.match(summary.id, /^backup_\d{8}_\d{6}$/)
  const careless = await readRunFile({ cwd: b, env: machine('machine-b'), runId, name: 'careless/output.log' })
  const printed = (await buffer(careless!.body)).toString('utf8')
  assert.match(printed, /secret=\[redacted\]/)
  assert.doesNotMatch(printed + run.stdout + run.stderr + rolled.stdout + status.stdout, new RegExp(AWS_SECRET_ACCESS_KEY!))
})

test('store import copies the local runs\' evidence to the evidence location as well, where another machine reads it', async (t) => {
  const store = await createPostgresDatabase('teamev')
  t.after(() => store.drop())
  const steps = { environments: { staging: { url: 'http://127.0.0.1:9', defaults: false, add: [{ id: 'hello', phase: 'preflight', kind: 'command', options: { command: 'echo hello from the laptop' } }] } } }
  const evidence = `s3://${s3.bucket}/import/evidence`
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = s3.env
  const config = { ...steps, storage: { endpoint: s3.endpoint, forcePathStyle: true }, evidence }
  // Runs made before the team had a shared store: local record, local evidence.
  const laptop = makeProject(steps)
  assert.equal((await runCli(['run', 'staging'], { cwd: laptop })).code, 0)
  writeFileSync(path.join(laptop, 'rollout.config.mjs'), `export default ${JSON.stringify(config)}\n`)

  const env = { ROLLOUT_STORE_URL: store.url, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY }
  const imported = await runCli(['store', 'import'], { cwd: laptop, env })
  assert.equal(imported.code, 0, imported.stdout + imported.stderr)
  assert.match(imported.stdout, new RegExp(`imported 1 run\\(s\\) .*; 0 already there; the evidence of 1 run\\(s\\) copied to ${evidence}`))

  const other = makeProject(config)
  const [{ id }] = JSON.parse((await runCli(['--json', 'history', 'staging'], { cwd: other, env })).stdout) as [{ id: string }]
  const file = await readRunFile({ cwd: other, env: { ...env, ...s3.env }, runId: id, name: 'hello/output.log' })
  assert.ok(file, 'the imported run\'s evidence is readable from another machine')
  assert.match((await buffer(file.body)).toString('utf8'), /hello from the laptop/)
})

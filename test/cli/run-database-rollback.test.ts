import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeProject, runCli } from '../support/cli.js'
import { createTestDatabase } from '../support/mysql.js'
import { readRecord } from '../support/record.js'

const APPLY = fileURLToPath(new URL('../steps/migrate/fixtures/apply-sql.mjs', import.meta.url))

test('rollout run: the backup steps back up and verify, and a failure after the migration puts the database back from that backup', async (t) => {
  const db = await createTestDatabase('runbk')
  t.after(() => db.drop())
  const mysql = await import('mysql2/promise')
  const conn = await mysql.createConnection({ uri: db.url, multipleStatements: true })
  await conn.query("CREATE TABLE orders (id INT PRIMARY KEY, status VARCHAR(20) NOT NULL DEFAULT 'new'); INSERT INTO orders VALUES (1, 'new'), (2, 'paid'); CREATE TABLE clients (id INT PRIMARY KEY)")
  const dir = makeProject({
    environments: {
      staging: {
        url: 'http://127.0.0.1:9',
        defaults: false,
        release: 'v2',
        database: { url: db.url },
        backups: { dir: 'backups', verify: 'full' },
        migrate: { command: `node ${APPLY} 0002.sql` },
        provider: { kind: 'command', current: 'cat live', deploy: 'echo "d-$ROLLOUT_RELEASE" > live; echo "d-$ROLLOUT_RELEASE"', rollback: 'echo {previousDeploymentId} > live' },
        add: [
          { id: 'backup', phase: 'backup', kind: 'backup' },
          { id: 'backup-verify', phase: 'backup', kind: 'backup-verify', after: ['backup'] },
          { id: 'migrate', phase: 'migrate', kind: 'migrate' },
          { id: 'deploy', phase: 'deploy', kind: 'deploy' },
          // Passes only on the earlier release: fails now, passes once rolled back.
          { id: 'smoke', phase: 'smoke', kind: 'command', options: { command: 'test "$(cat live)" = d-v1' } },
        ],
      },
    },
  })
  writeFileSync(path.join(dir, 'live'), 'd-v1\n')
  writeFileSync(path.join(dir, '0002.sql'), "ALTER TABLE orders ADD COLUMN priority INT NULL;\nUPDATE orders SET status = 'migrated';\n")

  const run = await runCli(['run', 'staging'], { cwd: dir })
  assert.equal(run.code, 1, `rolled back and proven: ${run.stdout}${run.stderr}`)
  assert.equal(readFileSync(path.join(dir, 'live'), 'utf8').trim(), 'd-v1')
  const [rows] = await conn.query('SELECT * FROM orders ORDER BY id')
  assert.deepEqual(JSON.parse(JSON.stringify(rows)), [{ id: 1, status: 'new' }, { id: 2, status: 'paid' }])
  await conn.end()

  const { runs, steps } = await readRecord(dir)
  const byId = new Map(steps.get(runs[0]!.id)!.filter((s) => s.pass === 'run').map((s) => [s.stepId, s]))
  assert.equal(runs[0]!.status, 'rolled-back')
  assert.match(byId.get('backup')!.summary!, /^backup_\d{8}_\d{6}: 2 tables/)
  assert.match(byId.get('backup-verify')!.summary!, /passed full verification/)
  assert.equal(byId.get('migrate')!.undoStatus, 'rolled-back')
  assert.match(byId.get('migrate')!.undoSummary!, new RegExp(`restored ${byId.get('backup')!.data.id}`))

  const listed = await runCli(['backups', 'staging', '--json'], { cwd: dir })
  assert.deepEqual(JSON.parse(listed.stdout).map((b: { id: string; verified: string }) => [b.id, b.verified]), [[byId.get('backup')!.data.id, 'full']])
})

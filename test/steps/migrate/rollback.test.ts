import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runRollout } from '../../../src/app/runs.js'
import { readFingerprintAt } from '../../../src/steps/migrate/database.js'
import { createTestDatabase } from '../../support/mysql.js'
import { readRecord } from '../../support/record.js'

const APPLY = fileURLToPath(new URL('./fixtures/apply-sql.mjs', import.meta.url))

test('a failed smoke test after migrate and deploy, in a run that took no backup: the app goes back, the database is named as needing hands', async () => {
  const db = await createTestDatabase('e2e')
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rollout-e2e-'))
  try {
    const mysql = await import('mysql2/promise')
    const conn = await mysql.createConnection({ uri: db.url, multipleStatements: true })
    await conn.query("CREATE TABLE orders (id INT PRIMARY KEY, status VARCHAR(20) NOT NULL DEFAULT 'new'); INSERT INTO orders VALUES (1, 'new')")
    await conn.end()
    const before = await readFingerprintAt(db.url)

    writeFileSync(path.join(dir, '0002.sql'), "ALTER TABLE orders ADD COLUMN priority INT NULL;\nUPDATE orders SET status = 'migrated';\n")
    writeFileSync(path.join(dir, 'live'), 'd-v1\n')
    const config = {
      environments: {
        staging: {
          url: 'http://127.0.0.1:9',
          defaults: false,
          release: 'v2',
          database: { url: db.url },
          migrate: { command: `node ${APPLY} 0002.sql` },
          provider: { kind: 'command', current: 'cat live', deploy: 'echo "d-$ROLLOUT_RELEASE" > live; echo "d-$ROLLOUT_RELEASE"', rollback: 'echo {previousDeploymentId} > live' },
          add: [
            { id: 'migrate', phase: 'migrate', kind: 'migrate' },
            { id: 'schema-verify', phase: 'migrate', kind: 'schema-verify', after: ['migrate'], options: { command: false, expect: { columns: { orders: ['priority'] }, changed: true } } },
            { id: 'deploy', phase: 'deploy', kind: 'deploy' },
            // The smoke test passes only on the earlier release: it fails now, and passes once rolled back.
            { id: 'smoke', phase: 'smoke', kind: 'command', options: { command: 'test "$(cat live)" = d-v1' } },
          ],
        },
      },
    }
    writeFileSync(path.join(dir, 'rollout.config.mjs'), `export default ${JSON.stringify(config, null, 2)}\n`)

    const result = await runRollout({ cwd: dir, environment: 'staging' })
    // The deploy is undone; the migration's undo refuses to pretend: it needs a backup to restore.
    assert.equal(result.status, 'rollback-failed', result.summary)
    assert.equal(readFileSync(path.join(dir, 'live'), 'utf8').trim(), 'd-v1')
    const after = await readFingerprintAt(db.url)
    assert.notEqual(after.hash, before.hash)

    const { runs, steps } = await readRecord(dir)
    const byId = new Map(steps.get(runs[0]!.id)!.filter((s) => s.pass === 'run').map((s) => [s.stepId, s]))
    assert.equal(byId.get('schema-verify')!.status, 'passed')
    assert.equal(byId.get('migrate')!.summary, 'schema changed (1 change: orders: added column priority INT(11) NULL)')
    assert.equal(byId.get('migrate')!.undoStatus, 'rollback-failed')
    assert.equal(byId.get('migrate')!.undoSummary, 'no backup was taken in this run (step "backup"): nothing to restore the database from')
    assert.equal(byId.get('deploy')!.undoStatus, 'rolled-back')
    assert.equal(byId.get('deploy')!.undoSummary, 'rolled back to d-v1, live')
  } finally {
    rmSync(dir, { recursive: true, force: true })
    await db.drop()
  }
})

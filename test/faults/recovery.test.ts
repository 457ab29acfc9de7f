import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { finished, runCli, spawnCli, waitForFile, waitForOutput } from '../support/cli.js'
import { readRecord } from '../support/record.js'
import { faultEnv, release, runAndKill, sameState, MIGRATION } from './fault-env.js'

/**
 * Each test kills a real `rollout run` (kill -9) and recovers the way `rollout status` suggests,
 * against a real database; the database, the live release and the record must then agree.
 */

const columns = async (url: string, table: string) => {
  const mysql = await import('mysql2/promise')
  const conn = await mysql.createConnection(url)
  const [rows] = await conn.query<any[]>('SELECT column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position', [table])
  await conn.end()
  return rows.map((r) => String(r.c))
}

const stepOf = async (dir: string, runId: string, stepId: string) => (await readRecord(dir)).steps.get(runId)!.find((s) => s.stepId === stepId && s.pass === 'run')!

test('resume after a kill mid-migration whose child finished on its own: the change is judged against the schema before the first attempt, and the rollback puts it back', async (t) => {
  const env = await faultEnv({ release: 'v3-broken', hangs: ['migrate'] })
  t.after(env.drop)
  const runId = await runAndKill(env.dir, { file: 'at-migrate' })
  release(env.dir)
  // The killed run's migration lives on and completes (the second statement) before the resume looks.
  await sleep(500)
  assert.ok((await columns(env.url, 'order_lines')).includes('discount_cents'))

  const resumed = await runCli(['resume', runId], { cwd: env.dir })
  assert.equal(resumed.code, 1, resumed.stdout + resumed.stderr)
  const migrate = await stepOf(env.dir, runId, 'migrate')
  assert.match(migrate.summary!, /schema changed .*discount_cents/, 'the repeat compared with the migrated schema, not the one before the first attempt')
  assert.match(migrate.undoSummary!, /schema is back as before the migration/)
  assert.ok(!(await columns(env.url, 'order_lines')).includes('discount_cents'), 'the migration is still there after a "rolled back"')
  assert.ok(sameState(await env.snapshot(), env.before), 'the database differs from before the run')
  assert.equal(env.live(), 'd-v1')
  assert.equal((await readRecord(env.dir)).runs[0]!.status, 'rolled-back')
})

test('resume after a kill mid-migration, the child still running: it is waited for, the repeat fails on the half-applied change, and the restore is judged against the first "before"', async (t) => {
  const env = await faultEnv({ release: 'v2', hangs: ['migrate'] })
  t.after(env.drop)
  // Not repeatable: a second ADD COLUMN fails with "Duplicate column".
  writeFileSync(path.join(env.dir, 'migration.sql'), MIGRATION.replace(' IF NOT EXISTS', ''))
  const runId = await runAndKill(env.dir, { file: 'at-migrate' })
  const resuming = spawnCli(['resume', runId], { cwd: env.dir })
  await waitForOutput(resuming, /still running: waiting up to/)
  await sleep(500)
  assert.equal(resuming.exitCode, null, 'the resume did not wait for the migration the kill left running')
  release(env.dir)
  const resumed = await finished(resuming)
  assert.equal(resumed.code, 1, resumed.stdout + resumed.stderr)
  assert.match(resumed.stdout, /still running: waiting up to/)
  const migrate = await stepOf(env.dir, runId, 'migrate')
  assert.equal(migrate.status, 'rolled-back')
  assert.match(migrate.output, /Duplicate column/)
  assert.ok(sameState(await env.snapshot(), env.before))
  assert.equal(env.live(), 'd-v1')
})

test('resume after a kill mid-deploy: the rollback goes back to what was live before the first attempt, not to the killed attempt\'s deployment', async (t) => {
  const env = await faultEnv({ release: 'v3-broken', hangs: ['deploy'] })
  t.after(env.drop)
  const runId = await runAndKill(env.dir, { file: 'at-deploy' })
  assert.equal(env.live(), 'd-v3-broken', 'the killed deploy had already switched the release')
  release(env.dir)
  const resumed = await runCli(['resume', runId], { cwd: env.dir })
  assert.equal(resumed.code, 1, resumed.stdout + resumed.stderr)
  const deploy = await stepOf(env.dir, runId, 'deploy')
  assert.equal(deploy.data.previousDeploymentId, 'd-v1')
  assert.match(deploy.undoSummary!, /rolled back to d-v1/)
  assert.equal(env.live(), 'd-v1')
  assert.ok(sameState(await env.snapshot(), env.before))
  const report = readFileSync(path.join(env.dir, '.rollout/runs', runId, 'incident.md'), 'utf8')
  assert.match(report, /\*\*As before the run:\*\* every change was undone and the smoke tests pass/)
})

test('rollback of a run a newer run superseded is refused, names the newer run and changes nothing; the old run is marked abandoned; --force says what is lost', async (t) => {
  const env = await faultEnv({ release: 'v2' })
  t.after(env.drop)
  const runA = await runAndKill(env.dir, { event: (e) => e.type === 'step-finished' && e.stepId === 'deploy' })
  // Run B takes the dead run's lock over, migrates further and passes; the app then writes rows.
  writeFileSync(path.join(env.dir, 'migration.sql'), `${MIGRATION}CREATE TABLE IF NOT EXISTS audit (id INT PRIMARY KEY);\n`)
  const runB = await runCli(['run', 'staging', '--release', 'v4'], { cwd: env.dir })
  assert.equal(runB.code, 0, runB.stdout + runB.stderr)
  const mysql = await import('mysql2/promise')
  const conn = await mysql.createConnection(env.url)
  await conn.query('INSERT INTO audit VALUES (1), (2)')
  await conn.end()
  const afterB = await env.snapshot()

  const refused = await runCli(['rollback', runA], { cwd: env.dir })
  assert.equal(refused.code, 2, refused.stdout + refused.stderr)
  const { runs } = await readRecord(env.dir)
  const idB = runs.find((r) => r.id !== runA)!.id
  assert.match(refused.stderr, new RegExp(`run ${runA} is not the newest change to staging: run ${idB} \\(passed, release v4`))
  assert.match(refused.stderr, /--force/)
  assert.ok(sameState(await env.snapshot(), afterB), 'a refused rollback changed the database')
  assert.equal(env.live(), 'd-v4')
  const a = runs.find((r) => r.id === runA)!
  assert.equal(a.status, 'abandoned')
  assert.match(a.summary!, new RegExp(`superseded by run ${idB}`))
  const history = await runCli(['history', 'staging'], { cwd: env.dir })
  assert.match(history.stdout, new RegExp(`${runA} .*abandoned`))

  const resumed = await runCli(['resume', runA], { cwd: env.dir })
  assert.equal(resumed.code, 2, resumed.stdout + resumed.stderr)
  assert.match(resumed.stderr, new RegExp(`ended as abandoned; there is nothing to resume \\(abandoned: superseded by run ${idB}`))
  assert.ok(sameState(await env.snapshot(), afterB), 'a refused resume changed the database')

  const forced = await runCli(['rollback', runA, '--force'], { cwd: env.dir })
  assert.equal(forced.code, 1, forced.stdout + forced.stderr)
  assert.match(forced.stdout, /forced rollback .* would be lost/)
  assert.equal(env.live(), 'd-v1')
  assert.ok(sameState(await env.snapshot(), env.before))
})

test('unlock --force refuses while the lock\'s holder is alive on this host, and frees a dead holder\'s lock', async (t) => {
  const env = await faultEnv({ release: 'v2', hangs: ['deploy'] })
  t.after(env.drop)
  const child = spawnCli(['run', 'staging'], { cwd: env.dir })
  await waitForFile(path.join(env.dir, 'at-deploy'))
  const refused = await runCli(['unlock', 'staging', '--force'], { cwd: env.dir })
  assert.equal(refused.code, 4, refused.stdout + refused.stderr)
  assert.match(refused.stderr, new RegExp(`its process ${child.pid} is alive on this host`))
  assert.equal((await readRecord(env.dir)).lock?.owner.pid, child.pid)
  child.kill('SIGKILL')
  await finished(child)
  release(env.dir)
  const freed = await runCli(['unlock', 'staging', '--force'], { cwd: env.dir })
  assert.equal(freed.code, 0, freed.stdout + freed.stderr)
  assert.equal((await readRecord(env.dir)).lock, null)
})

test('a rollback with no smoke step to prove it says it is not verified, in the summary and the incident report', async (t) => {
  const env = await faultEnv({ release: 'v2', smoke: false })
  t.after(env.drop)
  const config = path.join(env.dir, 'rollout.config.mjs')
  writeFileSync(config, readFileSync(config, 'utf8').replace('"add": [', '"add": [\n{ "id": "logs", "phase": "verify", "kind": "command", "options": { "command": "echo 3 errors; false" } },'))
  const run = await runCli(['run', 'staging'], { cwd: env.dir })
  assert.equal(run.code, 1, run.stdout + run.stderr)
  const { runs } = await readRecord(env.dir)
  assert.equal(runs[0]!.status, 'rolled-back')
  assert.match(runs[0]!.summary!, /rolled back deploy, migrate; NOT verified/)
  assert.doesNotMatch(runs[0]!.summary!, /verified by/)
  const report = readFileSync(path.join(env.dir, '.rollout/runs', runs[0]!.id, 'incident.md'), 'utf8')
  assert.match(report, /Rolled back, NOT verified/)
  assert.match(report, /\*\*Undone, not proven:\*\*/)
  assert.ok(sameState(await env.snapshot(), env.before))
})

test('after the undos the environment is inspected: a provider rollback that reports success but leaves the new release live makes the rollback incomplete (exit 3)', async (t) => {
  const env = await faultEnv({ release: 'v2', smoke: false })
  t.after(env.drop)
  const config = path.join(env.dir, 'rollout.config.mjs')
  writeFileSync(config, readFileSync(config, 'utf8')
    // The platform's rollback call answers yes and does nothing; a smoke test that cannot tell releases apart passes.
    .replace(/"rollback": "[^"]*"/, '"rollback": "echo rolled back"')
    .replace('"add": [', '"add": [\n{ "id": "smoke", "phase": "smoke", "kind": "command", "options": { "command": "true" } },\n{ "id": "logs", "phase": "verify", "kind": "command", "options": { "command": "false" } },'))
  const run = await runCli(['run', 'staging'], { cwd: env.dir })
  assert.equal(run.code, 3, run.stdout + run.stderr)
  assert.equal(env.live(), 'd-v2')
  const { runs, steps } = await readRecord(env.dir)
  assert.equal(runs[0]!.status, 'rollback-failed')
  assert.match(runs[0]!.summary!, /found still changed after its undo: deploy \(live: d-v2; before the run it was d-v1\)/)
  const byId = new Map(steps.get(runs[0]!.id)!.filter((s) => s.pass === 'run').map((s) => [s.stepId, s]))
  assert.deepEqual(byId.get('migrate')!.data.inspected && (byId.get('migrate')!.data.inspected as { state: string }).state, 'before')
  const report = readFileSync(path.join(env.dir, '.rollout/runs', runs[0]!.id, 'incident.md'), 'utf8')
  assert.match(report, /`deploy` \(deploy\): put back: .*; inspected afterwards: \*\*STILL CHANGED\*\* \(live: d-v2; before the run it was d-v1\)/)
  assert.match(report, /`migrate` \(migrate\): put back: .*; inspected afterwards: as before the run/)
})

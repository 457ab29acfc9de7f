import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { finished, makeProject, runCli, spawnCli, stepsOnly, waitForFile } from '../support/cli.js'
import { readRecord } from '../support/record.js'
import { closedPort } from '../adapters/notifiers/receiver.js'
import { SqliteStore } from '../../src/adapters/store/sqlite.js'
import { faultEnv, MIGRATION, release, sameState, type FaultEnv } from './fault-env.js'

/**
 * The fault matrix of the reliability promise: each fault, what a user must see (exit code 0 ok,
 * 1 failed with the environment as before, 2 usage, 3 manual action, 4 locked; "—, 1": the killed
 * process has none, the resume or rollback that follows exits 1), and the test that proves it
 * against real processes and a real database. Cases proven elsewhere are named, not
 * repeated; the rest are below.
 *
 * | fault                                              | exit | test                                                                                                   |
 * |----------------------------------------------------|------|--------------------------------------------------------------------------------------------------------|
 * | database server killed mid-backup (backup, run)    | 1    | faults/database-killed: "mid-backup (rollout backup, then rollout run) …"                               |
 * | database server killed mid-restore                 | 3    | faults/database-killed: "mid-restore: exit 3 naming the command that finishes it …"                     |
 * | database server killed mid-migration               | 3    | faults/database-killed: "mid-migration: the undo cannot reach the server, exit 3 …"                     |
 * | database server killed mid-dump (library level)    | —    | adapters/database/faults: "the server killed in the middle of a dump"                                   |
 * | rollout itself killed mid-backup (kill -9)         | —    | cli/backup-killed: "leaves the password in no file …", "the next backup removes the killed one's …"    |
 * | rollout killed at every boundary and mid every    | —, 0 | faults/crash-matrix: 13 kill points × resume and rollback, database/live/record compared               |
 * | changing step, then resume or rollback             | or 1 |                                                                                                        |
 * | rollout killed mid-migration / mid-deploy / undo   | —, 1 | faults/recovery: "resume after a kill mid-…"; engine/crash: "killed mid-deploy …", "a rollback killed …" |
 * | disk full in the backup folder (backup, run)       | 1    | faults/backup-folder: "full (a 1 MB tmpfs) …"; adapters/database/faults: "disk full: DISK_FULL …"        |
 * | read-only backup folder (backup, run)              | 1    | faults/backup-folder: "read-only (a read-only bind mount) …"                                            |
 * | truncated backup (listing, restore, latest)        | 1    | faults/backup-folder: "a truncated backup: listed as invalid …"                                         |
 * | the run's backup truncated before its rollback     | 3    | faults/backup-folder: "the run's backup truncated before its rollback …"                                |
 * | the run's backup's seal removed before its rollback | 3   | faults/backup-folder: "the seal of the run's backup removed before its rollback …"                      |
 * | changed / truncated backup file at verification    | —    | adapters/database/backup-verify: "fails quick verification of a changed file …", "… of a truncated file" |
 * | manifest edited after the backup                   | 1    | cli/backup-restore: "a manifest edited after the backup was written is refused …"                      |
 * | backup body not in its recorded compression        | 1    | cli/backup-restore: "a .zst backup whose body is gzip is refused before the replay …"                   |
 * | restore's client dies part-way                     | 3    | cli/backup-restore: "a restore whose replay breaks off exits 3 …"                                       |
 * | notifier down, run passes                          | 0    | engine/rollback-path: "a notifier that is down never fails the rollout …"                               |
 * | notifier down, run rolls back                      | 1    | below: "notifier down during a rollback …" (engine/outcome-notify checks the output only)               |
 * | migration fails                                    | 1    | below: "migration fails part-way …"                                                                      |
 * | deploy fails                                       | 1    | below: "deploy fails …"                                                                                  |
 * | smoke test fails (app and database rolled back)    | 1    | engine/rollback-path: "the full rollback path …"; cli/run-database-rollback                              |
 * | undo fails (the provider's rollback command)       | 3    | engine/rollback-path: "a rollback whose provider step fails: exit 3 …"                                  |
 * | a changed step without an undo                     | 3    | engine/run: "a step that changed the environment without an undo …"                                      |
 * | Ctrl-C once, before the point of no return         | 1    | engine/lock: "Ctrl-C: running steps stop, the record says cancelled, the lock is released"               |
 * | Ctrl-C once, after the point of no return          | 3    | below: "Ctrl-C once after the point of no return …" (engine/lock checks the message only)               |
 * | Ctrl-C twice during a rollback                     | 3    | below: "Ctrl-C twice during a rollback …"                                                                |
 * | lock held by a live run                            | 4    | engine/lock: "a second run on a locked environment exits 4 …"; cli/backup-restore: "… wait for no one"  |
 * | lock of a dead run (this host) / expired lease     | 0    | engine/crash: "killed before the point of no return …" (lock-taken-over); engine/lock: "… lease expired" |
 * | lock of another host, lease unexpired              | 4    | below: "a lock held on another host …" (engine/lock: "a live lease on another host is respected …")     |
 * | the record read by another process between runs   | 1    | faults/record-durability: "keeps every write of a rollback that follows a cancelled run …"              |
 */

const STACK = /\n\s+at .+:\d+:\d+\)?\n/

/** Rewrites the project's config (JSON in an ES module, as makeProject writes it). */
function editConfig(dir: string, edit: (staging: Record<string, any>) => void): void {
  const file = path.join(dir, 'rollout.config.mjs')
  const config = JSON.parse(readFileSync(file, 'utf8').replace(/^export default /, ''))
  edit(config.environments.staging)
  writeFileSync(file, `export default ${JSON.stringify(config, null, 2)}\n`)
}

const report = (env: FaultEnv, runId: string) => readFileSync(path.join(env.dir, '.rollout/runs', runId, 'incident.md'), 'utf8')

/** Exit 1 after a rollback: app and database as before the run, proven by the smoke phase. */
async function assertRolledBack(env: FaultEnv, result: { code: number | null; stdout: string; stderr: string }): Promise<string> {
  assert.equal(result.code, 1, result.stdout + result.stderr)
  assert.doesNotMatch(result.stdout + result.stderr, STACK)
  assert.equal(env.live(), 'd-v1')
  assert.ok(sameState(await env.snapshot(), env.before), 'the database is not as before the run')
  const { runs, lock } = await readRecord(env.dir)
  assert.equal(runs[0]!.status, 'rolled-back')
  assert.equal(lock, null)
  assert.match(report(env, runs[0]!.id), /\*\*As before the run:\*\* every change was undone and the smoke tests pass/)
  return runs[0]!.id
}

describe('fault matrix', { concurrency: true }, () => {
  it('migration fails part-way: exit 1, the database restored from the run\'s backup and proven, the deploy never ran', async (t) => {
    const env = await faultEnv({ release: 'v2' })
    t.after(env.drop)
    // The first two statements apply, the third fails: schema changes are not transactional.
    writeFileSync(path.join(env.dir, 'migration.sql'), `${MIGRATION}UPDATE no_such_table SET x = 1;\n`)
    const result = await runCli(['run', 'staging'], { cwd: env.dir })
    assert.match(result.stdout, /✗ migrate .*exit code 1: .*no_such_table/)
    const runId = await assertRolledBack(env, result)
    const { steps } = await readRecord(env.dir)
    assert.ok(!steps.get(runId)!.some((s) => s.stepId === 'deploy'), 'the deploy ran after a failed migration')
    const migrate = steps.get(runId)!.find((s) => s.stepId === 'migrate' && s.pass === 'run')!
    assert.equal(migrate.undoStatus, 'rolled-back')
    assert.match(migrate.undoSummary!, /restored backup_\d{8}_\d{6}/)
    assert.match(report(env, runId), /### `migrate` — migrate\n\nfailed: exit code 1/)
  })

  it('deploy fails: exit 1, the migration undone from the backup, the old release still live, the report names the provider\'s error', async (t) => {
    const env = await faultEnv({ release: 'v2' })
    t.after(env.drop)
    editConfig(env.dir, (s) => {
      s.provider.deploy = 'echo "provider: build failed (out of build minutes)" >&2; exit 1'
    })
    const result = await runCli(['run', 'staging'], { cwd: env.dir })
    assert.match(result.stdout, /✗ deploy .*build failed \(out of build minutes\)/)
    const runId = await assertRolledBack(env, result)
    const { steps } = await readRecord(env.dir)
    assert.equal(steps.get(runId)!.find((s) => s.stepId === 'migrate' && s.pass === 'run')!.undoStatus, 'rolled-back')
    assert.match(report(env, runId), /### `deploy` — deploy\n\nfailed: .*build failed \(out of build minutes\)/)
  })

  it('notifier down during a rollback: the outcome is unaffected (exit 1, rolled back and proven); the warning is shown and recorded', async (t) => {
    const env = await faultEnv({ release: 'v3-broken' })
    t.after(env.drop)
    const port = await closedPort()
    editConfig(env.dir, (s) => {
      s.notify = [{ kind: 'webhook', url: `http://127.0.0.1:${port}/hooks/deploys`, secret: 'whsec-matrix-1', maxRetries: 0 }]
    })
    const result = await runCli(['run', 'staging'], { cwd: env.dir })
    assert.match(result.stdout, /! could not notify webhook \(notify\[0\]\)/)
    const runId = await assertRolledBack(env, result)
    const { events } = await readRecord(env.dir)
    assert.ok(events.get(runId)!.some((e) => e.type === 'warning' && /could not notify webhook \(notify\[0\]\).*ECONNREFUSED/.test(e.message)), 'the failed notification is not in the record')
    assert.ok(!result.stdout.includes('/hooks/deploys'), 'the webhook URL, a secret, was shown')
  })

  it('Ctrl-C once after the point of no return: exit 3, the record says cancelled and names resume and rollback; the rollback it names puts everything back', async (t) => {
    const env = await faultEnv({ release: 'v2', hangs: ['deploy'] })
    t.after(env.drop)
    const child = spawnCli(['run', 'staging'], { cwd: env.dir })
    await waitForFile(path.join(env.dir, 'at-deploy'), 30_000)
    child.kill('SIGINT')
    const result = await finished(child)
    release(env.dir)
    assert.equal(result.code, 3, result.stdout + result.stderr)
    assert.doesNotMatch(result.stdout + result.stderr, STACK)
    const { runs, lock } = await readRecord(env.dir)
    const run = runs[0]!
    assert.equal(run.status, 'cancelled')
    assert.equal(run.crossedAt, 'migrate')
    assert.match(run.summary!, new RegExp(`rollout resume ${run.id}.*rollout rollback ${run.id}|rollout rollback ${run.id}.*rollout resume ${run.id}`))
    assert.match(result.stdout, new RegExp(`finish with \`rollout resume ${run.id}\` or undo with \`rollout rollback ${run.id}\``))
    assert.equal(lock, null, 'the lock was not released')
    assert.ok(sameState(await env.snapshot(), env.rolledOut), 'the migration is not in place: the cancel undid something it says it did not')

    const rolled = await runCli(['rollback', run.id], { cwd: env.dir })
    assert.equal(rolled.code, 1, rolled.stdout + rolled.stderr)
    assert.equal(env.live(), 'd-v1')
    assert.ok(sameState(await env.snapshot(), env.before))
    assert.equal((await readRecord(env.dir)).runs[0]!.status, 'rolled-back')
  })

  it('Ctrl-C twice during a rollback: the first lets it go on, the second abandons it; exit 3, the record says what is left; rollback finishes it', async (t) => {
    const env = await faultEnv({ release: 'v3-broken', hangs: ['rollback'] })
    t.after(env.drop)
    const child = spawnCli(['run', 'staging'], { cwd: env.dir })
    await waitForFile(path.join(env.dir, 'at-rollback'), 30_000)
    child.kill('SIGINT')
    await sleep(700)
    assert.equal(child.exitCode, null, 'one Ctrl-C stopped a rollback under way')
    assert.match(child.output.stderr, /Stopping: running steps are told to stop/)
    child.kill('SIGINT')
    const result = await finished(child)
    assert.equal(result.code, 3, result.stdout + result.stderr)
    assert.match(result.stderr, /Abandoning the rollback; the record will say what is left/)
    assert.doesNotMatch(result.stdout + result.stderr, STACK)

    const { runs, steps, lock } = await readRecord(env.dir)
    const run = runs[0]!
    assert.equal(run.status, 'rollback-failed')
    assert.match(run.summary!, /rollback did not complete: deploy; abandoned before undoing migrate/)
    const byId = new Map(steps.get(run.id)!.filter((s) => s.pass === 'run').map((s) => [s.stepId, s]))
    assert.equal(byId.get('deploy')!.undoStatus, 'rollback-failed')
    assert.equal(byId.get('migrate')!.undoStatus, null, 'the migration was undone after the rollback was abandoned')
    assert.ok(!steps.get(run.id)!.some((s) => s.pass === 'proof'), 'the smoke tests ran after the rollback was abandoned')
    assert.ok(sameState(await env.snapshot(), env.rolledOut), 'the database was restored after the rollback was abandoned')
    const text = report(env, run.id)
    assert.match(text, /`deploy` \(deploy\): \*\*NOT put back\*\*/)
    assert.match(text, /`migrate` \(migrate\): \*\*not undone\*\*/)
    assert.match(text, new RegExp(`rollout rollback ${run.id}`))
    assert.equal(lock, null)

    release(env.dir)
    const finish = await runCli(['rollback', run.id], { cwd: env.dir })
    assert.equal(finish.code, 1, finish.stdout + finish.stderr)
    assert.equal(env.live(), 'd-v1')
    assert.ok(sameState(await env.snapshot(), env.before))
    assert.equal((await readRecord(env.dir)).runs[0]!.status, 'rolled-back')
  })

  it('a lock held on another host with an unexpired lease: a run exits 4 naming the holder and never takes it over, even when that pid is dead here', async () => {
    const dir = makeProject(stepsOnly([{ id: 'mig', phase: 'migrate', kind: 'command', changesEnvironment: true, options: { command: 'touch migrated', undo: 'rm migrated' } }]))
    // A pid that is certainly not running on this host.
    const gone = spawn('true', [], { stdio: 'ignore' })
    await once(gone, 'exit')
    const owner = { runId: '20261204-101500-beef', user: 'ana', host: 'build-box-7', pid: gone.pid!, since: new Date().toISOString() }
    const store = new SqliteStore(path.join(dir, '.rollout', 'rollout.db'))
    await store.acquireLock('staging', owner, 60_000, () => null)
    store.close()

    const blocked = await runCli(['run', 'staging'], { cwd: dir })
    assert.equal(blocked.code, 4, blocked.stdout + blocked.stderr)
    assert.match(blocked.stderr, new RegExp(`environment "staging" is locked by run ${owner.runId} \\(ana@build-box-7, pid ${gone.pid}\\)`))
    assert.doesNotMatch(blocked.stdout + blocked.stderr, STACK)
    const after = await readRecord(dir)
    assert.deepEqual(after.lock?.owner, owner, 'the lock was taken over while its lease held')
    assert.equal(existsSync(path.join(dir, 'migrated')), false, 'the locked-out run changed the environment')

    // The same lock on this host, its pid dead: taken over at once, and the record says so.
    const local = new SqliteStore(path.join(dir, '.rollout', 'rollout.db'))
    await local.forceUnlock('staging')
    await local.acquireLock('staging', { ...owner, host: os.hostname() }, 60_000, () => null)
    local.close()
    const taken = await runCli(['run', 'staging'], { cwd: dir })
    assert.equal(taken.code, 0, taken.stdout + taken.stderr)
    assert.match(taken.stdout, new RegExp(`took over the lock of run ${owner.runId} \\(ana@${os.hostname()}\\): its owner process ${gone.pid} on this host is gone`))
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { finished, processRunning, runCli, spawnCli, tempDir, waitForFile } from '../support/cli.js'
import { readRecord } from '../support/record.js'
import { ensureMysqlServer, type MysqlServer } from '../../src/sandbox/mysql-server.js'
import { faultEnv, readState, release, sameState } from './fault-env.js'

/**
 * The database server dies (kill -9 of a private mariadbd, never the shared test server) while
 * rollout is dumping, replaying or migrating. Each case checks what a user would: the exit code, a
 * message naming the cause without a stack trace, the record, the backups left, and, once the
 * server is back, that the command rollout names puts the database back as it was.
 */

const STACK = /\n\s+at .+:\d+:\d+\)?\n/

// Two bootstraps at once collide on their temporary tables: servers start one at a time.
let starting: Promise<unknown> = Promise.resolve()

/** A private server of this test's own: killed and started again on the same data folder. */
async function privateServer() {
  const stateDir = tempDir('rollout-dbkill-')
  const start = () => {
    const next = starting.then(() => ensureMysqlServer({ stateDir, env: {}, tryDefaultPort: false, allowInstall: false }))
    starting = next.catch(() => {})
    return next
  }
  let server: MysqlServer = await start()
  return {
    get url() {
      return server.url
    },
    async kill() {
      process.kill(server.pid!, 'SIGKILL')
      while (processRunning(server.pid!)) await sleep(20)
    },
    /** Starts it again (crash recovery included) on a new port; the project's config follows. */
    async restart(projectDir: string) {
      const old = server.url
      server = await start()
      const config = path.join(projectDir, 'rollout.config.mjs')
      writeFileSync(config, readFileSync(config, 'utf8').replaceAll(old, server.url))
    },
    stop: () => server.stop(),
  }
}

/** Resolves once `check` holds, polling every 10 ms; throws after `ms`. */
async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

const partialWithBytes = (dir: string) => () => existsSync(dir) && readdirSync(dir).some((n) => n.endsWith('.partial') && statSync(path.join(dir, n)).size > 0)

describe('the database server killed mid-operation', { concurrency: true }, () => {
  it('mid-backup (rollout backup, then rollout run): exit 1 naming the lost server, no partial file listed or left, the run recorded as failed before any change', async (t) => {
    const server = await privateServer()
    t.after(server.stop)
    const env = await faultEnv({ release: 'v2', server: server.url, bulk: 150_000 })
    const backups = path.join(env.dir, 'backups')

    const child = spawnCli(['backup', 'staging'], { cwd: env.dir })
    await until(partialWithBytes(backups), 30_000, 'the dump to start writing')
    await server.kill()
    const result = await finished(child)
    assert.equal(result.code, 1, result.stdout + result.stderr)
    assert.match(result.stderr, /error: .*(Lost connection|server has gone away|Can't connect)/i)
    assert.doesNotMatch(result.stderr, STACK)
    assert.deepEqual(readdirSync(backups).filter((n) => !n.startsWith('.')), [], 'a killed dump left a file behind')

    // The same in a run: its backup step fails, the run stops before the point of no return.
    await server.restart(env.dir)
    const run = spawnCli(['run', 'staging'], { cwd: env.dir })
    await until(partialWithBytes(backups), 30_000, 'the run\'s dump to start writing')
    const before = await readState(`${server.url}/${new URL(env.url).pathname.slice(1)}`)
    await server.kill()
    const ran = await finished(run)
    assert.equal(ran.code, 1, ran.stdout + ran.stderr)
    assert.match(ran.stdout, /✗ backup .*(Lost connection|gone away|exited with code)/i)
    assert.match(ran.stdout, /stopped before the point of no return, nothing changed/)
    assert.doesNotMatch(ran.stdout + ran.stderr, STACK)
    assert.equal(env.live(), 'd-v1')
    const { runs, steps, lock } = await readRecord(env.dir)
    assert.equal(runs[0]!.status, 'failed')
    assert.equal(runs[0]!.crossedAt, null)
    assert.equal(steps.get(runs[0]!.id)!.find((s) => s.stepId === 'backup')!.status, 'failed')
    assert.ok(!steps.get(runs[0]!.id)!.some((s) => s.stepId === 'migrate'), 'the migration ran without a backup')
    assert.equal(lock, null)

    await server.restart(env.dir)
    const listed = await runCli(['backups', 'staging', '--json'], { cwd: env.dir })
    assert.deepEqual(JSON.parse(listed.stdout), [], 'a killed dump is listed as a backup')
    assert.ok(sameState(await readState(`${server.url}/${new URL(env.url).pathname.slice(1)}`), before), 'the database changed')
  })

  it('mid-restore: exit 3 naming the command that finishes it; the backup stays intact and that command, once the server is back, restores and proves it', async (t) => {
    const server = await privateServer()
    t.after(server.stop)
    const env = await faultEnv({ release: 'v2', server: server.url, bulk: 150_000 })
    const dbName = new URL(env.url).pathname.slice(1)
    const taken = await runCli(['backup', 'staging', '--json'], { cwd: env.dir })
    assert.equal(taken.code, 0, taken.stderr)
    const backupId = JSON.parse(taken.stdout).id as string
    const mysql = await import('mysql2/promise')
    const conn = await mysql.createConnection(env.url)
    await conn.query("UPDATE audit_log SET entry = 'changed' WHERE id % 3 = 0")
    await conn.end()

    const child = spawnCli(['restore', 'staging', backupId, '--full', '--yes'], { cwd: env.dir })
    await until(() => /replaying/.test(child.output.stderr), 30_000, 'the replay to start')
    await sleep(200)
    await server.kill()
    const result = await finished(child)
    assert.equal(result.code, 3, result.stdout + result.stderr)
    assert.match(result.stderr, new RegExp(`error: the restore of ${backupId} into ${dbName} did not complete: .*(Lost connection|gone away|exited with code|cannot reach)`, 'i'))
    assert.match(result.stderr, new RegExp(`The database may be partly restored\\. Finish the restore with:\\n {2}rollout restore staging ${backupId} --full --yes\\n`))
    assert.doesNotMatch(result.stderr, STACK)

    await server.restart(env.dir)
    const listed = JSON.parse((await runCli(['backups', 'staging', '--json'], { cwd: env.dir })).stdout) as { id: string; status: string; verified: string }[]
    assert.deepEqual(listed.map((b) => [b.id, b.verified]), [[backupId, 'quick']], 'the backup is not intact after the killed restore')
    const finish = await runCli(['restore', 'staging', backupId, '--full', '--yes'], { cwd: env.dir })
    assert.equal(finish.code, 0, finish.stdout + finish.stderr)
    assert.match(finish.stdout, /\(full\), proven/)
    assert.ok(sameState(await readState(`${server.url}/${dbName}`), env.before), 'the finished restore did not bring the database back')
  })

  it('mid-migration: the undo cannot reach the server, exit 3, the record and the incident report say the database is left; rollout rollback finishes it once the server is back', async (t) => {
    const server = await privateServer()
    t.after(server.stop)
    const env = await faultEnv({ release: 'v2', server: server.url, hangs: ['migrate'] })
    const dbName = new URL(env.url).pathname.slice(1)
    const child = spawnCli(['run', 'staging'], { cwd: env.dir })
    await waitForFile(path.join(env.dir, 'at-migrate'), 30_000)
    // The first statement (ADD COLUMN) is applied; the second meets a dead server.
    await server.kill()
    release(env.dir)
    const result = await finished(child)
    assert.equal(result.code, 3, result.stdout + result.stderr)
    assert.match(result.stdout, /✗ migrate /)
    assert.match(result.stdout, /Rollback INCOMPLETE/)
    assert.doesNotMatch(result.stdout + result.stderr, STACK)
    assert.equal(env.live(), 'd-v1', 'the deploy ran after a failed migration')

    const { runs, steps } = await readRecord(env.dir)
    const run = runs[0]!
    assert.equal(run.status, 'rollback-failed')
    const migrate = steps.get(run.id)!.find((s) => s.stepId === 'migrate' && s.pass === 'run')!
    assert.equal(migrate.undoStatus, 'rollback-failed')
    assert.match(migrate.undoSummary!, /cannot reach the database server .*\(ECONNREFUSED\); nothing in the database was changed/)
    assert.match(run.summary!, /rollback did not complete: migrate/)
    const report = readFileSync(path.join(env.dir, '.rollout/runs', run.id, 'incident.md'), 'utf8')
    assert.match(report, /\*\*Partly changed:\*\*/)
    assert.match(report, /`migrate` \(migrate\): \*\*NOT put back\*\*/)
    assert.match(report, new RegExp(`rollout rollback ${run.id}`))

    await server.restart(env.dir)
    const listed = JSON.parse((await runCli(['backups', 'staging', '--json'], { cwd: env.dir })).stdout) as { id: string; verified: string }[]
    assert.equal(listed.length, 1, 'the run\'s backup is gone')
    const rolled = await runCli(['rollback', run.id], { cwd: env.dir })
    assert.equal(rolled.code, 1, rolled.stdout + rolled.stderr)
    assert.match(rolled.stdout, /Rollback complete/)
    assert.ok(sameState(await readState(`${server.url}/${dbName}`), env.before), 'the database is not as before the run')
    assert.equal((await readRecord(env.dir)).runs[0]!.status, 'rolled-back')
  })
})

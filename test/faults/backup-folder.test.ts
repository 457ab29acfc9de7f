import { describe, it, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs'
import path from 'node:path'
import { runCli, spawnCli, finished, waitForFile } from '../support/cli.js'
import { readRecord } from '../support/record.js'
import { faultEnv, release, sameState, type FaultEnv } from './fault-env.js'

/**
 * The backup folder fails the run: full, read-only, or its backup truncated. Each case: the exit
 * code, a message naming the cause with a hint, the backups that were there still usable, the
 * database as it was (checksums) and the live release.
 */

const STACK = /\n\s+at .+:\d+:\d+\)?\n/

/** Mounts (root only): returns false when this machine does not allow it, so the test can skip. */
function mount(t: TestContext, args: string[], target: string): boolean {
  try {
    execFileSync('mount', [...args, target], { stdio: 'ignore' })
  } catch {
    return false
  }
  t.after(() => execFileSync('umount', [target]))
  return true
}

async function addRows(url: string, rows: number): Promise<void> {
  const mysql = await import('mysql2/promise')
  const conn = await mysql.createConnection({ uri: url, multipleStatements: true })
  await conn.query(`CREATE TABLE audit_log (id INT PRIMARY KEY, entry CHAR(200) NOT NULL); INSERT INTO audit_log SELECT seq, REPEAT(MD5(seq), 6) FROM seq_1_to_${rows}`)
  await conn.end()
}

async function backup(env: FaultEnv): Promise<string> {
  const taken = await runCli(['backup', 'staging', '--json'], { cwd: env.dir })
  assert.equal(taken.code, 0, taken.stdout + taken.stderr)
  return JSON.parse(taken.stdout).id as string
}

const listed = async (env: FaultEnv) => JSON.parse((await runCli(['backups', 'staging', '--json'], { cwd: env.dir })).stdout) as { id: string; status: string; verified: string | null; problems: string[] }[]

/** The run stopped at its backup step: exit 1, nothing changed, the record says so. */
async function assertStoppedAtBackup(env: FaultEnv, run: { code: number | null; stdout: string; stderr: string }, cause: RegExp): Promise<void> {
  assert.equal(run.code, 1, run.stdout + run.stderr)
  assert.match(run.stdout, /stopped before the point of no return, nothing changed/)
  assert.doesNotMatch(run.stdout + run.stderr, STACK)
  const { runs, steps, lock } = await readRecord(env.dir)
  assert.equal(runs[0]!.status, 'failed')
  assert.equal(runs[0]!.crossedAt, null)
  const step = steps.get(runs[0]!.id)!.find((s) => s.stepId === 'backup')!
  assert.equal(step.status, 'failed')
  assert.match(step.summary!, cause)
  assert.ok(!steps.get(runs[0]!.id)!.some((s) => s.stepId === 'migrate'), 'the migration ran without a backup')
  assert.equal(lock, null)
  assert.equal(env.live(), 'd-v1')
}

/** A run of a broken release that fails after its migration, held at its deploy until `release`. */
async function heldAtDeploy(t: TestContext) {
  const env = await faultEnv({ release: 'v3-broken', hangs: ['deploy'] })
  t.after(env.drop)
  const child = spawnCli(['run', 'staging'], { cwd: env.dir })
  await waitForFile(path.join(env.dir, 'at-deploy'), 30_000)
  return { env, child, folder: path.join(env.dir, 'backups') }
}

describe('the backup folder', { concurrency: true }, () => {
  it('full (a 1 MB tmpfs): backup and run exit 1 with "no space left" and a hint; no partial file; the earlier backup still restores', async (t) => {
    const env = await faultEnv({ release: 'v2' })
    t.after(env.drop)
    const folder = path.join(env.dir, 'backups')
    mkdirSync(folder)
    if (!mount(t, ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs'], folder)) return t.skip('cannot mount a small tmpfs here (needs root)')
    const first = await backup(env)
    await addRows(env.url, 100_000)
    const grown = await env.snapshot()
    const files = readdirSync(folder).sort()

    const result = await runCli(['backup', 'staging'], { cwd: env.dir })
    assert.equal(result.code, 1, result.stdout + result.stderr)
    assert.match(result.stderr, /\nerror: no space left for the backup file; nothing was kept\nhint: free space in the backup folder, or point backups\.dir at a larger disk\n$/)
    assert.deepEqual(readdirSync(folder).sort(), files, 'the failed backup left a file, or took one away')

    const run = await runCli(['run', 'staging'], { cwd: env.dir })
    await assertStoppedAtBackup(env, run, /no space left for the backup file.*hint: free space in the backup folder/)
    assert.deepEqual(readdirSync(folder).sort(), files)
    assert.ok(sameState(await env.snapshot(), grown), 'the database changed')

    assert.deepEqual((await listed(env)).map((b) => [b.id, b.status]), [[first, 'verified']])
    const restored = await runCli(['restore', 'staging', 'latest', '--yes'], { cwd: env.dir })
    assert.equal(restored.code, 0, restored.stdout + restored.stderr)
    assert.ok(sameState(await env.snapshot(), env.before), 'the earlier backup did not restore the database')
  })

  it('read-only (a read-only bind mount): backup and run exit 1 naming the folder, with a hint; the backup in it still restores', async (t) => {
    const env = await faultEnv({ release: 'v2' })
    t.after(env.drop)
    const folder = path.join(env.dir, 'backups')
    const first = await backup(env)
    if (!mount(t, ['--bind', folder], folder)) return t.skip('cannot bind-mount here (needs root)')
    execFileSync('mount', ['-o', 'remount,bind,ro', folder])
    const files = readdirSync(folder).sort()

    const result = await runCli(['backup', 'staging'], { cwd: env.dir })
    assert.equal(result.code, 1, result.stdout + result.stderr)
    assert.match(result.stderr, new RegExp(`(^|\\n)error: cannot write to the backup folder ${folder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: it is read-only \\(EROFS\\); nothing was kept\\nhint: `))
    assert.doesNotMatch(result.stderr, STACK)

    const run = await runCli(['run', 'staging'], { cwd: env.dir })
    await assertStoppedAtBackup(env, run, /cannot write to the backup folder .*read-only.*hint: /)
    assert.deepEqual(readdirSync(folder).sort(), files)

    const mysql = await import('mysql2/promise')
    const conn = await mysql.createConnection(env.url)
    await conn.query("UPDATE clients SET name = 'changed' WHERE id < 10")
    await conn.end()
    const restored = await runCli(['restore', 'staging', first, '--yes'], { cwd: env.dir })
    assert.equal(restored.code, 0, restored.stdout + restored.stderr)
    assert.ok(sameState(await env.snapshot(), env.before))
  })

  it('a truncated backup: listed as invalid with the reason, refused by restore with nothing changed; "latest" is the newest intact one', async (t) => {
    const env = await faultEnv({ release: 'v2' })
    t.after(env.drop)
    const good = await backup(env)
    await new Promise((r) => setTimeout(r, 1100))
    const cut = await backup(env)
    const file = path.join(env.dir, 'backups', readdirSync(path.join(env.dir, 'backups')).find((n) => n.startsWith(cut) && !n.endsWith('.json'))!)
    truncateSync(file, Math.floor(statSync(file).size / 2))

    const entries = await listed(env)
    assert.deepEqual(entries.map((b) => [b.id, b.status]), [[cut, 'invalid'], [good, 'verified']])
    assert.match(entries[0]!.problems.join('; '), /backup file is \d+ bytes, the manifest says \d+/)

    const mysql = await import('mysql2/promise')
    const conn = await mysql.createConnection(env.url)
    await conn.query("UPDATE clients SET name = 'changed' WHERE id < 10")
    await conn.end()
    const changed = await env.snapshot()
    const refused = await runCli(['restore', 'staging', cut, '--yes'], { cwd: env.dir })
    assert.equal(refused.code, 1, refused.stdout + refused.stderr)
    assert.match(refused.stderr, new RegExp(`error: backup ${cut} .*backup file is \\d+ bytes, the manifest says \\d+.*nothing in the database was changed`))
    assert.ok(sameState(await env.snapshot(), changed), 'a refused restore changed the database')

    const latest = await runCli(['restore', 'staging', 'latest', '--yes'], { cwd: env.dir })
    assert.equal(latest.code, 0, latest.stdout + latest.stderr)
    assert.match(latest.stdout, new RegExp(`Restored ${good} `))
    assert.ok(sameState(await env.snapshot(), env.before))
  })

  it('the run\'s backup truncated before its rollback: the migration cannot be undone, exit 3, the report says the database is left and why', async (t) => {
    const { env, child, folder } = await heldAtDeploy(t)
    const file = path.join(folder, readdirSync(folder).find((n) => n.endsWith('.zst'))!)
    truncateSync(file, Math.floor(statSync(file).size / 2))
    release(env.dir)
    const result = await finished(child)
    assert.equal(result.code, 3, result.stdout + result.stderr)
    assert.match(result.stdout, /Rollback INCOMPLETE/)
    assert.doesNotMatch(result.stdout + result.stderr, STACK)
    assert.equal(env.live(), 'd-v1', 'the app was not put back')
    assert.ok(sameState(await env.snapshot(), env.rolledOut), 'the database is neither migrated nor as before: a refused restore changed it')

    const { runs, steps } = await readRecord(env.dir)
    const run = runs[0]!
    assert.equal(run.status, 'rollback-failed')
    const migrate = steps.get(run.id)!.find((s) => s.stepId === 'migrate' && s.pass === 'run')!
    assert.equal(migrate.undoStatus, 'rollback-failed')
    assert.match(migrate.undoSummary!, /backup file is \d+ bytes, the manifest says \d+/)
    const report = readFileSync(path.join(env.dir, '.rollout/runs', run.id, 'incident.md'), 'utf8')
    assert.match(report, /\*\*Partly changed:\*\* 1 of \d+ changes? is still in place\./)
    assert.match(report, /`migrate` \(migrate\): \*\*NOT put back\*\*: backup \S+ failed verification: backup file is \d+ bytes/)
    assert.match(report, /\| `deploy` \| rolled-back \|/)
    // The advice must not be to restore the backup the undo just refused.
    const backupId = path.basename(file).split('.')[0]!
    assert.match(report, new RegExp(`the run's backup \`${backupId}\` failed verification and cannot be restored\. Restore an older verified backup`))
    assert.doesNotMatch(report, new RegExp(`rollout restore staging ${backupId}`))
  })

  it('the seal of the run\'s backup removed before its rollback: the automatic restore refuses the unchecked manifest, exit 3, the database left as the run left it', async (t) => {
    const { env, child, folder } = await heldAtDeploy(t)
    rmSync(path.join(folder, readdirSync(folder).find((n) => n.endsWith('.seal.json'))!))
    release(env.dir)
    const result = await finished(child)
    assert.equal(result.code, 3, result.stdout + result.stderr)
    assert.doesNotMatch(result.stdout + result.stderr, STACK)
    assert.ok(sameState(await env.snapshot(), env.rolledOut), 'a refused restore changed the database')
    const { runs, steps } = await readRecord(env.dir)
    const migrate = steps.get(runs[0]!.id)!.find((s) => s.stepId === 'migrate' && s.pass === 'run')!
    assert.equal(migrate.undoStatus, 'rollback-failed')
    assert.match(migrate.undoSummary!, /could not be checked: its seal \(\S+\.seal\.json\) is missing/)
  })
})

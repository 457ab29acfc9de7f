import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { finished, runCli, spawnCli, waitForFile } from '../support/cli.js'
import { readRecord } from '../support/record.js'
import { testServerUrl } from '../support/mysql.js'
import { faultEnv, release, runAndKill, sameState, MIGRATION, type FaultEnv } from '../faults/fault-env.js'
import { scratchPrefix } from '../../src/steps/migrate/scratch-name.js'

const MIGRATE = fileURLToPath(new URL('../faults/fixtures/migrate.mjs', import.meta.url))
const COUNT = fileURLToPath(new URL('./fixtures/count-orders.mjs', import.meta.url))
/** A migration whose second statement fails: the first has changed the schema by then. */
const BROKEN = 'ALTER TABLE order_lines ADD COLUMN discount_cents INT NOT NULL DEFAULT 0;\nALTER TABLE no_such_table ADD COLUMN x INT;\n'

/**
 * The fault environment with a verified backup and the rehearsal before the migration, as the
 * default plan has them; `migrate` and `rehearse` change the environment's config.
 */
async function rehearsalEnv(opts: { migration?: string; migrate?: Record<string, unknown>; database?: string; hangs?: string[] } = {}): Promise<FaultEnv> {
  const env = await faultEnv({ release: 'v2', ...(opts.hangs ? { hangs: opts.hangs } : {}) })
  const file = path.join(env.dir, 'rollout.config.mjs')
  const config = JSON.parse(readFileSync(file, 'utf8').replace(/^export default /, ''))
  const staging = config.environments.staging
  staging.add.splice(1, 0, { id: 'backup-verify', phase: 'backup', kind: 'backup-verify', after: ['backup'] }, { id: 'rehearse', phase: 'environment', kind: 'rehearse' })
  Object.assign(staging.migrate, opts.migrate ?? {})
  if (opts.database) staging.database.url = opts.database
  writeFileSync(file, `export default ${JSON.stringify(config, null, 2)}\n`)
  if (opts.migration) writeFileSync(path.join(env.dir, 'migration.sql'), opts.migration)
  return env
}

async function scratchesOf(url: string): Promise<string[]> {
  const mysql = await import('mysql2/promise')
  const conn = await mysql.createConnection(testServerUrl())
  try {
    const database = new URL(url).pathname.slice(1)
    const [rows] = await conn.query<any[]>('SELECT SCHEMA_NAME AS n FROM information_schema.SCHEMATA WHERE LEFT(SCHEMA_NAME, ?) = ?', [scratchPrefix(database).length, scratchPrefix(database)])
    return rows.map((r) => String(r.n))
  } finally {
    await conn.end()
  }
}

async function stepsOf(dir: string) {
  const record = await readRecord(dir)
  const run = record.runs[0]!
  return { run, steps: new Map(record.steps.get(run.id)!.filter((s) => s.pass === 'run').map((s) => [s.stepId, s])) }
}

test('a migration that fails in rehearsal stops the run before the point of no return: staging untouched, the migrate step never ran', async () => {
  const env = await rehearsalEnv({ migration: BROKEN })
  try {
    const result = await runCli(['run', 'staging'], { cwd: env.dir })
    assert.equal(result.code, 1, result.stdout + result.stderr)
    assert.ok(sameState(await env.snapshot(), env.before), 'every table checksum and the schema as before')
    assert.equal(env.live(), 'd-v1')
    const { run, steps } = await stepsOf(env.dir)
    assert.equal(run.crossedAt, null)
    assert.equal(steps.get('rehearse')!.status, 'failed')
    assert.match(steps.get('rehearse')!.summary!, /the migration failed in rehearsal on a schema-only copy of backup .*: exit code 1.*no_such_table.*before it stopped it changed: add column order_lines\.discount_cents; 1 table altered/)
    assert.equal(steps.has('migrate'), false, 'the migrate step never started')
    assert.match(result.stdout, /stopped before the point of no return, nothing changed/)
    const evidence = readFileSync(path.join(env.dir, '.rollout', 'runs', run.id, 'rehearse', 'rehearsal-diff.txt'), 'utf8')
    assert.match(evidence, /^order_lines: added column discount_cents/m)
    assert.deepEqual(await scratchesOf(env.url), [], 'the scratch database is dropped after a failure')
  } finally {
    await env.drop()
  }
})

test('a passing rehearsal says what the migration would change, then the real migration runs', async () => {
  const env = await rehearsalEnv()
  try {
    const result = await runCli(['run', 'staging'], { cwd: env.dir })
    assert.equal(result.code, 0, result.stdout + result.stderr)
    const { steps } = await stepsOf(env.dir)
    const rehearse = steps.get('rehearse')!
    assert.equal(rehearse.status, 'passed')
    assert.match(rehearse.summary!, /^rehearsed on a schema-only copy of backup \S+ in [\d.]+ s: would add column order_lines\.discount_cents; 1 table altered$/)
    assert.equal(rehearse.data.dropped, true)
    assert.equal(steps.get('migrate')!.status, 'passed')
    assert.ok(Date.parse(steps.get('migrate')!.startedAt!) >= Date.parse(rehearse.finishedAt!), 'the migration runs after the rehearsal')
    assert.ok(sameState(await env.snapshot(), env.rolledOut), 'the real migration ran once, on staging')
    assert.deepEqual(await scratchesOf(env.url), [], 'the scratch database is dropped after a success')
  } finally {
    await env.drop()
  }
})

test("'data' copies the rows into the scratch database; 'schema' copies none", async () => {
  for (const mode of ['data', 'schema'] as const) {
    const command = `node ${COUNT} >> counts.log && node ${MIGRATE} migration.sql`
    const env = await rehearsalEnv({ migrate: { command, rehearse: mode } })
    try {
      const result = await runCli(['run', 'staging'], { cwd: env.dir })
      assert.equal(result.code, 0, result.stdout + result.stderr)
      const counts = readFileSync(path.join(env.dir, 'counts.log'), 'utf8').trim().split('\n')
      // First the rehearsal's copy, then staging itself.
      assert.deepEqual(counts, [mode === 'data' ? '2000' : '0', '2000'])
      const { steps } = await stepsOf(env.dir)
      assert.match(steps.get('rehearse')!.summary!, mode === 'data' ? /on a full copy of backup/ : /on a schema-only copy of backup/)
    } finally {
      await env.drop()
    }
  }
})

test("a migration that fails only on the rows is caught by a 'data' rehearsal, staging untouched", async () => {
  // 2,000 orders of 200 clients: a unique key on client_id fits the schema, not the rows.
  const env = await rehearsalEnv({ migration: 'ALTER TABLE orders ADD UNIQUE KEY one_per_client (client_id);\n', migrate: { rehearse: 'data' } })
  try {
    const result = await runCli(['run', 'staging'], { cwd: env.dir })
    assert.equal(result.code, 1, result.stdout + result.stderr)
    const { run, steps } = await stepsOf(env.dir)
    assert.equal(run.crossedAt, null)
    assert.match(steps.get('rehearse')!.summary!, /the migration failed in rehearsal on a full copy of backup .*Duplicate entry/)
    assert.equal(steps.has('migrate'), false)
    assert.ok(sameState(await env.snapshot(), env.before))
    assert.deepEqual(await scratchesOf(env.url), [])
  } finally {
    await env.drop()
  }
})

test('a migration command that ignores DATABASE_URL and changes the target during the rehearsal fails the step, and the run says the environment changed (exit 3), never "nothing changed"', async () => {
  const env = await rehearsalEnv()
  const file = path.join(env.dir, 'rollout.config.mjs')
  // The command names the database itself, as a tool configured with a fixed URL would.
  writeFileSync(file, readFileSync(file, 'utf8').replace(`"command": "node ${MIGRATE} migration.sql"`, `"command": "DATABASE_URL=${env.url} node ${MIGRATE} migration.sql"`))
  try {
    const result = await runCli(['run', 'staging'], { cwd: env.dir })
    assert.equal(result.code, 3, result.stdout + result.stderr)
    assert.doesNotMatch(result.stdout, /nothing changed/)
    assert.match(result.stdout, /stopped before the point of no return, but the environment changed anyway: the target database/)
    const { steps } = await stepsOf(env.dir)
    assert.match(steps.get('rehearse')!.summary!, /the target database \S+ itself changed during the rehearsal \(order_lines: added column discount_cents.*\): the migration command must take its database from DATABASE_URL/)
    assert.equal(steps.has('migrate'), false)
    assert.deepEqual(await scratchesOf(env.url), [])
  } finally {
    await env.drop()
  }
})

test('without its privileges on the scratch name the rehearsal is a warning that says it was skipped; granted, it runs, the password never shown', async () => {
  const env = await rehearsalEnv()
  const mysql = await import('mysql2/promise')
  const admin = await mysql.createConnection(testServerUrl())
  const database = new URL(env.url).pathname.slice(1)
  const user = `rh_${randomBytes(3).toString('hex')}`
  const password = `pw-${randomBytes(6).toString('hex')}`
  try {
    await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`)
    await admin.query(`GRANT ALL PRIVILEGES ON \`${database}\`.* TO '${user}'@'%'`)
    await admin.query(`GRANT RELOAD, PROCESS ON *.* TO '${user}'@'%'`)
    const server = new URL(testServerUrl())
    const url = `mysql://${user}:${password}@${server.host}/${database}`
    const file = path.join(env.dir, 'rollout.config.mjs')
    writeFileSync(file, readFileSync(file, 'utf8').replace(JSON.stringify(env.url), JSON.stringify(url)))
    const result = await runCli(['run', 'staging'], { cwd: env.dir })
    assert.equal(result.code, 0, result.stdout + result.stderr)
    const first = await stepsOf(env.dir)
    const skipped = first.steps.get('rehearse')!
    assert.equal(skipped.status, 'warning')
    assert.match(skipped.summary!, new RegExp(`^rehearsal skipped: ${user} lacks CREATE, DROP, .* on the scratch database ${database}_rehearse_\\w+ \\(GRANT CREATE, DROP, .* ON .*\\); the migration was not rehearsed$`))
    assert.equal(first.steps.get('migrate')!.status, 'passed')

    // Granted what it may do on staging, on the scratch names too: the next run rehearses.
    await admin.query(`GRANT ALL PRIVILEGES ON \`${database.replace(/_/g, '\\_')}\\_rehearse\\_%\`.* TO '${user}'@'%'`)
    await env.drop()
    await admin.query(`CREATE DATABASE \`${database}\``)
    await mysql.createConnection(testServerUrl()).then(async (c) => {
      await c.query(`CREATE TABLE \`${database}\`.orders (id INT PRIMARY KEY, status VARCHAR(20) NOT NULL)`)
      await c.query(`CREATE TABLE \`${database}\`.order_lines (id INT PRIMARY KEY, qty INT NOT NULL)`)
      await c.end()
    })
    const again = await runCli(['run', 'staging'], { cwd: env.dir })
    assert.equal(again.code, 0, again.stdout + again.stderr)
    const second = await stepsOf(env.dir)
    assert.match(second.steps.get('rehearse')!.summary!, /^rehearsed on a schema-only copy of backup \S+ in [\d.]+ s: would add column order_lines\.discount_cents; 1 table altered$/)
    for (const output of [result.stdout + result.stderr, again.stdout + again.stderr, JSON.stringify([...first.steps.values(), ...second.steps.values()])]) {
      assert.ok(!output.includes(password), 'the password is never printed nor recorded')
    }
    assert.deepEqual(await scratchesOf(env.url), [])
  } finally {
    await admin.query(`DROP USER IF EXISTS '${user}'@'%'`)
    await admin.end()
    await env.drop()
  }
})

/** An environment whose first migration command (the rehearsal's) hangs until released; dropped afterwards. */
async function withHangingRehearsal(fn: (env: FaultEnv) => Promise<void>): Promise<void> {
  const env = await rehearsalEnv({ hangs: ['migrate'] })
  try {
    await fn(env)
  } finally {
    release(env.dir)
    await env.drop()
  }
}

/** kill -9 of `rollout run` while the rehearsal's migration hangs: the scratch database stays, named by the record. */
async function killDuringRehearsal(env: FaultEnv): Promise<{ killed: string; scratch: string }> {
  const killed = await runAndKill(env.dir, { file: 'at-migrate' })
  const recorded = (await stepsOf(env.dir)).steps.get('rehearse')!
  assert.equal(recorded.status, 'running')
  const scratch = String(recorded.data.scratch)
  assert.deepEqual(await scratchesOf(env.url), [scratch], 'the killed run left its scratch database, and its record names it')
  assert.ok(sameState(await env.snapshot(), env.before), 'the rehearsal touched only the scratch database')
  // The migration the killed rehearsal started lives on in its own process group: let it end.
  release(env.dir)
  return { killed, scratch }
}

test('a scratch database left by a run killed (kill -9) during the rehearsal is dropped by the next run', () =>
  withHangingRehearsal(async (env) => {
    const { killed, scratch } = await killDuringRehearsal(env)
    const again = await runCli(['run', 'staging'], { cwd: env.dir })
    assert.equal(again.code, 0, again.stdout + again.stderr)
    const next = await stepsOf(env.dir)
    assert.notEqual(next.run.id, killed)
    assert.deepEqual(next.steps.get('rehearse')!.data.swept, [scratch])
    assert.match(next.steps.get('rehearse')!.output, new RegExp(`dropped scratch database ${scratch}, left by run ${killed}, which has ended`))
    assert.deepEqual(await scratchesOf(env.url), [], 'no scratch database is left')
  }))

test('rollout resume of a run killed during the rehearsal rehearses again and drops the scratch database the killed attempt left', () =>
  withHangingRehearsal(async (env) => {
    const { killed, scratch } = await killDuringRehearsal(env)
    const resumed = await runCli(['resume', killed], { cwd: env.dir })
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr)
    const { run, steps } = await stepsOf(env.dir)
    assert.equal(run.id, killed)
    assert.equal(steps.get('rehearse')!.status, 'passed')
    assert.match(steps.get('rehearse')!.output, new RegExp(`dropped scratch database ${scratch}, left by an earlier attempt of this run`))
    assert.ok(sameState(await env.snapshot(), env.rolledOut))
    assert.deepEqual(await scratchesOf(env.url), [])
  }))

test('Ctrl-C during the rehearsal drops the scratch database before the run ends, nothing changed', () =>
  withHangingRehearsal(async (env) => {
    const child = spawnCli(['run', 'staging'], { cwd: env.dir })
    await waitForFile(path.join(env.dir, 'at-migrate'), 60_000)
    assert.equal((await scratchesOf(env.url)).length, 1)
    child.kill('SIGINT')
    const result = await finished(child)
    assert.equal(result.code, 1, result.stdout + result.stderr)
    assert.match(result.stdout, /nothing was changed/)
    assert.deepEqual(await scratchesOf(env.url), [], 'the scratch database is dropped on abort')
    assert.ok(sameState(await env.snapshot(), env.before))
  }))

import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { z } from 'zod'
// The package by its own name: what a team's script imports, the compiled library and its types.
import {
  ConfigError, backupEnvironment, defineConfig, defineStepKind, listBackups, planRollout, resumeRollout, restoreEnvironment,
  rollbackRollout, runRollout, showRun, type RolloutEvent,
} from 'rollout'
import { featureFlag } from '../../examples/library/feature-flag.js'
import { createTestDatabase } from '../support/mysql.js'

/**
 * The library from outside: a program with a config object and a step kind of its own plans, runs,
 * resumes, rolls back, backs up and restores, against a real database. The custom kind gets what a
 * built-in one gets: its options checked, evidence, a checkpoint, its undo and its inspection.
 */
describe('the public API with a custom step kind', () => {
  let dir: string
  let db: Awaited<ReturnType<typeof createTestDatabase>>
  // A smoke check of the program's own: fails while `break` is set, waits for Ctrl-C while `hang` is.
  const smoke = { break: false, hang: false, warn: false }
  const smokeCheck = defineStepKind({
    kind: 'flag-smoke',
    description: 'reads the flags file back, as the app would',
    async run(ctx) {
      if (smoke.hang) await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }))
      if (ctx.signal.aborted) return { status: 'failed', summary: 'stopped' }
      const flags = JSON.parse(readFileSync(path.join(ctx.cwd, 'flags.json'), 'utf8')) as Record<string, unknown>
      if (smoke.break) return { status: 'failed', summary: `checkout broken with newCheckout=${String(flags.newCheckout)}` }
      if (smoke.warn) return { status: 'warning', summary: 'checkout slow' }
      return { status: 'passed', summary: `newCheckout=${String(flags.newCheckout)}` }
    },
  })
  const config = () => defineConfig({
    kinds: [featureFlag],
    environments: {
      staging: {
        url: 'https://staging.example.test',
        database: { url: db.url },
        backups: { dir: 'backups', verify: 'quick' },
        defaults: false,
        add: [
          { id: 'backup', phase: 'backup', kind: 'backup' },
          { id: 'new-checkout', phase: 'deploy', kind: 'feature-flag', options: { file: 'flags.json', flag: 'newCheckout', value: true } },
          { id: 'smoke', phase: 'smoke', kind: 'flag-smoke' },
        ],
      },
    },
  })
  // The program's kinds come in beside the config's.
  const source = () => ({ cwd: dir, config: config(), kinds: [smokeCheck] })
  const flags = () => JSON.parse(readFileSync(path.join(dir, 'flags.json'), 'utf8')) as Record<string, unknown>

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'rollout-api-'))
    writeFileSync(path.join(dir, 'flags.json'), '{ "newCheckout": false }\n')
    db = await createTestDatabase('api')
    const mysql = await import('mysql2/promise')
    const conn = await mysql.createConnection(db.url)
    await conn.query('CREATE TABLE orders (id INT PRIMARY KEY, total INT)')
    await conn.query('INSERT INTO orders VALUES (1, 100), (2, 250)')
    await conn.end()
  })
  after(async () => {
    await db.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  test('plan lists the custom kinds\' steps, their options checked by the kind', async () => {
    const plan = await planRollout({ ...source(), environment: 'staging' })
    assert.deepEqual(plan.steps.map((s) => [s.id, s.kind, s.changesEnvironment]), [['backup', 'backup', false], ['new-checkout', 'feature-flag', true], ['smoke', 'flag-smoke', false]])
    assert.equal(plan.pointOfNoReturn, 'new-checkout')
    const bad = { ...source(), config: { ...config(), environments: { staging: { ...config().environments.staging, add: [{ id: 'x', phase: 'deploy', kind: 'feature-flag', options: { file: 'f.json', flag: 'a', value: 'yes' } }] } } } }
    await assert.rejects(planRollout({ ...bad, environment: 'staging' }), (e: Error) => e instanceof ConfigError && /environments\.staging\.add\[0\]\.options/.test(e.message) && /value/.test(e.message))
  })

  test('a kind that is not one is refused naming its place in `kinds`', async () => {
    await assert.rejects(planRollout({ cwd: dir, config: { ...config(), kinds: [featureFlag, { kind: 'no-run', description: 'x' }] }, environment: 'staging' }), (e: Error) => e instanceof ConfigError && /kinds\[1\]\.run: expected a function/.test(e.message))
    await assert.rejects(planRollout({ cwd: dir, config: { ...config(), kinds: [{ ...featureFlag, kind: 'backup' }] }, environment: 'staging' }), /kinds\[0\]\.kind: "backup" is a built-in kind/)
  })

  let passedRun = ''
  test('run: the custom step changes the flag with evidence and a checkpoint in the record', async () => {
    const events: RolloutEvent[] = []
    const result = await runRollout({ ...source(), environment: 'staging', onEvent: (e) => events.push(e) })
    assert.equal(result.status, 'passed', result.summary)
    assert.equal(result.summary, 'all 3 steps passed')
    passedRun = result.runId
    assert.equal(flags().newCheckout, true)
    const { steps, folder } = await showRun({ ...source(), runId: result.runId })
    const step = steps.find((s) => s.stepId === 'new-checkout' && s.pass === 'run')!
    assert.equal(step.status, 'passed')
    assert.deepEqual(step.data, { before: false, after: true })
    assert.ok(events.some((e) => e.type === 'step-evidence' && e.stepId === 'new-checkout'))
    assert.deepEqual(JSON.parse(readFileSync(path.join(folder, 'new-checkout', 'flags.json'), 'utf8')), { newCheckout: true })
  })

  test('rollback: the custom undo puts the flag back, its inspection and the smoke check prove it', async () => {
    const result = await rollbackRollout({ ...source(), target: passedRun, reason: 'a test asked' })
    assert.equal(result.status, 'rolled-back', result.summary)
    assert.equal(flags().newCheckout, false)
    const { steps } = await showRun({ ...source(), runId: passedRun })
    assert.equal(steps.find((s) => s.stepId === 'new-checkout' && s.pass === 'run')!.undoStatus, 'rolled-back')
    // The smoke check ran again after the undo, as the rollback's proof.
    assert.ok(steps.some((s) => s.stepId === 'smoke' && s.pass !== 'run' && s.status === 'passed'), JSON.stringify(steps.map((s) => [s.stepId, s.pass, s.status])))
  })

  test('a failing smoke check after the custom step rolls it back by itself', async () => {
    smoke.break = true
    try {
      const result = await runRollout({ ...source(), environment: 'staging' })
      assert.equal(result.status, 'rollback-failed', 'the proof pass runs the same broken check, so the rollback cannot be proven')
      assert.equal(flags().newCheckout, false, 'the flag was put back')
    } finally {
      smoke.break = false
    }
  })

  test('a passed run with a warning says so in its summary, not "all passed"', async () => {
    smoke.warn = true
    try {
      const result = await runRollout({ ...source(), environment: 'staging' })
      assert.equal(result.status, 'passed', result.summary)
      assert.equal(result.summary, '3 steps: 2 passed, 1 with warnings')
    } finally {
      smoke.warn = false
    }
  })

  test('resume: a run stopped after the point of no return finishes from its record', async () => {
    smoke.hang = true
    const stop = new AbortController()
    const stopped = await runRollout({
      ...source(), environment: 'staging', signal: stop.signal,
      onEvent: (e) => { if (e.type === 'step-started' && e.stepId === 'smoke') stop.abort(new Error('cancelled')) },
    })
    smoke.hang = false
    assert.equal(stopped.status, 'cancelled', stopped.summary)
    assert.equal(flags().newCheckout, true, 'left as the run left it')
    const resumed = await resumeRollout({ ...source(), runId: stopped.runId })
    assert.equal(resumed.status, 'passed', resumed.summary)
    const { steps } = await showRun({ ...source(), runId: stopped.runId })
    // Finished steps were not run again: one backup in the record for this run.
    assert.equal(steps.filter((s) => s.stepId === 'backup').length, 1)
  })

  test('a run started with a config object is not resumed or undone from a config file by mistake', async () => {
    // A config file beside the record, as a team might keep one: the run was not started with it.
    writeFileSync(path.join(dir, 'rollout.config.mjs'), "export default { environments: { staging: { url: 'https://staging.example.test' } } }\n")
    try {
      await assert.rejects(rollbackRollout({ cwd: dir, target: passedRun }), /run \S+ was started by a program with a config object/)
    } finally {
      rmSync(path.join(dir, 'rollout.config.mjs'))
    }
  })

  test('backup and restore: a verified backup, then the database put back to it', async () => {
    const backup = await backupEnvironment({ ...source(), environment: 'staging' })
    assert.equal(backup.verification.ok, true, backup.verification.problems.join('; '))
    assert.equal(backup.tables, 1)
    const { backups } = await listBackups({ ...source(), environment: 'staging' })
    assert.equal(backups[0]!.id, backup.id)

    const mysql = await import('mysql2/promise')
    const conn = await mysql.createConnection(db.url)
    try {
      await conn.query('UPDATE orders SET total = 1 WHERE id = 2')
      const asked: string[] = []
      const restored = await restoreEnvironment({ ...source(), environment: 'staging', backup: backup.id, confirm: async (intent) => (asked.push(intent.description), true) })
      assert.equal(restored.status, 'restored')
      assert.match(asked[0]!, new RegExp(`restoring ${backup.id}`))
      const [rows] = await conn.query('SELECT total FROM orders WHERE id = 2')
      assert.equal((rows as { total: number }[])[0]!.total, 250)
      // A confirmation that says no changes nothing.
      await conn.query('UPDATE orders SET total = 2 WHERE id = 2')
      const declined = await restoreEnvironment({ ...source(), environment: 'staging', backup: backup.id, confirm: async () => false })
      assert.equal(declined.status, 'cancelled')
      const [after] = await conn.query('SELECT total FROM orders WHERE id = 2')
      assert.equal((after as { total: number }[])[0]!.total, 2)
    } finally {
      await conn.end()
    }
    assert.ok(existsSync(path.join(dir, 'backups')))
  })
})

test('the README\'s example script plans, backs up, runs and undoes with its feature-flag kind', async () => {
  const db = await createTestDatabase('apiscript')
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'rollout-script-'))
  try {
    const script = fileURLToPath(new URL('../../examples/library/rollout-script.ts', import.meta.url))
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', import.meta.resolve('tsx'), script, '--undo'], { cwd, env: { ...process.env, DATABASE_URL: db.url } })
    assert.match(stdout, /^deploy new-checkout \(feature-flag\)$/m, 'the plan lists the custom step')
    assert.match(stdout, /^backup backup_\S+: verified$/m)
    assert.match(stdout, /^passed: all 3 steps passed$/m)
    assert.match(stdout, /^rolled-back: /m)
    assert.match(stdout, /^run new-checkout: rolled-back \(undo: rolled-back\)$/m)
    // The undo put the flag back to "not set": the file the step created holds no flag any more.
    assert.deepEqual(JSON.parse(readFileSync(path.join(cwd, 'flags.json'), 'utf8')), {})
  } finally {
    await db.drop()
    rmSync(cwd, { recursive: true, force: true })
  }
})

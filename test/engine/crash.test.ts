import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import path from 'node:path'
import { finished, makeProject, runCli, spawnCli, stepsOnly, waitForFile, waitForOutput } from '../support/cli.js'
import { readRecord } from '../support/record.js'

/**
 * Each step appends its name to `journal`. A `hang-<id>` file makes a step (once: it removes the
 * file) announce itself and then wait while `hold` exists, so the test can kill -9 the real process
 * at that exact point; the child process survives the kill, as a real one would, and finishes
 * (writing `<id>-done`) once the test removes `hold`.
 */
const hangOnce = (name: string) =>
  `if [ -e hang-${name} ]; then rm hang-${name}; touch at-${name}; while [ -e hold ]; do sleep 0.05; done; echo ${name}-done >> journal; fi`
const step = (id: string, phase: string, extra: Record<string, unknown> = {}) => ({
  id,
  phase,
  kind: 'command',
  ...extra,
  options: {
    command: `echo ${id} >> journal; ${hangOnce(id)}`,
    ...(extra.changesEnvironment ? { undo: `echo undo-${id} >> journal; ${hangOnce(`undo-${id}`)}` } : {}),
  },
})

const PLAN = stepsOnly([
  step('lint', 'preflight'),
  step('types', 'preflight', { after: ['lint'] }),
  step('mig', 'migrate', { changesEnvironment: true }),
  step('dep', 'deploy', { changesEnvironment: true }),
  step('smoke', 'smoke'),
])

const journal = (dir: string) => readFileSync(path.join(dir, 'journal'), 'utf8').trim().split('\n')

async function killAt(dir: string, marker: string): Promise<string> {
  const child = spawnCli(['run', 'staging'], { cwd: dir })
  await waitForFile(path.join(dir, `at-${marker}`))
  child.kill('SIGKILL')
  await finished(child)
  const { runs } = await readRecord(dir)
  return runs[0]!.id
}

test('killed before the point of no return: status says interrupted, resume stops what the dead attempt left and finishes without re-running done steps', async () => {
  const dir = makeProject(PLAN, { 'hang-types': '', hold: '' })
  const runId = await killAt(dir, 'types')
  const status = await runCli(['status', runId], { cwd: dir })
  assert.match(status.stdout, /running \(INTERRUPTED: its process is gone\)/)
  assert.match(status.stdout, /Continue it: rollout resume/)
  const { steps } = await readRecord(dir)
  assert.equal(steps.get(runId)!.find((s) => s.stepId === 'lint')!.status, 'passed')
  assert.equal(steps.get(runId)!.find((s) => s.stepId === 'types')!.status, 'running')

  const resumed = await runCli(['resume', runId], { cwd: dir })
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr)
  assert.match(resumed.stdout, /lint .*skipped: already passed before the interruption/)
  // The dead attempt's check changes nothing: it was stopped at once (hold still exists), not waited for.
  assert.match(resumed.stdout, /process group \d+ .* was still running and was stopped/)
  // lint ran once; types ran again (it was interrupted); the rest once.
  assert.deepEqual(journal(dir).sort(), ['dep', 'lint', 'mig', 'smoke', 'types', 'types'])
  const after = await readRecord(dir)
  assert.equal(after.runs[0]!.status, 'passed')
  assert.equal(after.lock, null, 'the lock was not released')
  assert.ok(after.events.get(runId)!.some((e) => e.type === 'lock-taken-over'), 'the takeover of the dead run\'s lock is not recorded')
})

test('killed mid-deploy after the point of no return: rollback waits for the deploy the kill left running, undoes it and the migration, then proves it', async () => {
  const dir = makeProject(PLAN, { 'hang-dep': '', hold: '' })
  const runId = await killAt(dir, 'dep')
  const rolling = spawnCli(['rollback', runId], { cwd: dir })
  // The deploy command outlived the kill; the rollback must not undo it while it still runs.
  await waitForOutput(rolling, /still running: waiting up to/)
  await sleep(500)
  assert.deepEqual(journal(dir), ['lint', 'types', 'mig', 'dep'])
  rmSync(path.join(dir, 'hold'))
  const rolled = await finished(rolling)
  assert.equal(rolled.code, 1, rolled.stdout + rolled.stderr)
  assert.match(rolled.stdout, /still running: waiting up to/)
  // The interrupted deploy finished first, then was undone, then the migration; the smoke phase re-runs last.
  assert.deepEqual(journal(dir), ['lint', 'types', 'mig', 'dep', 'dep-done', 'undo-dep', 'undo-mig', 'smoke'])
  const { runs, steps } = await readRecord(dir)
  assert.equal(runs[0]!.status, 'rolled-back')
  assert.equal(steps.get(runId)!.find((s) => s.stepId === 'smoke' && s.pass === 'proof')!.status, 'passed')
  const report = readFileSync(path.join(dir, '.rollout/runs', runId, 'incident.md'), 'utf8')
  assert.match(report, /rolled-back/)
})

test('a rollback killed half-way is finished by resume, without undoing a step twice', async () => {
  const dir = makeProject(stepsOnly([
    step('mig', 'migrate', { changesEnvironment: true }),
    step('dep', 'deploy', { changesEnvironment: true }),
    { id: 'smoke', phase: 'smoke', kind: 'command', options: { command: 'test -e healthy' } },
  ]), { 'hang-undo-mig': '', hold: '' })
  const child = spawnCli(['run', 'staging'], { cwd: dir })
  await waitForFile(path.join(dir, 'at-undo-mig'))
  child.kill('SIGKILL')
  await finished(child)
  const { runs } = await readRecord(dir)
  const runId = runs[0]!.id
  assert.equal(runs[0]!.status, 'rolling-back')
  writeFileSync(path.join(dir, 'healthy'), '')
  rmSync(path.join(dir, 'hold'))
  const resumed = await runCli(['resume', runId], { cwd: dir })
  assert.equal(resumed.code, 1, resumed.stdout + resumed.stderr)
  // The killed undo's command finished before the undo ran again; the deploy's undo, done, did not repeat.
  assert.deepEqual(journal(dir), ['mig', 'dep', 'undo-dep', 'undo-mig', 'undo-mig-done', 'undo-mig'])
  const after = await readRecord(dir)
  assert.equal(after.runs[0]!.status, 'rolled-back')
})

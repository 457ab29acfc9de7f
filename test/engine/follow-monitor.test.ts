import { test } from 'node:test'
import assert from 'node:assert/strict'
import { keptByTheRun } from '../../src/engine/follow-monitor.js'
import type { RunRecord, StepRecord } from '../../src/engine/store.js'
import { exitCodeFor } from '../../src/cli/commands/monitor.js'

const run = (status: RunRecord['status'], monitorSteps = ['monitor']): RunRecord => ({
  id: 'r1', environment: 'staging', status, startedAt: '2026-11-25T10:00:00.000Z', finishedAt: null, user: 'u', host: 'h', pid: 1,
  plan: { environment: 'staging', steps: monitorSteps.map((id) => ({ id, phase: 'monitor' }) as never), pointOfNoReturn: null, rollbackProofPhases: [] },
  release: null, crossedAt: 'deploy', summary: 'phase monitor: … → rolled back deploy', configFile: '/p/rollout.config.mjs',
})
const step = (status: StepRecord['status'], summary: string, data: Record<string, unknown> = {}): StepRecord => ({
  runId: 'r1', stepId: 'monitor', pass: 'run', phase: 'monitor', title: 'Monitor', status, attempt: 1, startedAt: null, finishedAt: null,
  durationMs: 1, summary, data, output: '', evidence: [], undoStatus: null, undoSummary: null, undoDurationMs: null, seq: 5,
})

test('the outcome of a window kept by the run, and the exit code `rollout monitor` gives it', () => {
  const cases: [RunRecord, StepRecord[], string, number][] = [
    [run('passed'), [step('passed', 'quiet for 30m')], 'quiet', 0],
    [run('passed'), [step('warning', 'breach after 2m (alert only)', { breach: { kind: 'health' } })], 'alerted', 1],
    [run('rolled-back'), [step('failed', 'breach after 2m: health check failed')], 'rolled-back', 1],
    [run('rollback-failed'), [step('failed', 'breach after 2m: health check failed')], 'rollback-failed', 3],
    [run('passed'), [step('skipped', 'monitoring switched off for this run (--no-monitor)')], 'skipped', 0],
    [run('rolled-back'), [], 'stopped', 1],
    [run('passed', []), [], 'none', 2],
  ]
  for (const [r, steps, outcome, code] of cases) {
    const result = keptByTheRun(r, steps)
    assert.equal(result.outcome, outcome, `${r.status} ${steps.map((s) => s.status)}: ${result.summary}`)
    assert.equal(exitCodeFor(result.outcome), code, outcome)
  }
  assert.equal(keptByTheRun(run('rolled-back'), [step('failed', 'breach after 2m: x')]).summary, '"monitor" failed: breach after 2m: x → phase monitor: … → rolled back deploy')
  assert.equal(exitCodeFor('not-rolled-back'), 3)
  assert.equal(exitCodeFor('watcher-gone'), 3)
})

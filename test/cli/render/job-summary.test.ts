import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { RunRecord, StepRecord } from '../../../src/engine/store.js'
import type { PlannedStep } from '../../../src/plan/types.js'
import { renderJobSummary, type JobSummaryInput } from '../../../src/cli/render/job-summary.js'

const planned = (id: string, phase: string, extra: Partial<PlannedStep> = {}) => ({ id, title: `Title ${id}`, phase, kind: 'command', options: {}, changesEnvironment: false, undoable: false, ...extra }) as unknown as PlannedStep

function step(stepId: string, phase: string, seq: number, extra: Partial<StepRecord> = {}): StepRecord {
  return {
    runId: 'r1', stepId, pass: 'run', phase, title: `Title ${stepId}`, status: 'passed', attempt: 1, startedAt: null, finishedAt: null, durationMs: 1500,
    summary: 'ok', data: {}, output: '', evidence: [], undoStatus: null, undoSummary: null, undoDurationMs: null, seq, ...extra,
  }
}

const run = (extra: Partial<RunRecord> = {}): RunRecord => ({
  id: '20260101-120000-ab12', environment: 'staging', status: 'passed', startedAt: '2026-01-01T12:00:00.000Z', finishedAt: '2026-01-01T12:01:30.000Z',
  user: 'runner', host: 'gh', pid: 1, release: 'abc123', crossedAt: null, summary: 'all 2 steps passed', configFile: '/w/rollout.config.ts',
  plan: { environment: 'staging', steps: [planned('check', 'preflight'), planned('mig', 'migrate', { changesEnvironment: true, undoable: true }), planned('smoke', 'smoke')], pointOfNoReturn: 'mig', rollbackProofPhases: ['smoke'] } as unknown as RunRecord['plan'],
  ...extra,
})

const input = (extra: Partial<JobSummaryInput>): JobSummaryInput => ({
  command: 'run', run: run(), steps: [], exitCode: 0, runFolder: '.rollout/runs/20260101-120000-ab12/', reports: [], workflowRunUrl: 'https://github.com/acme/shop/actions/runs/42', ...extra,
})

test('a passed run: environment, release, outcome with its exit meaning, steps and where the evidence is', () => {
  const md = renderJobSummary(input({
    steps: [step('check', 'preflight', 1, { evidence: [{ path: 'check/output.log', label: 'command output' }] }), step('mig', 'migrate', 2, { summary: 'a | b <c>' })],
  }))
  assert.match(md, /^## Rollout staging: ✅ passed\n/)
  assert.match(md, /\| Environment \| `staging` \|/)
  assert.match(md, /\| Release \| `abc123` \|/)
  assert.match(md, /\| Run \| `20260101-120000-ab12` \(`rollout run`\), started 2026-01-01 12:00:00 UTC by runner@gh, took 1m 30s \|/)
  assert.match(md, /\| Outcome \| \*\*passed\*\*: all 2 steps passed \|/)
  assert.match(md, /\| Exit code \| \*\*0\*\*: success \|/)
  assert.match(md, /\| ✅ \| `check` Title check \| preflight \| passed \| 1\.5s \| ok \|/)
  // A pipe would split the cell, HTML would be rendered.
  assert.match(md, /\| `mig` Title mig \| migrate \| passed \| 1\.5s \| a \\\| b &lt;c&gt; \|/)
  // A planned step the run never reached is listed too.
  assert.match(md, /\| ➖ \| `smoke` Title smoke \| smoke \| not run \| — \| \|/)
  assert.doesNotMatch(md, /### Rollback/)
  assert.match(md, /The run folder `\.rollout\/runs\/20260101-120000-ab12\/`, uploaded as an artifact of \[this workflow run\]\(https:\/\/github\.com\/acme\/shop\/actions\/runs\/42\)/)
  assert.match(md, /- `check\/output\.log`: command output \(check\)/)
})

test('a rolled-back run: each undo, the environment afterwards and the proof by the re-run smoke tests', () => {
  const md = renderJobSummary(input({
    exitCode: 1,
    run: run({ status: 'rolled-back', crossedAt: 'mig', summary: 'phase smoke: "smoke" failed: exit code 1 → rolled back 1 step, proven' }),
    steps: [
      step('check', 'preflight', 1),
      step('mig', 'migrate', 2, { status: 'rolled-back', undoStatus: 'rolled-back', undoSummary: 'migrated down', undoDurationMs: 300 }),
      step('smoke', 'smoke', 3, { status: 'failed', summary: 'exit code 1' }),
      step('smoke', 'smoke', 4, { pass: 'proof', summary: 'passes again' }),
    ],
    reports: ['incident.html', 'incident.md'],
  }))
  assert.match(md, /^## Rollout staging: ↩️ failed and rolled back/)
  assert.match(md, /\| Exit code \| \*\*1\*\*: the rollout failed and the environment is as it was/)
  assert.match(md, /\| ❌ \| `smoke` Title smoke \| smoke \| failed \| 1\.5s \| exit code 1 \|/)
  assert.match(md, /\| ✅ \| rollback check: `smoke` Title smoke \| smoke \| passed \|/)
  assert.match(md, /### Rollback\n\n\| Change \| Undo \| Duration \| Summary \|\n\|---\|---\|---\|---\|\n\| `mig` Title mig \| ↩️ rolled-back \| 300ms \| migrated down \|/)
  assert.match(md, /\*\*As before the run:\*\* every change was undone and the smoke tests pass against what was put back/)
  assert.match(md, /- smoke tests after the rollback: passed \(`smoke`\)/)
  assert.match(md, /- `incident\.md`\n/)
})

test('an incomplete rollback says manual action is needed; without the runner\'s variables there is no link', () => {
  const md = renderJobSummary(input({
    exitCode: 3, workflowRunUrl: null,
    run: run({ status: 'rollback-failed', crossedAt: 'mig', summary: 'rollback incomplete' }),
    steps: [step('mig', 'migrate', 1, { status: 'rollback-failed', undoStatus: 'rollback-failed', undoSummary: 'no undo' })],
  }))
  assert.match(md, /🛑 failed, rollback INCOMPLETE/)
  assert.match(md, /\*\*3\*\*: failed and the rollback did not complete: manual action needed/)
  assert.match(md, /\*\*Partly changed:\*\*/)
  assert.match(md, /The run folder `[^`]+`, in the workspace,/)
})

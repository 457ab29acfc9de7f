import { test } from 'node:test'
import assert from 'node:assert/strict'
import { renderIncident } from '../../src/reports/incident.js'
import type { RunRecord, StepRecord } from '../../src/engine/store.js'
import type { RolloutEvent } from '../../src/engine/events.js'
import type { PlannedStep } from '../../src/plan/types.js'

const planned = (id: string, kind: string, phase: PlannedStep['phase'], changesEnvironment = false): PlannedStep => ({
  id, title: id, phase, kind, options: {}, gate: 'blocking', timeoutMs: 600_000, retries: 0, after: [], changesEnvironment, undoable: changesEnvironment,
})
const PLAN = {
  environment: 'staging',
  steps: [planned('backup', 'backup', 'backup'), planned('migrate', 'migrate', 'migrate', true), planned('deploy', 'deploy', 'deploy', true), planned('browser', 'browser', 'smoke')],
  pointOfNoReturn: 'migrate',
  rollbackProofPhases: ['smoke' as const],
}
const runOf = (status: RunRecord['status'], crossedAt: string | null = 'migrate'): RunRecord => ({
  id: 'r-42', environment: 'staging', status, startedAt: '2026-11-25T10:00:00.000Z', finishedAt: '2026-11-25T10:07:00.000Z', user: 'alice', host: 'ci-1', pid: 7,
  plan: PLAN, release: 'v2', crossedAt, summary: null, configFile: '/p/rollout.config.ts',
})
const step = (s: Partial<StepRecord> & Pick<StepRecord, 'stepId' | 'seq'>): StepRecord => ({
  runId: 'r-42', pass: 'run', phase: 'smoke', title: s.stepId, status: 'passed', attempt: 1, startedAt: null, finishedAt: null, durationMs: null,
  summary: null, data: {}, output: '', evidence: [], undoStatus: null, undoSummary: null, undoDurationMs: null, ...s,
})
const BACKUP_ID = 'backup_20261125_100005'
const backup = step({ stepId: 'backup', seq: 1, phase: 'backup', startedAt: '2026-11-25T10:00:05.000Z', durationMs: 3100, summary: `${BACKUP_ID}: 6 tables`, data: { id: BACKUP_ID } })
const smokeFailed = step({ stepId: 'browser', seq: 4, status: 'failed', startedAt: '2026-11-25T10:05:10.250Z', durationMs: 41_000, summary: 'dashboard: HTTP 500' })
const events = (rollbackStarted: string, rollbackFinished: string): RolloutEvent[] => [
  { runId: 'r-42', at: '2026-11-25T10:00:00.000Z', type: 'run-started', environment: 'staging', resumed: false, steps: 4, pointOfNoReturn: 'migrate' },
  { runId: 'r-42', at: rollbackStarted, type: 'rollback-started', reason: 'phase smoke' },
  { runId: 'r-42', at: rollbackFinished, type: 'rollback-finished', status: 'rolled-back', summary: 'rolled back deploy, migrate' },
]

test('incident report of a rollback that restored the database: every step with its time, what each undo took, the data-loss window, what comes next', () => {
  const steps: StepRecord[] = [
    backup,
    step({
      stepId: 'migrate', seq: 2, phase: 'migrate', startedAt: '2026-11-25T10:01:00.000Z', durationMs: 12_000, summary: 'schema changed',
      undoStatus: 'rolled-back', undoSummary: 'restored; schema is back', undoDurationMs: 4200,
      data: {
        diff: ['orders: column priority added'],
        undo: { restored: true, restore: { backupId: BACKUP_ID, mode: 'differential', replayed: ['orders'], dropped: ['order_notes'], unchanged: 4 }, finishedAt: '2026-11-25T10:06:30.000Z' },
      },
    }),
    step({ stepId: 'deploy', seq: 3, phase: 'deploy', startedAt: '2026-11-25T10:02:00.000Z', durationMs: 90_000, undoStatus: 'rolled-back', undoSummary: 'rolled back to dep-41, live', undoDurationMs: 20_000 }),
    smokeFailed,
    step({ stepId: 'browser', seq: 5, pass: 'proof', startedAt: '2026-11-25T10:06:35.000Z', durationMs: 9000, summary: '7 flows passed' }),
  ]
  const md = renderIncident({ run: runOf('rolled-back'), steps, events: events('2026-11-25T10:06:00.000Z', '2026-11-25T10:06:45.000Z'), contacts: {} })
  // Every step, with the time it started and how long it took; the re-runs that proved the rollback after them.
  assert.match(md, /\| `backup` \| backup \| 10:00:05\.000 \| 3\.1s \| passed: backup_20261125_100005: 6 tables \|/)
  assert.match(md, /\| `browser` \| smoke \| 10:05:10\.250 \| 41\.0s \| failed: dashboard: HTTP 500 \|/)
  assert.match(md, /\| rollback check: `browser` \| smoke \| 10:06:35\.000 \| 9\.0s \| passed: 7 flows passed \|/)
  // What was rolled back and how long each part took.
  assert.match(md, /The rollback took 45\.0s in all \(10:06:00\.000 → 10:06:45\.000\)/)
  assert.match(md, /\| `deploy` \| rolled-back \| 20\.0s \| rolled back to dep-41, live \|\n\| `migrate` \| rolled-back \| 4\.2s \| restored; schema is back \|/)
  assert.match(md, /## State of the environment\n\n\*\*As before the run:\*\* every change was undone and the smoke tests pass against what was put back\./)
  // The data-loss window: backup snapshot → restore, and the tables that differed.
  assert.match(md, /- \*\*Restore point:\*\* backup `backup_20261125_100005`, its snapshot taken at 2026-11-25 10:00:05 UTC \(step `backup`\)/)
  assert.match(md, /- \*\*Window:\*\* 2026-11-25 10:00:05 UTC → 2026-11-25 10:06:30 UTC \(6m 25s\): whatever was written in it to the tables below was replaced/)
  assert.match(md, /- \*\*Tables that differed from the backup:\*\* `orders` \(replayed\), `order_notes` \(dropped: not in the backup\)/)
  assert.match(md, /- \*\*Unchanged:\*\* 4 other tables equalled the backup and kept every row/)
  assert.match(md, /- \*\*What the migration changed:\*\* `orders: column priority added`/)
  assert.match(md, /## Follow-up\n\n- Inspect the record: `rollout status r-42`\n- Fix the release, then run it again: `rollout run staging --release <next release>`/)
  assert.doesNotMatch(md, /To finish by hand/)
  assert.match(md, /## Contacts\n\nNone configured: add `contacts`/)
})

test('incident report of a rollback that did not complete: which changes are still in place and the commands that finish the job', () => {
  const steps: StepRecord[] = [
    backup,
    step({ stepId: 'migrate', seq: 2, phase: 'migrate', undoStatus: 'rollback-failed', undoSummary: 'the restore could not connect', data: { diff: [] } }),
    step({
      stepId: 'deploy', seq: 3, phase: 'deploy', undoStatus: 'rollback-failed', undoSummary: 'the rollback command failed (exit 1)',
      data: { previousDeploymentId: 'dep-41', deploymentId: 'dep-42' },
    }),
    smokeFailed,
  ]
  const md = renderIncident({ run: runOf('rollback-failed'), steps, events: [], contacts: { onCall: 'ops@terp.example', database: 'db@terp.example', escalation: 'cto@terp.example' } })
  assert.match(md, /\*\*Partly changed:\*\* 2 of 2 changes are still in place\./)
  assert.match(md, /- `migrate` \(migrate\): \*\*NOT put back\*\*: the restore could not connect\n- `deploy` \(deploy\): \*\*NOT put back\*\*: the rollback command failed \(exit 1\)/)
  assert.match(md, /- \*\*The database was NOT restored\*\* \(`migrate`: the restore could not connect\)\./)
  assert.match(md, /- \*\*Restore point:\*\* backup `backup_20261125_100005`, its snapshot taken at 2026-11-25 10:00:05 UTC/)
  // Newest change first, as the rollback goes; then the tool finishes and proves it.
  assert.ok(md.includes([
    '## To finish by hand',
    '',
    '- By hand: make deployment `dep-41`, live before the run, live again through the provider (the run deployed `dep-42`).',
    '- By hand: put the database back to the run\'s backup: `rollout restore staging backup_20261125_100005` (only the tables that differ are replayed, then every table is proven equal).',
    '- Then let the tool finish and prove it: `rollout rollback r-42` (undoes what is not put back yet, then re-runs the smoke tests)',
  ].join('\n')), md)
  assert.match(md, /- On-call engineer: ops@terp\.example\n- Database team: db@terp\.example\n- Escalation: cto@terp\.example/)
})

test('incident report: a migration that needed no restore lost nothing; a run stopped by a gate changed nothing', () => {
  const steps: StepRecord[] = [
    backup,
    step({ stepId: 'migrate', seq: 2, phase: 'migrate', undoStatus: 'rolled-back', undoSummary: 'no restore', data: { undo: { restored: false, reason: 'the migration changed no schema and the schema is as it was before it' } } }),
    smokeFailed,
  ]
  const md = renderIncident({ run: runOf('rolled-back'), steps, events: [] })
  assert.match(md, /- No restore by `migrate`'s undo: the migration changed no schema and the schema is as it was before it\. The database kept its rows: no data was lost\./)

  const stopped = renderIncident({ run: runOf('failed', null), steps: [step({ stepId: 'ci-status', seq: 1, phase: 'preflight', status: 'failed', summary: '2 checks failing' })], events: [] })
  assert.match(stopped, /## State of the environment\n\nUnchanged: the run stopped before the point of no return\./)
  assert.match(stopped, /- Fix what the failed step reports, then run again: `rollout run staging --release <next release>`/)
  assert.doesNotMatch(stopped, /Data-loss window/)
})

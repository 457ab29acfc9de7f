import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { makeProject, runCli, stepsOnly } from '../support/cli.js'
import { readRecord } from '../support/record.js'
import { monitoredProject, monitoredSteps } from './monitor-app.js'

test('run --monitor 2s: the window of this run is two seconds, whatever the config says', async (t) => {
  const p = await monitoredProject()
  t.after(p.close)
  const result = await runCli(['run', 'staging', '--monitor', '2s'], { cwd: p.dir })
  assert.equal(result.code, 0, result.stdout + result.stderr)
  assert.match(result.stdout, /✓ watch .* quiet for 2\.0s: \d+ samples, errors at most 0\/min/)
  const { runs, steps } = await readRecord(p.dir)
  const watch = steps.get(runs[0]!.id)!.find((s) => s.stepId === 'watch')!
  assert.equal(watch.data.windowMs, 2000)
  assert.ok((watch.data.samples as unknown[]).length >= 5, 'the samples are not in the record')
})

test('run --no-monitor: the monitor step is skipped with the reason, in the output and the record', async (t) => {
  const p = await monitoredProject({ breaksAfter: 0 })
  t.after(p.close)
  const project = p.dir
  const result = await runCli(['run', 'staging', '--no-monitor'], { cwd: project })
  assert.equal(result.code, 0, result.stdout + result.stderr)
  assert.match(result.stdout, /- watch skipped: monitoring switched off for this run \(--no-monitor\)/)
  const { runs, steps } = await readRecord(project)
  const watch = steps.get(runs[0]!.id)!.find((s) => s.stepId === 'watch')!
  assert.equal(watch.status, 'skipped')
  assert.equal(watch.summary, 'monitoring switched off for this run (--no-monitor)')
  assert.equal(runs[0]!.status, 'passed')
})

test('run --monitor: a bad duration, or a plan without a monitor step, is a usage error; --help says what the flags do', async () => {
  const project = makeProject(stepsOnly(monitoredSteps()))
  const bad = await runCli(['run', 'staging', '--monitor', 'soon'], { cwd: project })
  assert.equal(bad.code, 2)
  assert.match(bad.stderr, /--monitor: expected a duration such as 30s, 2m or 1h, got "soon"/)
  const none = makeProject(stepsOnly([{ id: 'x', phase: 'smoke', kind: 'command', options: { command: 'true' } }]))
  const noStep = await runCli(['run', 'staging', '--monitor', '2m'], { cwd: none })
  assert.equal(noStep.code, 2)
  assert.match(noStep.stderr, /--monitor: the plan of staging has no monitor step/)
  assert.ok(!existsSync(path.join(none, '.rollout', 'runs')), 'a run started anyway')
  const help = await runCli(['run', '--help'], { cwd: project })
  assert.match(help.stdout, /--monitor <duration>\s+monitoring window for this run/)
  assert.match(help.stdout, /--no-monitor\s+skip the monitoring window/)
  assert.match(help.stdout, /--detach-monitor\s+watch the monitoring window in the background/)
})

test('a window of a few seconds in which the app starts returning errors → rollback, exit 1; the record and the incident report show the breach', async (t) => {
  const p = await monitoredProject({ breaksAfter: 3 })
  t.after(p.close)
  const result = await runCli(['run', 'staging', '--monitor', '5s'], { cwd: p.dir })
  assert.equal(result.code, 1, result.stdout + result.stderr)
  assert.match(result.stdout, /✗ watch .* breach after [\d.]+m?s: error rate 30\/min above the limit of 5\/min/)
  assert.ok(!existsSync(p.app.marker), 'the release was not undone')

  const { runs, steps } = await readRecord(p.dir)
  const run = runs[0]!
  assert.equal(run.status, 'rolled-back')
  const records = steps.get(run.id)!
  const watch = records.find((s) => s.stepId === 'watch' && s.pass === 'run')!
  assert.equal(watch.status, 'failed')
  const breach = watch.data.breach as { kind: string; reason: string }
  assert.equal(breach.kind, 'error-rate')
  assert.deepEqual((watch.data.samples as { errorsPerMinute: number }[]).map((s) => s.errorsPerMinute), [0, 0, 0, 30])
  assert.equal(records.find((s) => s.stepId === 'deploy-v2')!.undoStatus, 'rolled-back')
  assert.equal(records.find((s) => s.stepId === 'api-health' && s.pass === 'proof')!.status, 'passed', 'the rollback was not proven')

  const report = readFileSync(path.join(p.dir, '.rollout/runs', run.id, 'incident.md'), 'utf8')
  assert.match(report, /### `watch` — watch\n\nfailed: breach after [\d.]+m?s: error rate 30\/min above the limit of 5\/min/)
  assert.match(report, /evidence: \[monitoring samples\]\(watch\/samples\.json\)/)
  assert.match(report, /\| `deploy-v2` \| rolled-back \|/)
})

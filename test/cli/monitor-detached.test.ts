import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { processRunning, runCli } from '../support/cli.js'
import { readRecord } from '../support/record.js'
import { monitoredProject } from './monitor-app.js'

/** The newest run's id and its watch step, from the record. */
async function newestRun(dir: string) {
  const { runs, steps, events } = await readRecord(dir)
  const run = runs[0]!
  return { run, steps: steps.get(run.id)!, events: events.get(run.id)!, watch: steps.get(run.id)!.find((s) => s.stepId === 'watch' && s.pass === 'run')! }
}

test('monitor.detach: the run ends after its post phase, a background watcher keeps the window, `rollout monitor` shows it live and exits 0', async (t) => {
  const p = await monitoredProject({ extra: { monitor: { detach: true } } })
  t.after(p.close)
  const result = await runCli(['run', 'staging', '--monitor', '2s'], { cwd: p.dir })
  assert.equal(result.code, 0, result.stdout + result.stderr)
  const { run } = await newestRun(p.dir)
  assert.match(result.stdout, new RegExp(`PASSED after .*: all 2 steps passed; the monitoring window \\(2\\.0s\\) is watched in the background \\(pid \\d+\\): rollout monitor ${run.id}`))

  const followed = await runCli(['monitor', run.id.slice(0, 17)], { cwd: p.dir })
  assert.equal(followed.code, 0, followed.stdout + followed.stderr)
  assert.match(followed.stdout, /watch: \+[\d.]+m?s · errors 0\/min/)
  assert.match(followed.stdout, /✓ watch .* quiet for 2\.0s/)
  assert.match(followed.stdout, /QUIET: the window ended without a breach/)

  const after = await newestRun(p.dir)
  assert.equal(after.run.status, 'passed')
  assert.equal(after.watch.status, 'passed')
  assert.ok((after.watch.data.samples as unknown[]).length >= 5, 'the samples are not in the record')
  assert.deepEqual(after.events.filter((e) => e.type === 'monitor-finished').map((e) => e.type === 'monitor-finished' && e.outcome), ['quiet'])
})

test('run --detach-monitor: a breach in the background rolls the run back; `rollout monitor` exits 1 and the record shows it', async (t) => {
  const p = await monitoredProject({ breaksAfter: 3 })
  t.after(p.close)
  const result = await runCli(['run', 'staging', '--detach-monitor', '--monitor', '10s'], { cwd: p.dir })
  assert.equal(result.code, 0, result.stdout + result.stderr)
  const { run } = await newestRun(p.dir)

  const followed = await runCli(['monitor', run.id], { cwd: p.dir })
  assert.equal(followed.code, 1, followed.stdout + followed.stderr)
  assert.match(followed.stdout, /watch: \+[\d.]+m?s · errors 30\/min/)
  assert.match(followed.stdout, /Rolling back: phase monitor \(watched in the background\): "watch" failed: breach after/)
  assert.match(followed.stdout, /BREACH: rolled back and proven/)
  assert.ok(!existsSync(p.app.marker), 'the release was not undone')

  const after = await newestRun(p.dir)
  assert.equal(after.run.status, 'rolled-back')
  assert.equal(after.watch.status, 'failed')
  assert.equal((after.watch.data.breach as { kind: string }).kind, 'error-rate')
  assert.equal(after.steps.find((s) => s.stepId === 'api-health' && s.pass === 'proof')!.status, 'passed')
  assert.equal(after.events.at(-1)!.type, 'monitor-finished')
  const report = readFileSync(path.join(p.dir, '.rollout/runs', run.id, 'incident.md'), 'utf8')
  assert.match(report, /### `watch` — watch\n\nfailed: breach after/)
})

test('a breach in the background whose rollback fails: `rollout monitor` exits 3', async (t) => {
  const p = await monitoredProject({ breaksAfter: 2, undo: 'echo "cannot undo the release" >&2; exit 1' })
  t.after(p.close)
  const result = await runCli(['run', 'staging', '--detach-monitor', '--monitor', '10s'], { cwd: p.dir })
  assert.equal(result.code, 0, result.stdout + result.stderr)
  const { run } = await newestRun(p.dir)
  const followed = await runCli(['monitor', run.id, '--json'], { cwd: p.dir })
  assert.equal(followed.code, 3, followed.stdout + followed.stderr)
  const last = JSON.parse(followed.stdout.trim().split('\n').at(-1)!)
  const watcherLog = path.join(p.dir, '.rollout/runs', run.id, 'monitor-watcher.log')
  assert.equal(last.outcome, 'rollback-failed', existsSync(watcherLog) ? readFileSync(watcherLog, 'utf8') : 'no watcher log')
  assert.equal(last.exitCode, 3)
  assert.match(last.summary, /rollback did not complete: deploy-v2/)
  assert.equal((await newestRun(p.dir)).run.status, 'rollback-failed')
})

test('a watcher that dies is reported by `rollout monitor` (exit 3); a newer run stops a watcher (exit 1)', async (t) => {
  const p = await monitoredProject({ extra: { monitor: { detach: true } } })
  t.after(p.close)
  assert.equal((await runCli(['run', 'staging', '--monitor', '5m'], { cwd: p.dir })).code, 0)
  const first = await newestRun(p.dir)
  const pid = (first.watch.data.watcher as { pid: number }).pid
  process.kill(pid, 'SIGKILL')
  while (processRunning(pid)) await new Promise((r) => setTimeout(r, 50))
  const gone = await runCli(['monitor', first.run.id], { cwd: p.dir })
  assert.equal(gone.code, 3, gone.stdout + gone.stderr)
  assert.match(gone.stdout, /WATCHER GONE: the window is no longer watched: the background watcher \(pid \d+\) stopped before the window ended.* \(its log: .*\/runs\/\S+\/monitor-watcher\.log\)/)

  assert.equal((await runCli(['run', 'staging', '--monitor', '5m'], { cwd: p.dir })).code, 0)
  const second = await newestRun(p.dir)
  assert.notEqual(second.run.id, first.run.id)
  assert.equal((await runCli(['run', 'staging', '--no-monitor'], { cwd: p.dir })).code, 0)
  const stopped = await runCli(['monitor', second.run.id], { cwd: p.dir })
  assert.equal(stopped.code, 1, stopped.stdout + stopped.stderr)
  assert.match(stopped.stdout, /STOPPED before the window ended: run \S+ started on staging; the rest of the window is not watched/)
})

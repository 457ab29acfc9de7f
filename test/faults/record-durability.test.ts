import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { finished, makeProject, runCli, spawnCli, stepsOnly, waitForFile } from '../support/cli.js'
import { readRecord } from '../support/record.js'

/**
 * The record keeps every write a process commits, whatever other processes do with it meanwhile.
 * Here a long-lived process (this one, as a monitor or a script using the library would) reads the
 * record between a cancelled run and `rollout rollback`; the rollback's whole record must be there
 * afterwards. Before the fix, the record's file was opened and closed behind live connections, and
 * in most of these rounds the rollback's writes were gone (the run still said "cancelled").
 */

const PLAN = stepsOnly([
  { id: 'mig', phase: 'migrate', kind: 'command', changesEnvironment: true, options: { command: 'sleep 0.3', undo: 'sleep 0.5' } },
  { id: 'dep', phase: 'deploy', kind: 'command', changesEnvironment: true, options: { command: 'touch started; sleep 30', undo: 'sleep 0.3' } },
])

describe('the run record, read by another process between runs', { concurrency: true }, () => {
  for (let n = 0; n < 3; n++) {
    it(`keeps every write of a rollback that follows a cancelled run (round ${n + 1} of 3, each twice)`, async () => {
      for (let i = 0; i < 2; i++) {
        const dir = makeProject(PLAN)
        const child = spawnCli(['run', 'staging'], { cwd: dir })
        await waitForFile(path.join(dir, 'started'), 30_000)
        child.kill('SIGINT')
        const run = await finished(child)
        assert.equal(run.code, 3, run.stdout + run.stderr)
        const cancelled = await readRecord(dir)
        assert.equal(cancelled.runs[0]!.status, 'cancelled')
        const runId = cancelled.runs[0]!.id

        const rolled = await runCli(['rollback', runId], { cwd: dir })
        assert.equal(rolled.code, 1, rolled.stdout + rolled.stderr)
        assert.match(rolled.stdout, /Rollback complete/)
        const after = await readRecord(dir)
        assert.equal(after.runs[0]!.status, 'rolled-back', 'the rollback printed "complete" but its record is gone')
        const events = after.events.get(runId)!.map((e) => e.type)
        assert.equal(events.filter((t) => t === 'run-finished').length, 2, `the rollback's run-finished is missing: ${events.join(', ')}`)
        assert.ok(events.includes('rollback-finished'))
      }
    })
  }
})

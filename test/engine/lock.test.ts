import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { writeFileSync } from 'node:fs'
import { finished, makeProject, runCli, spawnCli, stepsOnly, waitForFile } from '../support/cli.js'
import { readRecord } from '../support/record.js'
import { SqliteStore } from '../../src/adapters/store/sqlite.js'
import type { RunRecord } from '../../src/engine/store.js'

const hold = stepsOnly([{ id: 'hold', phase: 'preflight', kind: 'command', options: { command: 'touch holding; while [ ! -e release ]; do sleep 0.05; done' } }])

test('a second run on a locked environment exits 4 and says who holds it since when', async () => {
  const dir = makeProject(hold)
  const first = spawnCli(['run', 'staging'], { cwd: dir })
  await waitForFile(path.join(dir, 'holding'))
  const second = await runCli(['run', 'staging'], { cwd: dir })
  assert.equal(second.code, 4, second.stdout + second.stderr)
  const { runs } = await readRecord(dir)
  assert.match(second.stderr, new RegExp(`environment "staging" is locked by run ${runs[0]!.id} \\(\\w+@[^,]+, pid ${first.pid}\\) since 20\\d\\d-`))
  writeFileSync(path.join(dir, 'release'), '')
  assert.equal((await finished(first)).code, 0)
  const third = await runCli(['run', 'staging'], { cwd: dir })
  assert.equal(third.code, 0, 'the lock was not released at the end of the first run')
})

test('a lock whose lease expired is taken over, and the record says so', async () => {
  const dir = makeProject(stepsOnly([{ id: 'a', phase: 'preflight', kind: 'command', options: { command: 'true' } }]))
  const store = new SqliteStore(path.join(dir, '.rollout', 'rollout.db'))
  const owner = { runId: 'crashed-run', user: 'ana', host: 'build-box-7', pid: 4242, since: '2026-11-25T01:00:00.000Z' }
  await store.acquireLock('staging', owner, -1000, () => null)
  store.close()
  const result = await runCli(['run', 'staging'], { cwd: dir })
  assert.equal(result.code, 0, result.stderr)
  assert.match(result.stdout, /took over the lock of run crashed-run \(ana@build-box-7\): its lease expired/)
  const { runs, events } = await readRecord(dir)
  const takeover = events.get(runs[0]!.id)!.find((e) => e.type === 'lock-taken-over')
  assert.ok(takeover && takeover.type === 'lock-taken-over')
  assert.equal(takeover.previous.host, 'build-box-7')
})

test('a live lease on another host is respected; unlock --force removes it and records who forced it', async () => {
  const dir = makeProject(stepsOnly([{ id: 'a', phase: 'preflight', kind: 'command', options: { command: 'true' } }]))
  await runCli(['run', 'staging'], { cwd: dir })
  const { runs } = await readRecord(dir)
  const store = new SqliteStore(path.join(dir, '.rollout', 'rollout.db'))
  await store.acquireLock('staging', { runId: runs[0]!.id, user: 'ana', host: 'build-box-7', pid: 4242, since: new Date().toISOString() }, 60_000, () => null)
  store.close()
  const blocked = await runCli(['run', 'staging'], { cwd: dir })
  assert.equal(blocked.code, 4)
  const refused = await runCli(['unlock', 'staging'], { cwd: dir })
  assert.equal(refused.code, 2)
  assert.match(refused.stderr, /unlock needs --force/)
  const forced = await runCli(['unlock', 'staging', '--force'], { cwd: dir })
  assert.equal(forced.code, 0, forced.stderr)
  assert.match(forced.stdout, /lock on staging forced open by \w+@/)
  const after = await readRecord(dir)
  assert.equal(after.lock, null)
  assert.ok(after.events.get(runs[0]!.id)!.some((e) => e.type === 'warning' && /forced open by/.test(e.message)), 'the forced unlock is not in the holder\'s record')
  assert.equal((await runCli(['run', 'staging'], { cwd: dir })).code, 0)
})

test('Ctrl-C: running steps stop, the record says cancelled, the lock is released', async () => {
  const dir = makeProject(stepsOnly([
    { id: 'long', phase: 'preflight', kind: 'command', options: { command: 'sleep 60 & echo $! > long.pid; touch started; wait' } },
    { id: 'never', phase: 'backup', kind: 'command', options: { command: 'touch never-ran' } },
  ]))
  const child = spawnCli(['run', 'staging'], { cwd: dir })
  await waitForFile(path.join(dir, 'started'))
  child.kill('SIGINT')
  const result = await finished(child)
  assert.equal(result.code, 1, result.stdout + result.stderr)
  assert.match(result.stdout, /CANCELLED .*nothing was changed/)
  const { runs, steps, lock } = await readRecord(dir)
  assert.equal(runs[0]!.status, 'cancelled')
  assert.equal(steps.get(runs[0]!.id)!.find((s) => s.stepId === 'long')!.status, 'cancelled')
  assert.equal(lock, null)
  const { existsSync, readFileSync } = await import('node:fs')
  assert.ok(!existsSync(path.join(dir, 'never-ran')))
  const { processRunning } = await import('../support/cli.js')
  assert.equal(processRunning(Number(readFileSync(path.join(dir, 'long.pid'), 'utf8'))), false, 'the step\'s process was not stopped')
})

test('Ctrl-C after the point of no return exits 3 and says how to finish', async () => {
  const dir = makeProject(stepsOnly([
    { id: 'mig', phase: 'migrate', kind: 'command', changesEnvironment: true, options: { command: 'true', undo: 'true' } },
    { id: 'dep', phase: 'deploy', kind: 'command', changesEnvironment: true, options: { command: 'touch started; sleep 60', undo: 'true' } },
  ]))
  const child = spawnCli(['run', 'staging'], { cwd: dir })
  await waitForFile(path.join(dir, 'started'))
  child.kill('SIGINT')
  const result = await finished(child)
  assert.equal(result.code, 3)
  assert.match(result.stdout, /the environment was changed: finish with `rollout resume \S+` or undo with `rollout rollback \S+`/)
})

test('a check takes no lock: a run started while a check runs proceeds, and both are in the record', async () => {
  const dir = makeProject(stepsOnly([
    { id: 'hold', phase: 'preflight', kind: 'command', options: { command: 'if [ ! -e checked ]; then touch checked; touch holding; while [ ! -e release ]; do sleep 0.05; done; fi' } },
    { id: 'after', phase: 'backup', kind: 'command', options: { command: 'true' } },
  ]))
  const check = spawnCli(['check', 'staging'], { cwd: dir })
  await waitForFile(path.join(dir, 'holding'))
  // The check goes on whatever happens below, so a failing assertion does not leave it waiting.
  setTimeout(() => writeFileSync(path.join(dir, 'release'), ''), 20_000).unref()
  const during = await runCli(['--json', 'status'], { cwd: dir })
  assert.equal(during.code, 0, during.stderr)
  const seen = JSON.parse(during.stdout) as { status: string; interrupted: boolean; lock: unknown }
  assert.equal(seen.status, 'running')
  assert.equal(seen.interrupted, false, 'a check in progress reads as interrupted')
  assert.equal(seen.lock, null)
  const run = await runCli(['run', 'staging'], { cwd: dir })
  assert.equal(run.code, 0, run.stdout + run.stderr)
  writeFileSync(path.join(dir, 'release'), '')
  assert.equal((await finished(check)).code, 0)
  const { runs, lock } = await readRecord(dir)
  assert.equal(lock, null)
  assert.deepEqual(runs.map((r) => r.status).sort(), ['passed', 'passed'])
  const history = await runCli(['history', 'staging'], { cwd: dir })
  assert.equal(history.code, 0, history.stderr)
  assert.equal(history.stdout.match(/passed/g)?.length, 2, history.stdout)
})

test('run liveness: a run holding its lock is live; one whose process is gone, or that finished, has ended; one not in the record is unknown', async () => {
  const { runLiveness, currentOwner } = await import('../../src/engine/lock.js')
  const dir = makeProject(hold)
  const store = new SqliteStore(path.join(dir, '.rollout', 'rollout.db'))
  try {
    const base: Omit<RunRecord, 'id' | 'status' | 'pid'> = { environment: 'staging', startedAt: new Date().toISOString(), finishedAt: null, user: 'ana', host: currentOwner('x').host, plan: { environment: 'staging', steps: [], pointOfNoReturn: null, rollbackProofPhases: [] }, release: null, crossedAt: null, summary: null, configFile: 'rollout.config.mjs' }
    await store.createRun({ ...base, id: 'live-run', status: 'running', pid: process.pid })
    await store.acquireLock('staging', currentOwner('live-run'), 60_000, () => null)
    await store.createRun({ ...base, id: 'killed-run', status: 'running', pid: 2 ** 22 + 1 })
    await store.createRun({ ...base, id: 'done-run', status: 'passed', pid: process.pid })
    assert.equal(await runLiveness(store, 'other', 'live-run'), 'live')
    assert.equal(await runLiveness(store, 'other', 'killed-run'), 'ended', 'recorded as running, but another run holds the lock')
    assert.equal(await runLiveness(store, 'other', 'done-run'), 'ended')
    assert.equal(await runLiveness(store, 'other', 'elsewhere-run'), 'unknown')
    assert.equal(await runLiveness(store, 'elsewhere-run', 'elsewhere-run'), 'live', 'a run is live to itself')
  } finally {
    store.close()
  }
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { runCli } from '../support/cli.js'
import { readRecord } from '../support/record.js'
import { faultEnv, release, rowsLost, runAndKill, sameState, type KillPoint } from './fault-env.js'

/**
 * The crash matrix: a real `rollout run` is killed (kill -9) at each step boundary and in the middle
 * of each step that changes something, in a run that passes (v1 → v2) and in one that rolls back
 * (v1 → v3-broken, whose smoke test fails); then it is recovered with `rollout resume`, and
 * separately with `rollout rollback`. Whatever the point, the end must be one of two true states,
 * and the record must say which: `passed` with the database exactly as the migration leaves it and
 * v2 live, or `rolled-back` with the database exactly as the run found it (per-table checksums and
 * schema) and v1 live. Set ROLLOUT_CRASH_TABLE=<file> to write the results as a Markdown table.
 */

interface Point {
  name: string
  release: 'v2' | 'v3-broken'
  kill: KillPoint
  hangs?: string[]
}

const after = (stepId: string, pass = 'run'): KillPoint => ({ event: (e) => e.type === 'step-finished' && e.stepId === stepId && e.pass === pass })

const POINTS: Point[] = [
  { name: 'after backup', release: 'v2', kill: after('backup') },
  { name: 'mid migrate (half applied)', release: 'v2', kill: { file: 'at-migrate' }, hangs: ['migrate'] },
  { name: 'after migrate', release: 'v2', kill: after('migrate') },
  { name: 'mid deploy (release switched)', release: 'v2', kill: { file: 'at-deploy' }, hangs: ['deploy'] },
  { name: 'after deploy', release: 'v2', kill: after('deploy') },
  { name: 'after smoke', release: 'v2', kill: after('smoke') },
  { name: 'mid migrate (half applied)', release: 'v3-broken', kill: { file: 'at-migrate' }, hangs: ['migrate'] },
  { name: 'mid deploy (release switched)', release: 'v3-broken', kill: { file: 'at-deploy' }, hangs: ['deploy'] },
  { name: 'smoke failed, rollback starting', release: 'v3-broken', kill: { event: (e) => e.type === 'rollback-started' } },
  { name: 'mid undo of deploy', release: 'v3-broken', kill: { file: 'at-rollback' }, hangs: ['rollback'] },
  { name: 'mid undo of migrate (restore)', release: 'v3-broken', kill: { event: (e) => e.type === 'undo-started' && e.stepId === 'migrate', delayMs: 150 } },
  { name: 'after undo of migrate', release: 'v3-broken', kill: { event: (e) => e.type === 'undo-finished' && e.stepId === 'migrate' } },
  { name: 'rollback proof (smoke) running', release: 'v3-broken', kill: { event: (e) => e.type === 'phase-started' && e.pass === 'proof' } },
]

type Recovery = 'resume' | 'rollback'

interface Outcome {
  point: string
  run: string
  recovery: Recovery
  exit: number | null
  status: string
  database: 'before the run' | 'rolled out' | 'NEITHER'
  live: string
  rowsLost: number
}

async function trial(point: Point, recovery: Recovery): Promise<Outcome> {
  const env = await faultEnv({ release: point.release, hangs: point.hangs })
  try {
    const runId = await runAndKill(env.dir, point.kill)
    // What the kill left running lives on and finishes, as a real migration or deploy would.
    release(env.dir)
    const recovered = await runCli([recovery, runId], { cwd: env.dir })
    const now = await env.snapshot()
    const { runs } = await readRecord(env.dir)
    return {
      point: point.name,
      run: point.release === 'v2' ? 'passing' : 'rolling back',
      recovery,
      exit: recovered.code,
      status: runs.find((r) => r.id === runId)!.status,
      database: sameState(now, env.before) ? 'before the run' : sameState(now, env.rolledOut) ? 'rolled out' : 'NEITHER',
      live: env.live(),
      rowsLost: rowsLost(env.before, now),
    }
  } finally {
    await env.drop()
  }
}

/** The one true state each record status stands for. */
const TRUTH: Record<string, { database: Outcome['database']; live: string; exit: number }> = {
  passed: { database: 'rolled out', live: 'd-v2', exit: 0 },
  'rolled-back': { database: 'before the run', live: 'd-v1', exit: 1 },
}

async function pool<T>(items: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array(items.length)
  let next = 0
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await items[i]!()
    }
  }))
  return results
}

test('crash matrix: kill -9 at every boundary and mid every changing step, then resume or rollback: the record, the database and the live release agree', async (t) => {
  const trials = POINTS.flatMap((p) => (['resume', 'rollback'] as const).map((r) => () => trial(p, r)))
  const outcomes = await pool(trials, 2)

  const rows = outcomes.map((o) => `| ${o.run} | ${o.point} | ${o.recovery} | ${o.status} | ${o.exit} | ${o.database} | ${o.live} | ${o.rowsLost} |`)
  const table = ['| run | killed at | recovery | record says | exit | database | live | rows lost |', '|---|---|---|---|---|---|---|---|', ...rows].join('\n')
  for (const line of table.split('\n')) t.diagnostic(line)
  if (process.env.ROLLOUT_CRASH_TABLE) writeFileSync(process.env.ROLLOUT_CRASH_TABLE, `${table}\n`)

  for (const o of outcomes) {
    const where = `${o.run} run killed ${o.point}, then ${o.recovery}`
    // A rollback always ends rolled back; a resume finishes what the run was doing.
    const expected = o.recovery === 'rollback' || o.run === 'rolling back' ? 'rolled-back' : 'passed'
    assert.equal(o.status, expected, where)
    const truth = TRUTH[o.status]!
    assert.equal(o.database, truth.database, `${where}: the record says ${o.status}`)
    assert.equal(o.live, truth.live, `${where}: the record says ${o.status}`)
    assert.equal(o.exit, truth.exit, where)
    assert.equal(o.rowsLost, 0, where)
  }
})

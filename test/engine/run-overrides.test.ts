import { test } from 'node:test'
import assert from 'node:assert/strict'
import { applyOverrides, detachedSteps, monitorOverrides, recordedOverrides, skipReason } from '../../src/engine/run-overrides.js'
import type { Plan, PlannedStep } from '../../src/plan/types.js'

const step = (id: string, phase: PlannedStep['phase'], kind: string, timeoutMs = 35 * 60_000): PlannedStep => ({
  id, title: id, phase, kind, options: {}, gate: 'blocking', timeoutMs, retries: 0, after: [], changesEnvironment: false, undoable: false,
})
const plan: Plan = {
  environment: 'staging',
  steps: [step('deploy', 'deploy', 'deploy'), step('monitor', 'monitor', 'monitor'), step('canary', 'monitor', 'http', 60_000), step('notify', 'post', 'notify')],
  pointOfNoReturn: 'deploy',
  rollbackProofPhases: ['smoke'],
}

test('--monitor: every monitor step gets the window, its timeout stretched to fit; the plan records it', () => {
  const o = monitorOverrides(plan, { monitor: 2 * 3_600_000 }, false)
  const applied = applyOverrides(plan, o)
  const monitor = applied.steps.find((s) => s.id === 'monitor')!
  assert.equal(monitor.options.window, 2 * 3_600_000)
  assert.equal(monitor.timeoutMs, 2 * 3_600_000 + 5 * 60_000)
  assert.deepEqual(applied.steps.find((s) => s.id === 'canary'), plan.steps[2], 'a step of another kind was changed')
  // A shorter window keeps the longer timeout it had.
  assert.equal(applyOverrides(plan, monitorOverrides(plan, { monitor: 30_000 }, false)).steps[1]!.timeoutMs, 35 * 60_000)
  assert.deepEqual(recordedOverrides(JSON.parse(JSON.stringify(applied))), { monitorWindowMs: 2 * 3_600_000 })
})

test('--no-monitor skips the monitor steps with a reason; nothing asked leaves the plan as it was', () => {
  const applied = applyOverrides(plan, monitorOverrides(plan, { monitor: false, detachMonitor: true }, true))
  assert.equal(skipReason(applied, 'monitor'), 'monitoring switched off for this run (--no-monitor)')
  assert.equal(skipReason(applied, 'canary'), null)
  assert.deepEqual(detachedSteps(applied), [], 'a skipped window was detached')
  assert.equal(applyOverrides(plan, monitorOverrides(plan, {}, false)), plan)
})

test('detaching takes the whole monitor phase; the flag wins over the config; a plan without the phase detaches nothing', () => {
  assert.deepEqual(detachedSteps(applyOverrides(plan, monitorOverrides(plan, {}, true))).map((s) => s.id), ['monitor', 'canary'])
  assert.deepEqual(detachedSteps(applyOverrides(plan, monitorOverrides(plan, { detachMonitor: false }, true))), [])
  const noPhase = { ...plan, steps: plan.steps.filter((s) => s.phase !== 'monitor') }
  assert.deepEqual(monitorOverrides(noPhase, { detachMonitor: true }, false), {})
  assert.throws(() => monitorOverrides(noPhase, { monitor: 60_000 }, false), /--monitor: the plan of staging has no monitor step/)
  assert.throws(() => monitorOverrides(plan, { monitor: 0 }, false), /--monitor: expected a window longer than zero/)
})

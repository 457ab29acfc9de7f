import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildPlan } from '../../src/plan/build.js'
import { environmentSchema } from '../../src/config/schema.js'
import { PHASES } from '../../src/plan/phases.js'
import { builtInKinds } from '../../src/steps/registry.js'
import { ConfigError } from '../../src/shared/errors.js'

const PROVIDER = { kind: 'command', deploy: './deploy.sh {release}' }

function plan(env: Record<string, unknown>) {
  const environment = environmentSchema.parse({ url: 'https://staging.example.test', provider: PROVIDER, ...env })
  return buildPlan({ environmentName: 'staging', environment, configFile: 'rollout.config.ts', kinds: builtInKinds })
}

test('the default plan follows the runbook: phases in order, each checklist item a step', () => {
  const p = plan({})
  const phases = p.steps.map((s) => s.phase)
  assert.deepEqual([...new Set(phases)], [...PHASES])
  assert.deepEqual(phases, [...phases].sort((a, b) => PHASES.indexOf(a) - PHASES.indexOf(b)))
  const ids = p.steps.map((s) => s.id)
  for (const id of ['ci-status', 'schema-validation', 'typescript-baseline', 'unit-tests', 'reviews', 'backup-freshness', 'backup', 'backup-verify',
    'reachable', 'database', 'health', 'tls', 'hsts', 'host-guard', 'logs-baseline', 'announce', 'migrate', 'schema-verify', 'deploy', 'http', 'browser', 'logs', 'monitor', 'notify', 'announce-close']) {
    assert.ok(ids.includes(id), `default plan lacks ${id}`)
  }
  assert.equal(p.steps.find((s) => s.id === 'http')!.options.url, '/api/health')
  assert.equal(p.steps.find((s) => s.id === 'backup-verify')!.after[0], 'backup')
})

test('a default step alone of its kind in the plan is named after its kind', () => {
  const steps = plan({}).steps
  for (const s of steps) {
    if (steps.filter((other) => other.kind === s.kind).length === 1) assert.equal(s.id, s.kind, `step ${s.id} of kind ${s.kind}`)
  }
})

test('a config naming a renamed default step is told its new id', () => {
  assert.match(configError({ steps: { 'critical-flows': false } }), /^rollout\.config\.ts: environments\.staging\.steps\.critical-flows: this step is now called "browser"$/)
  assert.match(configError({ steps: { 'api-health': { retries: 1 } } }), /environments\.staging\.steps\.api-health: this step is now called "http"/)
  assert.match(configError({ steps: { 'close-announcement': { gate: 'blocking' } } }), /environments\.staging\.steps\.close-announcement: this step is now called "announce-close"/)
  assert.match(
    configError({ add: [{ id: 'after-flows', phase: 'smoke', kind: 'command', after: ['critical-flows'], options: { command: 'true' } }] }),
    /environments\.staging\.add\[0\]\.after: no step "critical-flows" in the plan; this step is now called "browser"/,
  )
  const renamed = plan({ steps: { browser: false, http: { retries: 1 } } }).steps
  assert.ok(!renamed.some((s) => s.id === 'browser'))
  assert.equal(renamed.find((s) => s.id === 'http')!.retries, 1)
})

test('every kind the default plan uses is registered', () => {
  for (const s of plan({}).steps) assert.ok(builtInKinds.find(s.kind), `${s.id}: kind "${s.kind}" has no implementation`)
})

test('the point of no return is the first step that changes the environment', () => {
  const p = plan({
    defaults: false,
    add: [
      { id: 'check', phase: 'preflight', kind: 'command', options: { command: 'true' } },
      { id: 'change', phase: 'deploy', kind: 'command', changesEnvironment: true, options: { command: 'true', undo: 'true' } },
      { id: 'first-change', phase: 'migrate', kind: 'command', changesEnvironment: true, options: { command: 'true' } },
    ],
  })
  assert.equal(p.pointOfNoReturn, 'first-change')
  assert.equal(p.steps.find((s) => s.id === 'change')!.undoable, true)
  assert.equal(p.steps.find((s) => s.id === 'first-change')!.undoable, false)
})

test('overrides by id switch steps off and change gate, timeout and options', () => {
  const p = plan({ steps: { reviews: false, http: { gate: 'warning', timeout: '90s', retries: 2, options: { expectStatus: 204 } } } })
  assert.ok(!p.steps.some((s) => s.id === 'reviews'))
  const health = p.steps.find((s) => s.id === 'http')!
  assert.equal(health.gate, 'warning')
  assert.equal(health.timeoutMs, 90_000)
  assert.equal(health.retries, 2)
  assert.equal(health.options.expectStatus, 204)
  assert.equal(health.options.url, '/api/health')
})

function configError(env: Record<string, unknown>): string {
  try {
    plan(env)
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`)
    return error.message
  }
  assert.fail('expected a config error')
}

test('errors name the exact key and what was expected', () => {
  assert.match(configError({ steps: { 'no-such-step': false } }), /environments\.staging\.steps\.no-such-step: no step "no-such-step"/)
  assert.match(configError({ add: [{ id: 'x', phase: 'smoke', kind: 'teleport' }] }), /environments\.staging\.add\[0\]\.kind: unknown step kind "teleport" \(known kinds: .*command.*\)/)
  assert.match(configError({ add: [{ id: 'x', phase: 'smoke', kind: 'command', options: {} }] }), /environments\.staging\.add\[0\]\.options: command: missing; expected string/)
  assert.match(configError({ add: [{ id: 'x', phase: 'smoke', kind: 'http', options: { url: '/', timeoutMs: 'soon' } }] }), /add\[0\]\.options: timeoutMs: expected number, got a string/)
  assert.match(configError({ add: [{ id: 'health', phase: 'smoke', kind: 'http', options: { url: '/' } }] }), /add\[0\]\.id: a step "health" already exists/)
  assert.match(configError({ defaults: false, add: [{ id: 'a', phase: 'smoke', kind: 'command', after: ['b'], options: { command: 'true' } }, { id: 'b', phase: 'smoke', kind: 'command', after: ['a'], options: { command: 'true' } }] }), /cycle: a → b → a/)
  assert.match(configError({ defaults: false, add: [{ id: 'a', phase: 'smoke', kind: 'command', after: ['b'], options: { command: 'true' } }, { id: 'b', phase: 'deploy', kind: 'command', options: { command: 'true' } }] }), /add\[0\]\.after: "b" is in phase deploy, not smoke/)
})

test('no provider while the plan deploys: the plan is refused naming environments.<env>.provider; with the deploy switched off it builds', () => {
  assert.throws(
    () => plan({ provider: undefined }),
    (e: unknown) => e instanceof ConfigError && /environments\.staging\.provider: missing; the deploy step deploys through it .*steps: \{ deploy: false \}/.test((e as Error).message),
  )
  const ids = plan({ provider: undefined, steps: { deploy: false } }).steps.map((s) => s.id)
  assert.ok(!ids.includes('deploy'))
})

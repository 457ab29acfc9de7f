import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { RolloutEvent } from '../../../src/engine/events.js'
import { escapeData, escapeProperty, githubRenderer, workflowCommand } from '../../../src/cli/render/github.js'

function capture() {
  let text = ''
  return { get text() { return text }, stream: { isTTY: false, write: (s: string) => void (text += s) } as unknown as NodeJS.WriteStream }
}

const base = { runId: 'r1', at: '2026-01-01T00:00:00.000Z' }
const ev = (e: Record<string, unknown>) => ({ ...base, ...e }) as RolloutEvent

test('workflow commands escape their message and properties as the runner reads them', () => {
  assert.equal(escapeData('100% done\r\nnext: a,b'), '100%25 done%0D%0Anext: a,b')
  assert.equal(escapeProperty('Check: a,b\n50%'), 'Check%3A a%2Cb%0A50%25')
  assert.equal(workflowCommand('error', { title: 'Smoke: /health, /orders' }, 'HTTP 500\nbody: down'), '::error title=Smoke%3A /health%2C /orders::HTTP 500%0Abody: down')
  assert.equal(workflowCommand('warning', { title: undefined }, 'plain'), '::warning::plain')
  assert.equal(workflowCommand('endgroup', {}), '::endgroup::')
})

test('each step\'s output is one group printed when it finishes, even when steps run at once', () => {
  const out = capture()
  const render = githubRenderer(out.stream, () => 'TOKEN')
  render(ev({ type: 'step-started', stepId: 'a', title: 'Step A', phase: 'preflight', attempt: 1, pass: 'run' }))
  render(ev({ type: 'step-started', stepId: 'b', title: 'Step B', phase: 'preflight', attempt: 1, pass: 'run' }))
  render(ev({ type: 'step-output', stepId: 'a', line: 'a1', pass: 'run' }))
  render(ev({ type: 'step-output', stepId: 'b', line: 'b1', pass: 'run' }))
  render(ev({ type: 'step-output', stepId: 'a', line: 'a2', pass: 'run' }))
  render(ev({ type: 'step-finished', stepId: 'b', status: 'failed', summary: 'exit code 1: b broke, 100%', durationMs: 20, pass: 'run' }))
  render(ev({ type: 'step-finished', stepId: 'a', status: 'warning', summary: 'slow', durationMs: 30, pass: 'run' }))
  const lines = out.text.trimEnd().split('\n')
  assert.deepEqual(lines, [
    '  … Step A',
    '  … Step B',
    '::group::Step B (1 line of output)',
    'b1',
    '::endgroup::',
    '  ✗ Step B (20ms) exit code 1: b broke, 100%',
    '::error title=Step B::exit code 1: b broke, 100%25',
    '::group::Step A (2 lines of output)',
    'a1',
    'a2',
    '::endgroup::',
    '  ! Step A (30ms) slow',
    '::warning title=Step A::slow',
  ])
})

test('output that looks like a workflow command is not obeyed; undo and rollback-check output are grouped too', () => {
  const out = capture()
  const render = githubRenderer(out.stream, () => 'TOKEN')
  render(ev({ type: 'undo-started', stepId: 'dep', title: 'Deploy' }))
  render(ev({ type: 'step-output', stepId: 'dep', line: '  ::error::injected', pass: 'run' }))
  render(ev({ type: 'undo-finished', stepId: 'dep', status: 'rollback-failed', summary: 'provider down', durationMs: 5 }))
  render(ev({ type: 'step-started', stepId: 'smoke', title: 'Smoke', phase: 'smoke', attempt: 1, pass: 'proof' }))
  render(ev({ type: 'step-output', stepId: 'smoke', line: 'ok', pass: 'proof' }))
  render(ev({ type: 'step-finished', stepId: 'smoke', status: 'passed', summary: 'fine', durationMs: 5, pass: 'proof' }))
  render(ev({ type: 'warning', message: 'could not notify slack: 500' }))
  const text = out.text
  assert.ok(text.includes('::group::undo Deploy (1 line of output)\n::stop-commands::TOKEN\n  ::error::injected\n::TOKEN::\n::endgroup::\n'), text)
  assert.ok(text.includes('::error title=undo Deploy::provider down\n'))
  assert.ok(text.includes('::group::[rollback check] Smoke (1 line of output)\nok\n::endgroup::\n'))
  assert.ok(!text.includes('::error title=[rollback check]'), 'a passing check was annotated')
  assert.ok(text.includes('::warning::could not notify slack: 500\n'), text)
})

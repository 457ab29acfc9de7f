import { defineStepKind } from '../../engine/step-kind.js'
import { commandGateOptions, runCommandGate, type CommandGateOptions } from './command-gate.js'
import { parseTestCounts } from './test-summary.js'

export default defineStepKind<CommandGateOptions>({
  kind: 'unit-tests',
  description: "runs the unit tests (the environment's preflight.unitTests, `pnpm test` by default); all must pass",
  options: commandGateOptions,
  async run(ctx) {
    const { stdout, stderr, ...outcome } = await runCommandGate(ctx, ctx.environment.preflight.unitTests)
    const counts = parseTestCounts(`${stdout}\n${stderr}`)
    if (!counts) return outcome
    const said = [
      counts.passed !== undefined ? `${counts.passed} passed` : null,
      counts.failed ? `${counts.failed} failed` : null,
      counts.skipped ? `${counts.skipped} skipped` : null,
    ].filter(Boolean).join(', ')
    // A runner that reports failures but exits 0 (a wrapper script swallowing the code) still fails the gate.
    const status = outcome.status === 'passed' && counts.failed ? 'failed' : outcome.status
    return { ...outcome, status, summary: `${said}; ${outcome.summary}`, data: { ...outcome.data, tests: counts } }
  },
})

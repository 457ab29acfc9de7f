import { defineStepKind } from '../../engine/step-kind.js'
import { commandGateOptions, runCommandGate, type CommandGateOptions } from './command-gate.js'

export default defineStepKind<CommandGateOptions>({
  kind: 'schema-validation',
  description: "runs the schema validation command (the environment's preflight.schemaValidation, `pnpm validate:schema` by default)",
  options: commandGateOptions,
  async run(ctx) {
    const { stdout: _o, stderr: _e, ...outcome } = await runCommandGate(ctx, ctx.environment.preflight.schemaValidation)
    return outcome
  },
})

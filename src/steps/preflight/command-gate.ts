import { z } from 'zod'
import type { StepContext, StepOutcome } from '../../engine/step-kind.js'
import { commandOptions, runCommandStep } from '../command.js'

/** A command gate's options: the generic command step's, with the command defaulting from the environment. */
export const commandGateOptions = commandOptions.omit({ undo: true }).extend({
  command: z.string().min(1).optional(),
})
export type CommandGateOptions = z.output<typeof commandGateOptions>

/** Runs the gate's command (the option, else the environment's default) with its output kept as evidence. */
export async function runCommandGate(
  ctx: StepContext<CommandGateOptions>,
  fallback: string,
): Promise<StepOutcome & { stdout: string; stderr: string }> {
  const { exitCode: _e, ...outcome } = await runCommandStep(ctx, { ...ctx.options, command: ctx.options.command ?? fallback })
  return outcome
}

import { z } from 'zod'
import { defineStepKind } from '../../engine/step-kind.js'
import { closeMessage, runTimings } from './messages.js'
import { announcedAt, sendFromStep } from './send.js'

export const announceCloseOptions = z.strictObject({
  result: z.string().min(1).optional().describe('Result word instead of "passed" / "passed with warnings".'),
})
export type AnnounceCloseOptions = z.output<typeof announceCloseOptions>

export default defineStepKind<AnnounceCloseOptions>({
  kind: 'announce-close',
  description: 'closes the deployment announcement on the console and every notify channel',
  options: announceCloseOptions,
  async run(ctx) {
    const since = announcedAt(ctx.outputs)
    const steps = ctx.runSteps ? await ctx.runSteps() : []
    const timings = runTimings(steps, Date.now(), since)
    const result = ctx.options.result ?? (timings.warnings.length ? `passed with ${timings.warnings.length} warning${timings.warnings.length === 1 ? '' : 's'}` : 'passed')
    const message = closeMessage({
      environmentName: ctx.environmentName,
      url: ctx.environment.url,
      runId: ctx.runId,
      release: ctx.environment.release,
      result,
      announcedAt: since,
      totalMs: timings.totalMs,
    })
    const { results: _r, ...outcome } = await sendFromStep(ctx, message, 'announcement closed')
    return outcome
  },
})

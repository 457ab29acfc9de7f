import { z } from 'zod'
import { defineStepKind } from '../../engine/step-kind.js'
import { runTimings, successMessage } from './messages.js'
import { announcedAt, deployerContact, sendFromStep } from './send.js'

export const notifyOptions = z.strictObject({
  contact: z.string().min(1).optional(),
})
export type NotifyOptions = z.output<typeof notifyOptions>

export default defineStepKind<NotifyOptions>({
  kind: 'notify',
  description: 'tells the team the deployment succeeded, with the run\'s timings, on the console and every notify channel',
  options: notifyOptions,
  async run(ctx) {
    const steps = ctx.runSteps ? await ctx.runSteps() : []
    const timings = runTimings(steps, Date.now(), announcedAt(ctx.outputs))
    const message = successMessage({
      environmentName: ctx.environmentName,
      url: ctx.environment.url,
      runId: ctx.runId,
      release: ctx.environment.release,
      contact: ctx.options.contact ?? deployerContact(ctx.config.contacts),
      timings,
    })
    const { results: _r, ...outcome } = await sendFromStep(ctx, message, 'success announced')
    return { ...outcome, data: { ...outcome.data, totalMs: timings.totalMs } }
  },
})

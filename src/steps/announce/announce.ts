import { z } from 'zod'
import { defineStepKind } from '../../engine/step-kind.js'
import { estimateDuration, RUNBOOK_ESTIMATE, type Estimate } from './estimate.js'
import { startMessage } from './messages.js'
import { deployerContact, sendFromStep } from './send.js'

export const announceOptions = z.strictObject({
  estimate: z.string().min(1).optional().describe('Fixed estimate text instead of the median of past runs.'),
  contact: z.string().min(1).optional().describe('Contact instead of `contacts.deployer` / the OS user.'),
  text: z.string().min(1).optional().describe('A line of text instead of "Rollout <run> of <release> is starting."'),
})
export type AnnounceOptions = z.output<typeof announceOptions>

export default defineStepKind<AnnounceOptions>({
  kind: 'announce',
  description: 'announces the deployment (environment, estimated duration, contact) on the console and every notify channel',
  options: announceOptions,
  async run(ctx) {
    const o = ctx.options
    let estimate: Estimate = { text: o.estimate ?? RUNBOOK_ESTIMATE, runs: 0 }
    if (!o.estimate && ctx.history) {
      try {
        estimate = estimateDuration(await ctx.history())
      } catch (error) {
        ctx.log(`past runs unreadable, using the runbook's estimate: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
    const announcedAt = new Date().toISOString()
    const message = startMessage({
      environmentName: ctx.environmentName,
      url: ctx.environment.url,
      runId: ctx.runId,
      release: ctx.environment.release,
      estimate: estimate.text,
      contact: o.contact ?? deployerContact(ctx.config.contacts),
      text: o.text,
    })
    const { results: _r, data, ...outcome } = await sendFromStep(ctx, message, 'announced')
    return { ...outcome, data: { ...data, announcedAt, estimate: estimate.text, estimateMs: estimate.medianMs ?? null } }
  },
})

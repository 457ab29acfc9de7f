import os from 'node:os'
import type { Notification } from '../../adapters/notifiers/notifier.js'
import type { StepContext, StepOutcome } from '../../engine/step-kind.js'
import { deliver, deliverySummary, type ChannelResult } from './deliver.js'

/** Who to contact about this run: the configured deployer, else the OS user running it. */
export function deployerContact(contacts: { deployer?: string } | undefined): string {
  if (contacts?.deployer) return contacts.deployer
  try {
    return os.userInfo().username
  } catch {
    return process.env.USER ?? 'unknown'
  }
}

/** When the announcement went out in this run: the `announcedAt` some earlier step recorded. */
export function announcedAt(outputs: ReadonlyMap<string, Record<string, unknown>>): string | undefined {
  for (const data of outputs.values()) if (typeof data.announcedAt === 'string') return data.announcedAt
  return undefined
}

/**
 * Sends a message from a step to every channel and records the result of each as evidence. A channel
 * that fails turns the step into a warning, never a failure.
 */
export async function sendFromStep(ctx: StepContext<unknown>, message: Notification, what: string): Promise<StepOutcome & { results: ChannelResult[] }> {
  const results = await deliver(message, { notify: ctx.environment.notify, redactor: ctx.redactor, signal: ctx.signal, log: ctx.log })
  await ctx.writeEvidence(`notification-${message.event}.json`, JSON.stringify({ message, channels: results }, null, 2), `${message.event} message and delivery per channel`)
  const { status, summary } = deliverySummary(what, results)
  return { status, summary, results, data: { channels: results.map((r) => ({ channel: r.channel, status: r.status })) } }
}

import type { Redactor } from '../../config/redact.js'
import { createConsoleNotifier } from '../../adapters/notifiers/console.js'
import { createNotifier, parseChannelConfig, registerChannelSecrets, type ChannelConfig } from '../../adapters/notifiers/index.js'
import type { Notification, Notifier } from '../../adapters/notifiers/notifier.js'

export interface ChannelResult {
  /** `console`, or `<kind> (notify[i])` for a configured channel. */
  channel: string
  kind: string
  status: 'sent' | 'failed' | 'skipped'
  /** Why it failed or was skipped; redacted. */
  detail?: string
  ms: number
}

export interface DeliverContext {
  /** The environment's `notify` list as configured. */
  notify: readonly unknown[]
  redactor: Redactor
  signal: AbortSignal
  /** One line for the record; also where the console channel writes. */
  log: (line: string) => void
}

interface Channel {
  name: string
  kind: string
  notifier?: Notifier
  config?: ChannelConfig
  problem?: string
}

/**
 * Sends one message to the console and every configured channel at once. Never throws: a channel
 * that is down or misconfigured is reported in its result, so the rollout goes on.
 */
export async function deliver(message: Notification, ctx: DeliverContext): Promise<ChannelResult[]> {
  const channels: Channel[] = [{ name: 'console', kind: 'console', notifier: createConsoleNotifier((line) => ctx.log(`  │ ${line}`)) }]
  ctx.notify.forEach((raw, index) => {
    const kind = raw && typeof raw === 'object' && typeof (raw as { kind?: unknown }).kind === 'string' ? (raw as { kind: string }).kind : 'unknown'
    // The console channel is always there; a configured one would print the message twice.
    if (kind === 'console') return
    const name = `${kind} (notify[${index}])`
    try {
      const config = parseChannelConfig(raw, index)
      registerChannelSecrets(config, ctx.redactor)
      channels.push({ name, kind, config, notifier: createNotifier(config, { index }) })
    } catch (error) {
      channels.push({ name, kind, problem: errorText(error) })
    }
  })

  const results = await Promise.all(
    channels.map(async (c): Promise<ChannelResult> => {
      const started = performance.now()
      const ms = () => Math.round(performance.now() - started)
      if (c.problem) return { channel: c.name, kind: c.kind, status: 'failed', detail: ctx.redactor.redact(c.problem), ms: 0 }
      if (c.config?.events && !c.config.events.includes(message.event)) {
        return { channel: c.name, kind: c.kind, status: 'skipped', detail: `not subscribed to "${message.event}"`, ms: 0 }
      }
      try {
        await c.notifier!.send(message, { signal: ctx.signal })
        return { channel: c.name, kind: c.kind, status: 'sent', ms: ms() }
      } catch (error) {
        return { channel: c.name, kind: c.kind, status: 'failed', detail: ctx.redactor.redact(errorText(error)), ms: ms() }
      }
    }),
  )
  for (const r of results) {
    if (r.kind === 'console') continue
    ctx.log(`${r.channel}: ${r.status === 'sent' ? `sent in ${r.ms} ms` : r.status === 'skipped' ? `skipped, ${r.detail}` : `NOT DELIVERED: ${r.detail}`}`)
  }
  return results
}

/** One line saying where the message went and where it did not. */
export function deliverySummary(what: string, results: readonly ChannelResult[]): { status: 'passed' | 'warning'; summary: string } {
  const sent = results.filter((r) => r.status === 'sent').map((r) => r.kind)
  const failed = results.filter((r) => r.status === 'failed')
  const where = `${what} on ${unique(sent).join(', ') || 'no channel'}`
  if (!failed.length) return { status: 'passed', summary: where }
  return { status: 'warning', summary: `${where}; not delivered: ${failed.map((r) => `${r.channel} — ${r.detail}`).join('; ')}` }
}

function unique(values: string[]): string[] {
  return [...new Set(values)]
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

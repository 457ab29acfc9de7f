import type { Notification, Notifier, SendOptions } from './notifier.js'
import { postWithRetry, type RetryPolicy } from './post.js'

export interface SlackOptions extends RetryPolicy {
  /** The incoming webhook URL: a secret, it is never logged. */
  webhook: string
  timeoutMs: number
}

// Block Kit limits: a header holds 150 characters, a section's text 3000, a field 2000, a section 10 fields.
const HEADER_MAX = 150
const TEXT_MAX = 3000
const FIELD_MAX = 2000
const FIELDS_PER_SECTION = 10

/** Slack's mrkdwn needs only these three escaped. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

/** The message as a Block Kit payload: header, sections with the text and fields, a context line. */
export function slackPayload(message: Notification): Record<string, unknown> {
  const blocks: Record<string, unknown>[] = [{ type: 'header', text: { type: 'plain_text', text: clip(message.title, HEADER_MAX), emoji: true } }]
  const fields = message.fields.map((f) => ({ type: 'mrkdwn', text: clip(`*${escapeMrkdwn(f.label)}:*\n${escapeMrkdwn(f.value)}`, FIELD_MAX) }))
  const first: Record<string, unknown> = { type: 'section' }
  if (message.text) first.text = { type: 'mrkdwn', text: clip(escapeMrkdwn(message.text), TEXT_MAX) }
  if (fields.length) first.fields = fields.slice(0, FIELDS_PER_SECTION)
  if (first.text || first.fields) blocks.push(first)
  for (let i = FIELDS_PER_SECTION; i < fields.length; i += FIELDS_PER_SECTION) blocks.push({ type: 'section', fields: fields.slice(i, i + FIELDS_PER_SECTION) })
  const context = [`rollout · ${escapeMrkdwn(message.environment)} · run \`${escapeMrkdwn(message.runId)}\``]
  if (message.url && /^https?:\/\//i.test(message.url)) context.push(`<${message.url.replace(/[|<>]/g, encodeURIComponent)}|${escapeMrkdwn(message.url)}>`)
  blocks.push({ type: 'context', elements: context.map((text) => ({ type: 'mrkdwn', text })) })
  // `text` is what notifications and screen readers show when blocks are present.
  return { text: clip(`${message.title}${message.text ? ` — ${message.text}` : ''}`, TEXT_MAX), blocks }
}

/** A Slack incoming webhook. Slack answers 200 "ok", or 4xx with a word such as `channel_not_found`. */
export function createSlackNotifier(options: SlackOptions): Notifier {
  return {
    kind: 'slack',
    async send(message: Notification, { signal }: SendOptions) {
      await postWithRetry({
        channel: 'slack',
        url: options.webhook,
        body: JSON.stringify(slackPayload(message)),
        headers: {},
        timeoutMs: options.timeoutMs,
        maxRetries: options.maxRetries,
        maxRetryWaitMs: options.maxRetryWaitMs,
        signal,
      })
    },
  }
}

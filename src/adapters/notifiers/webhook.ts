import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import type { Notification, Notifier, SendOptions } from './notifier.js'
import { postWithRetry, type RetryPolicy } from './post.js'

export interface WebhookOptions extends RetryPolicy {
  url: string
  /** Key of the HMAC-SHA256 signature: a secret, it is never logged. */
  secret: string
  /** Extra headers (an API key of the receiver). */
  headers: Record<string, string>
  timeoutMs: number
}

export const SIGNATURE_HEADER = 'x-rollout-signature'
export const TIMESTAMP_HEADER = 'x-rollout-timestamp'
export const EVENT_HEADER = 'x-rollout-event'

/** `sha256=<hex>` of the raw body. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`
}

/** For receivers: checks a signature header against the raw body in constant time. */
export function verifySignature(body: string | Buffer, header: string | undefined, secret: string): boolean {
  if (!header) return false
  const expected = Buffer.from(signBody(Buffer.isBuffer(body) ? body.toString('utf8') : body, secret))
  const given = Buffer.from(header)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/**
 * The JSON a generic webhook receives. `timestamp` is inside the signed body (and repeated in a
 * header), so a receiver can refuse old deliveries; `id` stays the same across retries of one
 * delivery, so it can drop duplicates.
 */
export function webhookBody(message: Notification, now: Date, id: string): string {
  return JSON.stringify({
    id,
    timestamp: Math.floor(now.getTime() / 1000),
    event: message.event,
    environment: message.environment,
    runId: message.runId,
    title: message.title,
    text: message.text,
    fields: message.fields,
    ...(message.url ? { url: message.url } : {}),
  })
}

/** A generic JSON webhook, signed with HMAC-SHA256 of the raw body. */
export function createWebhookNotifier(options: WebhookOptions): Notifier {
  return {
    kind: 'webhook',
    async send(message: Notification, { signal }: SendOptions) {
      const now = new Date()
      const body = webhookBody(message, now, randomUUID())
      await postWithRetry({
        channel: 'webhook',
        url: options.url,
        body,
        headers: {
          ...options.headers,
          [SIGNATURE_HEADER]: signBody(body, options.secret),
          [TIMESTAMP_HEADER]: String(Math.floor(now.getTime() / 1000)),
          [EVENT_HEADER]: message.event,
        },
        timeoutMs: options.timeoutMs,
        maxRetries: options.maxRetries,
        maxRetryWaitMs: options.maxRetryWaitMs,
        signal,
      })
    },
  }
}

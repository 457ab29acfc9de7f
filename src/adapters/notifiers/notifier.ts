/**
 * A channel the team hears from: the console, a Slack incoming webhook, a signed JSON webhook, e-mail.
 * One implementation per file, chosen by the `kind` of an entry of the environment's `notify` list.
 */
export type NotifyEvent = 'start' | 'success' | 'failure' | 'rollback' | 'close'

export interface NotificationField {
  label: string
  value: string
}

/** One message, the same for every channel; each channel renders it its own way. */
export interface Notification {
  event: NotifyEvent
  /** Environment name (staging). */
  environment: string
  runId: string
  title: string
  text: string
  fields: NotificationField[]
  /** A link for the reader: the environment's URL, the incident report. */
  url?: string
}

export interface SendOptions {
  signal: AbortSignal
}

export interface Notifier {
  readonly kind: string
  /** Resolves once the channel accepted the message; throws NotifyError otherwise. */
  send(message: Notification, opts: SendOptions): Promise<void>
}

/** A channel refused or could not take the message. Never carries the webhook URL or a secret. */
export class NotifyError extends Error {
  constructor(
    readonly channel: string,
    message: string,
    /** HTTP status or SMTP response code, when the channel answered. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'NotifyError'
  }
}

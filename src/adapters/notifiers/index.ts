import type { Redactor } from '../../config/redact.js'
import { parseChannelConfig, registerChannelSecrets } from './config.js'
import { createConsoleNotifier } from './console.js'
import { createEmailNotifier } from './email.js'
import type { Notifier } from './notifier.js'
import { createSlackNotifier } from './slack.js'
import { createWebhookNotifier } from './webhook.js'

export type { Notification, NotificationField, Notifier, NotifyEvent, SendOptions } from './notifier.js'
export { NotifyError } from './notifier.js'
export { NOTIFY_EVENTS, NOTIFIER_KINDS, parseChannelConfig, validateNotifyConfig, registerChannelSecrets, type ChannelConfig, type NotifierKind } from './config.js'

export interface CreateNotifierOptions {
  /** Position in the `notify` list, for error messages. */
  index?: number
  /** Where the console channel writes its lines. */
  write?: (line: string) => void
  redactor?: Redactor
}

/** A notifier for one `notify` entry, raw (checked here) or already parsed. */
export function createNotifier(config: unknown, opts: CreateNotifierOptions = {}): Notifier {
  const c = parseChannelConfig(config, opts.index ?? 0)
  if (opts.redactor) registerChannelSecrets(c, opts.redactor)
  switch (c.kind) {
    case 'console':
      return createConsoleNotifier(opts.write ?? (() => {}))
    case 'slack':
      return createSlackNotifier({ webhook: c.webhook, timeoutMs: c.timeout, maxRetries: c.maxRetries, maxRetryWaitMs: c.maxRetryWait })
    case 'webhook':
      return createWebhookNotifier({ url: c.url, secret: c.secret, headers: c.headers, timeoutMs: c.timeout, maxRetries: c.maxRetries, maxRetryWaitMs: c.maxRetryWait })
    case 'email':
      return createEmailNotifier({
        host: c.host, port: c.port, secure: c.secure, starttls: c.starttls, user: c.user, password: c.password,
        from: c.from, to: c.to, subjectPrefix: c.subjectPrefix, ca: c.ca, timeoutMs: c.timeout,
      })
  }
}

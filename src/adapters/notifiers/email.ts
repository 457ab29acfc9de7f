import { notificationHtml, notificationText } from './format.js'
import { NotifyError, type Notification, type Notifier, type SendOptions } from './notifier.js'

export interface EmailOptions {
  host: string
  port: number
  /** TLS from the first byte (port 465). Otherwise STARTTLS as `starttls` says. */
  secure: boolean
  /** required: refuse a server without STARTTLS; opportunistic: use it when offered; off: never. */
  starttls: 'required' | 'opportunistic' | 'off'
  user?: string
  /** Never logged; handed to the SMTP client in memory only. */
  password?: string
  from: string
  to: string[]
  subjectPrefix: string
  /** Extra trusted CA certificate (PEM) for a server with a private certificate. */
  ca?: string
  timeoutMs: number
}

export function emailSubject(message: Notification, prefix: string): string {
  return `${prefix ? `${prefix} ` : ''}${message.title}`.replace(/[\r\n]+/g, ' ')
}

/** E-mail over SMTP: one message with a plain-text and a simple HTML part. */
export function createEmailNotifier(options: EmailOptions): Notifier {
  return {
    kind: 'email',
    async send(message: Notification, { signal }: SendOptions) {
      // Loaded only when a message is sent, so commands that send none never load the SMTP client.
      const { createTransport } = await import('nodemailer')
      const transport = createTransport({
        host: options.host,
        port: options.port,
        secure: options.secure,
        requireTLS: options.starttls === 'required',
        ignoreTLS: options.starttls === 'off',
        auth: options.user ? { user: options.user, pass: options.password ?? '' } : undefined,
        tls: options.ca ? { ca: options.ca } : undefined,
        connectionTimeout: options.timeoutMs,
        greetingTimeout: options.timeoutMs,
        socketTimeout: options.timeoutMs,
        logger: false,
        debug: false,
      })
      const stop = () => transport.close()
      signal.addEventListener('abort', stop, { once: true })
      try {
        if (signal.aborted) throw new Error('cancelled')
        await transport.sendMail({
          from: options.from,
          to: options.to,
          subject: emailSubject(message, options.subjectPrefix),
          text: notificationText(message),
          html: notificationHtml(message),
          headers: { 'X-Rollout-Run': message.runId, 'X-Rollout-Event': message.event },
        })
      } catch (error) {
        const e = error as { message?: string; responseCode?: number }
        const reason = signal.aborted ? 'cancelled' : (e.message ?? String(error))
        throw new NotifyError('email', `email via ${options.host}:${options.port}: ${reason}`, e.responseCode, { cause: error })
      } finally {
        signal.removeEventListener('abort', stop)
        transport.close()
      }
    },
  }
}

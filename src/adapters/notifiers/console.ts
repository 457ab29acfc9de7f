import { notificationText } from './format.js'
import type { Notification, Notifier } from './notifier.js'

/**
 * The console channel: hands each line to a callback (a step's log, a renderer), so the core never
 * writes to the terminal itself.
 */
export function createConsoleNotifier(write: (line: string) => void): Notifier {
  return {
    kind: 'console',
    async send(message: Notification) {
      for (const line of notificationText(message).split('\n')) write(line)
    },
  }
}

import type { Redactor } from '../config/redact.js'
import type { EventInput, EventListener, RolloutEvent } from './events.js'
import type { Store } from './store.js'

/**
 * The one way the engine says anything: each event is redacted, committed to the store, and only
 * then handed to the listeners (renderers). A crash can lose output, never the record.
 */
export class Recorder {
  constructor(
    private readonly store: Store,
    readonly runId: string,
    private readonly redactor: Redactor,
    private readonly listeners: EventListener[],
  ) {}

  async emit(input: EventInput): Promise<RolloutEvent> {
    const event = this.redactor.redactValue({ ...input, runId: this.runId, at: new Date().toISOString() } as RolloutEvent)
    await this.store.appendEvent(event)
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch {
        // a renderer's failure must not stop a rollout
      }
    }
    return event
  }
}

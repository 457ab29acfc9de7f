import { setTimeout as sleep } from 'node:timers/promises'
import type { RolloutEvent } from '../engine/events.js'
import { findRunId } from '../engine/run-id.js'
import { RolloutError } from '../shared/errors.js'
import type { ConfigSource } from './config-source.js'
import { recordPlace, withStore } from './store.js'

const GOING = new Set(['running', 'rolling-back'])

/**
 * A run's events from its record: those already there, then each new one as the run commits it,
 * until the run has ended (and its last events are sent) or `signal` stops the stream. The record
 * is written before any renderer sees an event, so this says what a watcher of the run saw.
 */
export async function streamRunEvents(input: ConfigSource & { runId: string; onEvent: (e: RolloutEvent) => void | Promise<void>; signal?: AbortSignal; pollMs?: number }): Promise<void> {
  await withStore((await recordPlace(input)).store, async (store) => {
    const id = await findRunId(store, input.runId)
    if (!id) throw new RolloutError('USAGE', `no run "${input.runId}" in the record`)
    let sent = 0
    while (!input.signal?.aborted) {
      const going = GOING.has((await store.getRun(id))?.status ?? '')
      const events = await store.getEvents(id)
      for (const e of events.slice(sent)) await input.onEvent(e)
      sent = events.length
      if (!going) return
      await sleep(input.pollMs ?? 500, undefined, { signal: input.signal }).catch(() => undefined)
    }
  })
}

import type { RolloutEvent } from '../../engine/events.js'

/** NDJSON: one event per line, exactly as recorded (already redacted). */
export function jsonRenderer(stream: NodeJS.WriteStream) {
  return (e: RolloutEvent) => {
    stream.write(`${JSON.stringify(e)}\n`)
  }
}

import type { PastRun } from '../../engine/step-kind.js'

/** A fixed estimate of a staging rollout's length, used until the record has enough runs to say better. */
export const RUNBOOK_ESTIMATE = '15-30 minutes'
/** Fewer passed runs than this give a median too noisy to announce. */
export const MIN_RUNS = 3
/** Only recent runs count: the pipeline changes, and old timings stop meaning much. */
export const MAX_RUNS = 20

export interface Estimate {
  text: string
  /** The median, when it came from the record. */
  medianMs?: number
  runs: number
}

/** Median of the durations of the last passed runs (history is newest first), or RUNBOOK_ESTIMATE. */
export function estimateDuration(history: readonly PastRun[]): Estimate {
  const durations = history
    .filter((r) => r.status === 'passed' && typeof r.durationMs === 'number' && r.durationMs > 0)
    .slice(0, MAX_RUNS)
    .map((r) => r.durationMs as number)
  if (durations.length < MIN_RUNS) return { text: RUNBOOK_ESTIMATE, runs: durations.length }
  const medianMs = median(durations)
  return { text: `about ${roughDuration(medianMs)} (median of the last ${durations.length} successful runs)`, medianMs, runs: durations.length }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** A duration as people announce it: "40 seconds", "12 minutes", "1 hour 5 minutes". */
export function roughDuration(ms: number): string {
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return plural(Math.max(seconds, 1), 'second')
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return plural(minutes, 'minute')
  const hours = Math.floor(minutes / 60)
  return `${plural(hours, 'hour')}${minutes % 60 ? ` ${plural(minutes % 60, 'minute')}` : ''}`
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

import type { Redactor } from '../../config/redact.js'
import type { ResolvedEnvironment } from '../../config/types.js'
import { deliver, type ChannelResult } from './deliver.js'
import { outcomeMessage, type RunOutcome } from './messages.js'

export interface RunOutcomeNotice {
  outcome: RunOutcome
  runId: string
  environmentName: string
  environment: Pick<ResolvedEnvironment, 'url' | 'notify' | 'release'>
  /** The run's one-line summary (why it failed, what the rollback did). */
  summary: string
  failedStep?: { id: string; title?: string; summary?: string }
  /** Path (or URL) of the incident report. */
  incidentReport?: string
  durationMs?: number
  release?: string | null
  /** The config's contacts: on a rollback the on-call engineer, database team and escalation are named. */
  contacts?: Record<string, string | undefined>
  redactor: Redactor
  /** Record lines (redacted by the caller, or here through the redactor). */
  log: (line: string) => void
  signal?: AbortSignal
}

/**
 * Sends the failure or rollback message after a run ends badly. For the engine to call once the
 * incident report is written. Never throws; returns each channel's result so the caller can record
 * and show the ones that failed.
 */
export async function notifyRunOutcome(n: RunOutcomeNotice): Promise<ChannelResult[]> {
  const message = outcomeMessage({
    environmentName: n.environmentName,
    url: n.environment.url,
    runId: n.runId,
    release: n.release ?? n.environment.release,
    outcome: n.outcome,
    summary: n.summary,
    failedStep: n.failedStep,
    incidentReport: n.incidentReport,
    durationMs: n.durationMs,
    contacts: n.contacts,
  })
  try {
    return await deliver(message, {
      notify: n.environment.notify,
      redactor: n.redactor,
      signal: n.signal ?? AbortSignal.timeout(60_000),
      log: (line) => n.log(n.redactor.redact(line)),
    })
  } catch (error) {
    // deliver() reports per channel; this only guards against the unexpected, the run is over anyway.
    const detail = n.redactor.redact(error instanceof Error ? error.message : String(error))
    n.log(`notification of the outcome failed: ${detail}`)
    return [{ channel: 'all', kind: 'all', status: 'failed', detail, ms: 0 }]
  }
}

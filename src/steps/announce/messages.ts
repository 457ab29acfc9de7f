import { formatDuration } from '../../config/duration.js'
import type { Notification, NotificationField } from '../../adapters/notifiers/notifier.js'
import type { RunStepTiming } from '../../engine/step-kind.js'

/** "staging" → "Staging", as the start message's heading says it ("📢 Staging Deployment Starting"). */
export function envTitle(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1)
}

/** The environment as the messages name it: the host of its URL. */
export function envHost(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}

interface Base {
  environmentName: string
  url: string
  runId: string
  release?: string | null
}

function field(label: string, value: string | null | undefined): NotificationField[] {
  return value ? [{ label, value }] : []
}

/** The message that announces a deployment before anything changes (the `announce` step). */
export function startMessage(b: Base & { estimate: string; contact: string; text?: string }): Notification {
  return {
    event: 'start',
    environment: b.environmentName,
    runId: b.runId,
    title: `📢 ${envTitle(b.environmentName)} Deployment Starting`,
    text: b.text ?? `Rollout ${b.runId}${b.release ? ` of ${b.release}` : ''} is starting.`,
    fields: [
      { label: 'Environment', value: envHost(b.url) },
      { label: 'Estimated Duration', value: b.estimate },
      { label: 'Contact', value: b.contact },
      ...field('Release', b.release),
    ],
    url: b.url,
  }
}

export interface RunTimings {
  totalMs: number | null
  /** Phases in the order they ran, with the wall time from their first start to their last end. */
  phases: { phase: string; ms: number }[]
  warnings: RunStepTiming[]
}

/** Wall time of the run so far and of each phase, from the recorded steps. Pure. */
export function runTimings(steps: readonly RunStepTiming[], now: number, fallbackStart?: string): RunTimings {
  const started = steps.filter((s) => s.startedAt).sort((a, b) => a.startedAt!.localeCompare(b.startedAt!))
  const spans = new Map<string, { from: number; to: number }>()
  for (const s of started) {
    const from = Date.parse(s.startedAt!)
    const to = from + (s.durationMs ?? Math.max(0, now - from))
    const span = spans.get(s.phase)
    if (!span) spans.set(s.phase, { from, to })
    else span.to = Math.max(span.to, to)
  }
  const first = started[0]?.startedAt ?? fallbackStart
  return {
    totalMs: first ? Math.max(0, now - Date.parse(first)) : null,
    phases: [...spans].map(([phase, { from, to }]) => ({ phase, ms: to - from })),
    warnings: steps.filter((s) => s.status === 'warning'),
  }
}

export function timingsLine(t: RunTimings): string {
  return t.phases.map((p) => `${p.phase} ${formatDuration(p.ms)}`).join(' · ')
}

/** The post phase's "notify team of successful deployment". */
export function successMessage(b: Base & { contact: string; timings: RunTimings }): Notification {
  const { timings } = b
  const warned = timings.warnings.length
  return {
    event: 'success',
    environment: b.environmentName,
    runId: b.runId,
    title: `✅ ${envTitle(b.environmentName)} Deployment Succeeded`,
    text: `${b.release ? `${b.release} is` : 'The new release is'} live on ${envHost(b.url)}; ${warned ? `${warned} check${warned === 1 ? '' : 's'} only warned (${timings.warnings.map((w) => w.stepId).join(', ')}).` : 'every check passed.'}`,
    fields: [
      { label: 'Environment', value: envHost(b.url) },
      ...field('Release', b.release),
      ...field('Duration', timings.totalMs === null ? null : formatDuration(timings.totalMs)),
      ...field('Timings', timingsLine(timings)),
      { label: 'Contact', value: b.contact },
    ],
    url: b.url,
  }
}

/** "Close deployment announcement". */
export function closeMessage(b: Base & { result: string; announcedAt?: string; totalMs: number | null }): Notification {
  return {
    event: 'close',
    environment: b.environmentName,
    runId: b.runId,
    title: `🏁 ${envTitle(b.environmentName)} Deployment Finished`,
    text: `The deployment${b.announcedAt ? ` announced at ${b.announcedAt.slice(11, 16)} UTC` : ''} is over: ${b.result}. The environment is free again.`,
    fields: [
      { label: 'Environment', value: envHost(b.url) },
      { label: 'Result', value: b.result },
      ...field('Duration', b.totalMs === null ? null : formatDuration(b.totalMs)),
    ],
    url: b.url,
  }
}

export type RunOutcome = 'failed' | 'cancelled' | 'rolled-back' | 'rollback-failed'

const OUTCOME: Record<RunOutcome, { event: Notification['event']; title: (env: string) => string; text: string }> = {
  failed: { event: 'failure', title: (e) => `❌ ${e} Deployment Stopped`, text: 'A check failed before anything was changed; the environment is as it was.' },
  cancelled: { event: 'failure', title: (e) => `⏹️ ${e} Deployment Cancelled`, text: 'The run was cancelled.' },
  'rolled-back': { event: 'rollback', title: (e) => `↩️ ${e} Deployment Rolled Back`, text: 'The changes were undone and the smoke tests passed again on what was put back.' },
  'rollback-failed': { event: 'rollback', title: (e) => `🚨 ${e} Rollback Incomplete — manual action needed`, text: 'The rollback did not complete: the environment may be half-changed. Follow the incident report.' },
}

/** The failure or rollback message, with the incident report. */
export function outcomeMessage(b: Base & {
  outcome: RunOutcome
  summary: string
  failedStep?: { id: string; title?: string; summary?: string }
  incidentReport?: string
  durationMs?: number
  contacts?: Record<string, string | undefined>
}): Notification {
  const o = OUTCOME[b.outcome]
  const people = b.outcome === 'rollback-failed' || b.outcome === 'rolled-back' ? b.contacts ?? {} : {}
  return {
    event: o.event,
    environment: b.environmentName,
    runId: b.runId,
    title: o.title(envTitle(b.environmentName)),
    text: `${o.text}\n${b.summary}`,
    fields: [
      { label: 'Environment', value: envHost(b.url) },
      ...field('Release', b.release),
      ...field('Failed step', b.failedStep ? `${b.failedStep.id}${b.failedStep.summary ? `: ${b.failedStep.summary}` : ''}` : null),
      ...field('Duration', b.durationMs === undefined ? null : formatDuration(b.durationMs)),
      ...field('Incident report', b.incidentReport),
      ...field('On-call engineer', people.onCall),
      ...field('Database team', b.outcome === 'rollback-failed' ? people.database : undefined),
      ...field('Escalation', b.outcome === 'rollback-failed' ? people.escalation : undefined),
    ],
    url: b.incidentReport && /^https?:\/\//i.test(b.incidentReport) ? b.incidentReport : b.url,
  }
}

import { setTimeout as sleep } from 'node:timers/promises'
import { formatDuration } from '../../config/duration.js'
import { defineStepKind, type StepContext } from '../../engine/step-kind.js'
import { stepCa } from '../trust.js'
import type { Notification } from '../../adapters/notifiers/notifier.js'
import { resolveUrl } from '../url.js'
import { deliver } from '../announce/deliver.js'
import { envHost, envTitle } from '../announce/messages.js'
import { findBreach, fmt, quietSummary, type Baseline, type Breach, type Sample } from './breach.js'
import { providerLogs } from './provider-logs.js'
import { errorReader, sampleHealth } from './sources.js'
import { monitorOptions, MonitorSettingsError, resolveMonitor, type MonitorOptions, type ResolvedMonitor } from './settings.js'

/** Samples kept in the record as the window goes (all of them go to the evidence file). */
const RECORDED_SAMPLES = 240

/** A baseline another step sampled before the deploy (the logs-baseline step records `errorsPerMinute`). */
function recordedBaseline(outputs: ReadonlyMap<string, Record<string, unknown>>): Baseline | null {
  const value = outputs.get('logs-baseline')?.errorsPerMinute
  return typeof value === 'number' && Number.isFinite(value) ? { perMinute: value, source: 'before-deploy' } : null
}

function describe(sample: Sample): string {
  const parts = [`+${formatDuration(sample.elapsedMs)}`]
  if (sample.health) parts.push(sample.health.ok ? `health ${sample.health.status} (${sample.health.ms} ms)` : `health FAILED: ${sample.health.error}`)
  if (typeof sample.errorsPerMinute === 'number') parts.push(`errors ${fmt(sample.errorsPerMinute)}/min`)
  else if (sample.errorsProblem) parts.push(`errors unreadable: ${sample.errorsProblem}`)
  return parts.join(' · ')
}

function alertMessage(ctx: StepContext<unknown>, breach: Breach): Notification {
  return {
    event: 'failure',
    environment: ctx.environmentName,
    runId: ctx.runId,
    title: `⚠️ ${envTitle(ctx.environmentName)} Monitoring Alert`,
    text: `${breach.reason}. The release stays live (onBreach: alert); look at it now.`,
    fields: [
      { label: 'Environment', value: envHost(ctx.environment.url) },
      { label: 'After', value: formatDuration(breach.elapsedMs) },
      ...(ctx.environment.release ? [{ label: 'Release', value: ctx.environment.release }] : []),
    ],
    url: ctx.environment.url,
  }
}

export default defineStepKind<MonitorOptions>({
  kind: 'monitor',
  description: 'watches health and error rate for a window after the deploy; a breach fails the step (and so rolls back) or only alerts',
  options: monitorOptions,
  checkSettings: (ctx) => void resolveMonitor(ctx.environment, ctx.options, ['environments', ctx.environmentName, 'monitor']),
  async run(ctx) {
    let m: ResolvedMonitor
    try {
      m = resolveMonitor(ctx.environment, ctx.options)
    } catch (error) {
      if (error instanceof MonitorSettingsError) return { status: 'failed', summary: `invalid monitoring settings: ${error.message.replace(/\n/g, '; ')}` }
      throw error
    }
    const healthUrl = m.health ? resolveUrl(ctx.environment.url, m.health.path) : null
    const readErrors = errorReader(ctx, m.source, () => providerLogs(ctx))
    if (!healthUrl && !readErrors) return { status: 'warning', summary: 'nothing to watch: health is off and no error-rate source is set (monitor.errors.source)' }
    const thresholds = { ...m.limits, healthFailuresInRow: m.health ? m.health.failuresInRow : Infinity }
    ctx.log(`watching ${[healthUrl && `health ${healthUrl}`, readErrors && `error rate from ${m.source.source} (limit ${m.limits.maxPerMinute}/min)`].filter(Boolean).join(' and ')} for ${formatDuration(m.windowMs)}, every ${formatDuration(m.intervalMs)}`)

    let baseline = recordedBaseline(ctx.outputs)
    if (baseline) ctx.log(`baseline before the deploy: ${fmt(baseline.perMinute)} errors/min`)
    const samples: Sample[] = []
    let breach: Breach | null = null
    let stopped = false
    const opened = Date.now()
    const ca = await stepCa(ctx)

    for (let tick = 0; ; tick++) {
      const at = new Date()
      const [health, errors] = await Promise.all([
        healthUrl && m.health ? sampleHealth(healthUrl, { timeoutMs: m.health.timeoutMs, signal: ctx.signal, resolve: ctx.environment.resolve, ca }) : undefined,
        readErrors
          ? readErrors(ctx.signal).then(
              (rate) => ({ rate, problem: undefined }),
              (error: unknown) => ({ rate: null, problem: error instanceof Error ? error.message : String(error) }),
            )
          : undefined,
      ])
      if (ctx.signal.aborted) {
        stopped = true
        break
      }
      const sample: Sample = {
        at: at.toISOString(),
        elapsedMs: at.getTime() - opened,
        ...(health ? { health } : {}),
        ...(errors ? { errorsPerMinute: errors.rate, ...(errors.problem ? { errorsProblem: errors.problem } : {}) } : {}),
      }
      samples.push(sample)
      ctx.log(describe(sample))
      if (!baseline && typeof sample.errorsPerMinute === 'number') {
        baseline = { perMinute: sample.errorsPerMinute, source: 'window-start' }
        ctx.log(`baseline at the window's start: ${fmt(baseline.perMinute)} errors/min`)
      }
      await ctx.checkpoint({ samples: samples.slice(-RECORDED_SAMPLES), baseline })
      breach = findBreach(samples, baseline, thresholds)
      if (breach) break
      const next = opened + (tick + 1) * m.intervalMs
      if (next > opened + m.windowMs) break
      try {
        await sleep(Math.max(0, next - Date.now()), undefined, { signal: ctx.signal })
      } catch {
        stopped = true
        break
      }
    }

    const record = { windowMs: m.windowMs, intervalMs: m.intervalMs, onBreach: m.onBreach, source: m.source.source, limits: m.limits, healthUrl, baseline, breach, samples }
    await ctx.writeEvidence('samples.json', JSON.stringify(record, null, 2), 'monitoring samples')
    const data = { samples: samples.slice(-RECORDED_SAMPLES), baseline, breach, windowMs: m.windowMs }
    const elapsed = formatDuration(Date.now() - opened)

    if (stopped) return { status: 'failed', summary: `monitoring stopped after ${elapsed}, before the window closed (${samples.length} samples, no breach seen)`, data }
    if (breach) {
      const summary = `breach after ${formatDuration(breach.elapsedMs)}: ${breach.reason}`
      ctx.log(summary)
      if (m.onBreach === 'rollback') return { status: 'failed', summary, data }
      const results = await deliver(alertMessage(ctx, breach), { notify: ctx.environment.notify, redactor: ctx.redactor, signal: ctx.signal, log: ctx.log })
      const missed = results.filter((r) => r.status === 'failed').map((r) => r.channel)
      return { status: 'warning', summary: `${summary} (alert only${missed.length ? `; alert not delivered to ${missed.join(', ')}` : ''})`, data }
    }
    const summary = `quiet for ${formatDuration(m.windowMs)}: ${quietSummary(samples, baseline, thresholds)}`
    const unread = readErrors && !samples.some((s) => typeof s.errorsPerMinute === 'number')
    if (unread) {
      const problem = samples.map((s) => s.errorsProblem).filter(Boolean).pop()
      return { status: 'warning', summary: `${summary}; the error rate could not be read${problem ? `: ${problem}` : ''}`, data }
    }
    return { status: 'passed', summary, data }
  },
})

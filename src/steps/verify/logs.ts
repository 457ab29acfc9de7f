import { defineStepKind, type StepContext } from '../../engine/step-kind.js'
import { countErrors, newSince, toEntry, type Baseline } from './error-lines.js'
import { describeSource, fetchLines, logsOptions, logsSettings, type LogsOptions } from './log-source.js'

/** The baseline sampled before the deploy: the named step's data, else any `logs-baseline` step's. */
export function findBaseline(outputs: StepContext<unknown>['outputs'], id?: string): Baseline | undefined {
  const data = id ? outputs.get(id) : [...outputs.values()].find((d) => d.logsBaseline === true)
  if (!data || typeof data.errorCount !== 'number') return undefined
  return {
    errorCount: data.errorCount,
    lineCount: typeof data.lineCount === 'number' ? data.lineCount : 0,
    sampledAt: String(data.sampledAt ?? ''),
    ...(typeof data.newestAt === 'string' ? { newestAt: data.newestAt } : {}),
  }
}

/**
 * The log check of the verify phase: the newest log lines after the deploy, error lines counted
 * and compared with the sample taken before it; more new errors than the threshold fail the step.
 * The error lines go to the evidence.
 */
export default defineStepKind<LogsOptions>({
  kind: 'logs',
  description: 'counts error lines in the newest application logs and fails when the deploy added more than the threshold',
  options: logsOptions,
  checkSettings: (ctx) => void logsSettings(ctx),
  async run(ctx) {
    const s = logsSettings(ctx)
    const lines = await fetchLines(ctx, s)
    const entries = lines.map(toEntry)
    const count = countErrors(entries, s.rules)
    const baseline = findBaseline(ctx.outputs, s.baseline)
    if (!baseline) ctx.log(`no log sample from before the deploy${s.baseline ? ` (step "${s.baseline}" has none)` : ' (add a logs-baseline step to the environment phase)'}: every error line counts`)
    const fresh = newSince(count, baseline)

    await ctx.writeEvidence('logs.txt', `${entries.map((e) => e.raw).join('\n')}\n`, `last ${count.lines} log lines`)
    const heading =
      fresh.method === 'time'
        ? `# ${fresh.count} error lines newer than the sample before the deploy (${baseline!.newestAt})`
        : fresh.method === 'count'
          ? `# ${count.errors.length} error lines now, ${baseline!.errorCount} before the deploy`
          : `# ${count.errors.length} error lines (no sample from before the deploy)`
    if (count.errors.length) await ctx.writeEvidence('error-lines.log', `${heading}\n${fresh.lines.map((e) => e.raw).join('\n')}\n`, 'error lines after the deploy')

    const data = {
      lineCount: count.lines,
      errorCount: count.errors.length,
      baselineErrorCount: baseline?.errorCount ?? null,
      newErrors: fresh.count,
      ignored: count.ignored,
      threshold: s.threshold,
      method: fresh.method,
    }
    // No line read is nothing checked: never a pass.
    if (count.lines === 0) return { status: 'warning', summary: `read 0 log lines from ${describeSource(s.source)}: nothing was checked (does the app log where this step reads?)`, data }
    const before = baseline ? `${baseline.errorCount} before the deploy, ` : ''
    const window = `${before}${count.errors.length} in the last ${count.lines} lines${count.ignored ? `, ${count.ignored} ignored as known noise` : ''}`
    if (fresh.count > s.threshold) {
      const latest = fresh.lines.at(-1)?.message.replace(/\s+/g, ' ').slice(0, 200)
      return { status: 'failed', summary: `${fresh.count} new error line${fresh.count === 1 ? '' : 's'} after the deploy, threshold ${s.threshold} (${window})${latest ? `; latest: ${latest}` : ''}`, data }
    }
    return { status: 'passed', summary: `${fresh.count} new error line${fresh.count === 1 ? '' : 's'} after the deploy, threshold ${s.threshold} (${window})`, data }
  },
})

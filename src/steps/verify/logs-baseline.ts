import { defineStepKind } from '../../engine/step-kind.js'
import { countErrors, toEntry, type Baseline } from './error-lines.js'
import { describeSource, fetchLines, logsOptions, logsSettings, type LogsOptions } from './log-source.js'

/**
 * Samples the application's logs before anything changes (environment phase): how many of the
 * newest lines are errors, and the time of the newest line. The `logs` step after the deploy
 * compares with this, so errors the app already had do not count against the release.
 */
export default defineStepKind<LogsOptions>({
  kind: 'logs-baseline',
  needsLiveApp: true,
  description: 'counts error lines in the newest application logs before the deploy, for the logs check after it',
  options: logsOptions,
  checkSettings: (ctx) => void logsSettings(ctx),
  async run(ctx) {
    const s = logsSettings(ctx)
    const entries = (await fetchLines(ctx, s)).map(toEntry)
    const count = countErrors(entries, s.rules)
    const baseline: Baseline = {
      errorCount: count.errors.length,
      lineCount: count.lines,
      sampledAt: new Date().toISOString(),
      ...(count.newestAt !== undefined ? { newestAt: new Date(count.newestAt).toISOString() } : {}),
    }
    if (count.errors.length) await ctx.writeEvidence('error-lines.log', `${count.errors.map((e) => e.raw).join('\n')}\n`, 'error lines before the deploy')
    if (count.lines === 0) {
      return { status: 'warning', summary: `read 0 log lines from ${describeSource(s.source)}: no sample before the deploy (does the app log where this step reads?)`, data: { logsBaseline: true, ...baseline } }
    }
    const newest = baseline.newestAt ? `, newest line ${baseline.newestAt}` : ''
    return {
      status: 'passed',
      summary: `${count.errors.length} error line${count.errors.length === 1 ? '' : 's'} in the last ${count.lines} log lines${count.ignored ? ` (${count.ignored} ignored as known noise)` : ''}${newest}`,
      data: { logsBaseline: true, ...baseline },
    }
  },
})

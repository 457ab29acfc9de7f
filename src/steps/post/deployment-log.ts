import { appendFile, mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { formatDuration } from '../../config/duration.js'
import { defineStepKind } from '../../engine/step-kind.js'
import { envHost, runTimings } from '../announce/messages.js'
import { announcedAt, deployerContact } from '../announce/send.js'

export const deploymentLogOptions = z.strictObject({
  file: z.string().min(1).default('DEPLOYMENTS.md').describe('Markdown file, relative to the config\'s folder.'),
  result: z.string().min(1).optional().describe('Result text instead of "passed" / "passed with N warnings".'),
})
export type DeploymentLogOptions = z.output<typeof deploymentLogOptions>

export const LOG_HEADER = '# Deployment log\n\nOne entry per rollout, newest last. Written by `rollout`; the full record is in `rollout history`.\n'

export interface DeploymentEntry {
  date: Date
  environment: string
  host: string
  release: string | null
  runId: string
  result: string
  durationMs: number | null
  by: string
}

/** Values come from config and the record: kept on one line so they cannot break the Markdown. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').trim()
}

/** One entry: a heading with the date and environment, then a short list. Pure. */
export function deploymentLogEntry(e: DeploymentEntry): string {
  const date = `${e.date.toISOString().slice(0, 16).replace('T', ' ')} UTC`
  return [
    `## ${date} — ${oneLine(e.environment)}`,
    '',
    `- **Environment:** ${oneLine(e.environment)} (${oneLine(e.host)})`,
    `- **Release:** ${e.release ? `\`${oneLine(e.release).replace(/`/g, "'")}\`` : 'not named'}`,
    `- **Run:** \`${oneLine(e.runId)}\``,
    `- **Result:** ${oneLine(e.result)}`,
    `- **Duration:** ${e.durationMs === null ? 'unknown' : formatDuration(e.durationMs)}`,
    `- **By:** ${oneLine(e.by)}`,
    '',
  ].join('\n')
}

/** The release the run shipped: the environment's, else one an earlier step recorded (the deploy). */
function releaseOf(release: string | undefined, outputs: ReadonlyMap<string, Record<string, unknown>>): string | null {
  if (release) return release
  for (const data of outputs.values()) if (typeof data.release === 'string' && data.release) return data.release
  return null
}

export default defineStepKind<DeploymentLogOptions>({
  kind: 'deployment-log',
  description: 'appends an entry (date, environment, release, run, result, duration, who) to a Markdown deployment log',
  options: deploymentLogOptions,
  async run(ctx) {
    const file = path.resolve(ctx.cwd, ctx.options.file)
    const steps = ctx.runSteps ? await ctx.runSteps() : []
    const timings = runTimings(steps, Date.now(), announcedAt(ctx.outputs))
    const warned = timings.warnings.length
    const entry = deploymentLogEntry({
      date: new Date(),
      environment: ctx.environmentName,
      host: envHost(ctx.environment.url),
      release: releaseOf(ctx.environment.release, ctx.outputs),
      runId: ctx.runId,
      result: ctx.options.result ?? (warned ? `passed with ${warned} warning${warned === 1 ? '' : 's'} (${timings.warnings.map((w) => w.stepId).join(', ')})` : 'passed'),
      durationMs: timings.totalMs,
      by: deployerContact(ctx.config.contacts),
    })
    await mkdir(path.dirname(file), { recursive: true })
    // Created with its header only when missing ('wx' fails if it exists), so two runs never both write one.
    const created = await writeFile(file, LOG_HEADER, { flag: 'wx' }).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') return false
        throw error
      },
    )
    // One append per entry: the OS keeps a single small append whole even when two runs write at once.
    await appendFile(file, `\n${entry}`)
    ctx.log(`${created ? 'created' : 'appended to'} ${path.relative(ctx.cwd, file) || file}`)
    await ctx.writeEvidence('entry.md', entry, 'deployment log entry')
    return { status: 'passed', summary: `${created ? 'created' : 'updated'} ${ctx.options.file}`, data: { file, created } }
  },
})

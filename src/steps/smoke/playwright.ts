import { accessSync, constants } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { z } from 'zod'
import { defineStepKind, type StepContext, type StepOutcome } from '../../engine/step-kind.js'
import { runCommand } from '../../adapters/process/run-command.js'
import { parsePlaywrightReport, type ParsedReport } from './playwright-report.js'
import { overlay, readSection, sectionKey } from './settings.js'
import { isExecutable } from '../../adapters/process/executable.js'

export const playwrightOptions = z.strictObject({
  dir: z.string().min(1).optional().describe('Folder of the @playwright/test project, relative to the config\'s folder.'),
  command: z.array(z.string().min(1)).min(1).optional().describe('The runner as an argument list; default the project\'s node_modules/.bin/playwright, else `playwright` on PATH.'),
  project: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional().describe('Project name(s) from playwright.config (`--project`).'),
  grep: z.string().min(1).optional().describe('Only tests whose title matches, e.g. a tag: \'@critical\' (`--grep`).'),
  config: z.string().min(1).optional().describe('Config file (`--config`), relative to `dir`.'),
  workers: z.number().int().min(1).optional().describe('Parallel workers (`--workers`); default the project\'s setting.'),
  args: z.array(z.string()).optional().describe('More arguments for `playwright test`.'),
  env: z.record(z.string(), z.string()).optional().describe('Extra environment for the run (use secret(env(...)) for credentials).'),
  baseUrlEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name').optional().describe('Variable that receives the environment\'s URL, for the project\'s `use.baseURL`.'),
})
export type PlaywrightOptions = z.output<typeof playwrightOptions>


/**
 * The project's own runner, as npm would find it (node_modules/.bin up from the project folder),
 * else one on PATH. Not `npx playwright`: npx would download a package when none is installed.
 */
export function findPlaywright(dir: string, pathVar: string | undefined): string | undefined {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    const bin = path.join(at, 'node_modules', '.bin', 'playwright')
    if (isExecutable(bin)) return bin
    if (path.dirname(at) === at) break
  }
  for (const folder of (pathVar ?? '').split(path.delimiter)) {
    if (folder && isExecutable(path.join(folder, 'playwright'))) return path.join(folder, 'playwright')
  }
  return undefined
}

/** `playwright test` arguments for the options. Pure. */
export function playwrightArgs(o: PlaywrightOptions): string[] {
  const projects = o.project === undefined ? [] : ([] as string[]).concat(o.project)
  return [
    'test',
    '--reporter=json',
    ...(o.config ? ['--config', o.config] : []),
    ...projects.flatMap((p) => ['--project', p]),
    ...(o.grep ? ['--grep', o.grep] : []),
    ...(o.workers ? ['--workers', String(o.workers)] : []),
    ...(o.args ?? []),
  ]
}

function judge(report: ParsedReport, exitCode: number | null): StepOutcome {
  const t = report.tests
  const failed = t.filter((x) => x.outcome === 'failed')
  const flaky = t.filter((x) => x.outcome === 'flaky')
  const data = {
    tests: t.map((x) => ({ title: x.title, project: x.project, outcome: x.outcome, durationMs: Math.round(x.durationMs), attempts: x.attempts, ...(x.error ? { error: x.error.split('\n')[0] } : {}) })),
    stats: report.stats,
    exitCode,
  }
  const counts = `${report.stats.expected} passed, ${report.stats.unexpected} failed, ${report.stats.flaky} flaky, ${report.stats.skipped} skipped`
  if (failed.length) {
    const names = failed.slice(0, 3).map((x) => `${x.title}${x.project ? ` [${x.project}]` : ''}: ${(x.error ?? x.lastStatus).split('\n')[0]}`)
    return { status: 'failed', summary: `${counts} — ${names.join(' · ')}${failed.length > 3 ? ' · …' : ''}`, data }
  }
  if (report.errors.length) return { status: 'failed', summary: `Playwright reported: ${report.errors[0]!.split('\n')[0]}`, data }
  if (t.filter((x) => x.outcome !== 'skipped').length === 0) return { status: 'failed', summary: `no test ran (${counts})`, data }
  if (exitCode !== 0) return { status: 'failed', summary: `playwright exited with ${exitCode} (${counts})`, data }
  if (flaky.length) return { status: 'warning', summary: `${counts}: flaky ${flaky.map((x) => x.title).join(', ')}`, data }
  return { status: 'passed', summary: counts, data }
}

/** Section `smoke.playwright`, checked. */
function playwrightSection(ctx: Pick<StepContext<PlaywrightOptions>, 'environment' | 'environmentName'>): PlaywrightOptions {
  const smoke = (ctx.environment.smoke ?? {}) as { playwright?: unknown }
  return readSection(playwrightOptions, smoke.playwright, sectionKey(ctx.environmentName, 'smoke', 'playwright'))
}

export default defineStepKind<PlaywrightOptions>({
  kind: 'playwright',
  needsLiveApp: true,
  description: "runs the team's own @playwright/test project (or a tag of it) and reports each test",
  options: playwrightOptions,
  checkSettings: (ctx) => void playwrightSection(ctx),
  async run(ctx) {
    const section = playwrightSection(ctx)
    const o = overlay<PlaywrightOptions>(section, ctx.options) as PlaywrightOptions
    const dir = path.resolve(ctx.cwd, o.dir ?? '.')
    const env = { ...o.env, [o.baseUrlEnv ?? 'BASE_URL']: ctx.environment.url }
    const runner = o.command ?? [findPlaywright(dir, env.PATH ?? ctx.env.PATH)].filter((x): x is string => !!x)
    if (runner.length === 0) {
      return { status: 'failed', summary: `no Playwright runner in ${dir}: install the project's dependencies (npm i -D @playwright/test), or set the step's command` }
    }
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'rollout-playwright-'))
    const reportFile = path.join(tmp, 'report.json')
    try {
      const argv = [...runner, ...playwrightArgs(o)]
      ctx.log(`$ ${argv.join(' ')} (in ${dir})`)
      let result
      try {
        result = await runCommand({ command: argv, cwd: dir, baseEnv: ctx.env, env: { ...env, PLAYWRIGHT_JSON_OUTPUT_FILE: reportFile }, signal: ctx.signal, onLine: (line) => ctx.log(line) })
      } catch (error) {
        return { status: 'failed', summary: `could not start ${runner[0]}: ${error instanceof Error ? error.message : String(error)}` }
      }
      if (result.aborted) return { status: 'failed', summary: 'stopped before the tests finished' }
      // Older runners ignore the variable and print the report on stdout.
      const text = await readFile(reportFile, 'utf8').catch(() => result.stdout.slice(result.stdout.indexOf('{')))
      let report: ParsedReport
      try {
        report = parsePlaywrightReport(JSON.parse(text))
      } catch {
        await ctx.writeEvidence('output.log', `${result.stdout}\n--- stderr ---\n${result.stderr}`, 'playwright output')
        const last = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ').slice(0, 300)
        return { status: 'failed', summary: `playwright gave no JSON report (exit code ${result.exitCode ?? result.signal})${last ? `: ${last}` : ''}` }
      }
      await ctx.writeEvidence('report.json', text, 'Playwright JSON report')
      if (result.stderr.trim()) await ctx.writeEvidence('stderr.log', result.stderr, 'playwright stderr')
      // The failing tests' own screenshots and traces, as the project's config attached them.
      let adopted = 0
      for (const test of report.tests.filter((t) => t.outcome !== 'passed' && t.outcome !== 'skipped')) {
        for (const a of test.attachments) {
          const file = path.resolve(dir, a.path)
          if (adopted >= 20 || !readable(file)) continue
          await ctx.addEvidence(file, `${test.title}: ${a.name}`)
          adopted++
        }
      }
      for (const t of report.tests) ctx.log(`${t.outcome.padEnd(7)} ${t.title}${t.project ? ` [${t.project}]` : ''} ${Math.round(t.durationMs)} ms`)
      return judge(report, result.exitCode)
    } finally {
      await rm(tmp, { recursive: true, force: true })
    }
  },
})

function readable(file: string): boolean {
  try {
    accessSync(file, constants.R_OK)
    return true
  } catch {
    return false
  }
}

/**
 * Reads the report of `playwright test --reporter=json` (@playwright/test's JSONReport: suites of
 * specs, each spec with one test per project, each test with one result per attempt). Pure.
 */

export type TestOutcome = 'passed' | 'failed' | 'flaky' | 'skipped'

export interface ReportedTest {
  /** `file › describe › title`, as Playwright's list reporter names it. */
  title: string
  project: string
  outcome: TestOutcome
  /** Status of the last attempt: passed, failed, timedOut, skipped, interrupted. */
  lastStatus: string
  attempts: number
  durationMs: number
  error?: string
  location?: string
  /** Files the test attached (screenshots, traces, videos) on its last attempt. */
  attachments: { name: string; path: string; contentType?: string }[]
}

export interface ParsedReport {
  tests: ReportedTest[]
  stats: { expected: number; unexpected: number; flaky: number; skipped: number; durationMs?: number }
  /** Errors outside any test: no tests found, a config that does not load, a global setup failure. */
  errors: string[]
}

interface JsonResult {
  status?: string
  duration?: number
  retry?: number
  error?: { message?: string }
  errors?: { message?: string }[]
  attachments?: { name?: string; path?: string; contentType?: string }[]
}
interface JsonTest {
  projectName?: string
  status?: string
  results?: JsonResult[]
}
interface JsonSpec {
  title?: string
  file?: string
  line?: number
  tests?: JsonTest[]
}
interface JsonSuite {
  title?: string
  file?: string
  specs?: JsonSpec[]
  suites?: JsonSuite[]
}

// Playwright colours its error messages even in the JSON report.
const ANSI = /\u001b\[[0-9;]*m/g

function clean(message: string | undefined): string | undefined {
  if (!message) return undefined
  const text = message.replace(ANSI, '').trim()
  const lines = text.split('\n').filter((l) => l.trim())
  return lines.slice(0, 6).join('\n').slice(0, 1000)
}

const OUTCOMES: Record<string, TestOutcome> = { expected: 'passed', unexpected: 'failed', flaky: 'flaky', skipped: 'skipped' }

export function parsePlaywrightReport(report: unknown): ParsedReport {
  if (!report || typeof report !== 'object' || !Array.isArray((report as { suites?: unknown }).suites)) {
    throw new Error('not a Playwright JSON report (no "suites" list)')
  }
  const r = report as { suites: JsonSuite[]; errors?: { message?: string }[]; stats?: Record<string, unknown> }
  const tests: ReportedTest[] = []
  const visit = (suite: JsonSuite, titles: string[]) => {
    const here = suite.title ? [...titles, suite.title] : titles
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        const results = test.results ?? []
        const last = results.at(-1)
        const failedAttempt = [...results].reverse().find((x) => x.status !== 'passed' && x.status !== 'skipped')
        const error = clean(last?.error?.message ?? last?.errors?.[0]?.message ?? (test.status === 'flaky' ? failedAttempt?.error?.message : undefined))
        tests.push({
          title: [...here, spec.title ?? '(untitled)'].join(' › '),
          project: test.projectName ?? '',
          outcome: OUTCOMES[test.status ?? ''] ?? 'failed',
          lastStatus: last?.status ?? 'skipped',
          attempts: results.length,
          durationMs: results.reduce((sum, x) => sum + (x.duration ?? 0), 0),
          ...(error ? { error } : {}),
          ...(spec.file ? { location: `${spec.file}${spec.line ? `:${spec.line}` : ''}` } : {}),
          attachments: (last?.attachments ?? []).filter((a): a is { name: string; path: string; contentType?: string } => !!a.path && !!a.name),
        })
      }
    }
    for (const child of suite.suites ?? []) visit(child, here)
  }
  for (const suite of r.suites) visit(suite, [])
  const count = (o: TestOutcome) => tests.filter((t) => t.outcome === o).length
  const stats = r.stats ?? {}
  return {
    tests,
    stats: {
      expected: typeof stats.expected === 'number' ? stats.expected : count('passed'),
      unexpected: typeof stats.unexpected === 'number' ? stats.unexpected : count('failed'),
      flaky: typeof stats.flaky === 'number' ? stats.flaky : count('flaky'),
      skipped: typeof stats.skipped === 'number' ? stats.skipped : count('skipped'),
      ...(typeof stats.duration === 'number' ? { durationMs: Math.round(stats.duration) } : {}),
    },
    errors: (r.errors ?? []).map((e) => clean(e.message) ?? 'unknown error'),
  }
}

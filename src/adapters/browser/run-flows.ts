import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Browser, BrowserContext } from 'playwright-core'
import { FlowActionError, performAction } from './actions.js'
import { collect, issuesSentence, judge, settle, type Collected, type Issues } from './collector.js'
import { describeAction, type Action, type Flow } from './flow-types.js'
import { launchChromium } from './launch.js'
import { redactZip } from './zip-redact.js'

type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>

export interface FlowRunOptions {
  baseUrl: string
  executablePath: string
  resolve?: Record<string, string>
  /** Public keys the browser accepts (see trust.ts). */
  pinnedKeys?: string[]
  /** Named logins: each runs first, in a context of its own; flows start from its storage state. */
  logins: Record<string, Action[]>
  /** Sessions made elsewhere (an API login), by login name: flows `as` that name start from them. */
  states?: Record<string, StorageState>
  flows: Flow[]
  /** Contexts open at once. */
  concurrency: number
  /** Regular expressions for known noise (console errors, page errors, failed requests). */
  allow: RegExp[]
  actionTimeoutMs: number
  navigationTimeoutMs: number
  viewport: { width: number; height: number }
  trace: 'on-failure' | 'off'
  signal: AbortSignal
  log(line: string): void
  /** Stores one evidence file; returns its path as the record lists it. */
  evidence(name: string, content: string | Uint8Array, label: string): Promise<{ path: string }>
  /** Replaces known secrets in text that leaves the browser (the trace). */
  redact(text: string): string
}

export interface ActionTiming {
  action: string
  ms: number
  ok: boolean
}

export interface FlowResult {
  name: string
  kind: 'login' | 'flow'
  status: 'passed' | 'failed' | 'skipped'
  durationMs: number
  /** Why it failed: the failing action's sentence, or the page's errors. */
  error?: string
  /** Index (0-based) and description of the action that failed. */
  failedAt?: { index: number; action: string }
  finalUrl?: string
  actions: ActionTiming[]
  issues: Issues
  /** Evidence paths (relative to the run's folder). */
  evidence: string[]
}

/** Name a login's result and files carry: `login` for the login named "default", else `login-<name>`. */
export function loginFlowName(name: string): string {
  return name === 'default' ? 'login' : `login-${name}`
}

/** The login a flow starts from: its own `as`, else the only login there is. */
export function loginFor(flow: Flow, logins: Record<string, unknown>): string | undefined {
  if (flow.as === false) return undefined
  if (flow.as !== undefined) return flow.as
  const names = Object.keys(logins)
  return names.length === 1 ? names[0] : undefined
}

/** Runs `fn` over items with at most `limit` at once; results in input order. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
  return results
}

function fileSafe(name: string): string {
  return name.replace(/[^\w.-]+/g, '_')
}

/**
 * Runs logins, then flows, in parallel contexts of one Chromium. Every flow gets a final screenshot,
 * a JSON record (actions with timings, console output, page errors, failed requests); a failing one
 * also a screenshot taken at the failure and, unless switched off, a Playwright trace with secrets
 * replaced. Never throws for a failing flow: each result says how it ended.
 *
 * When the signal aborts, the promise rejects at once, and the browser is shut down behind it once
 * the Playwright call in flight has settled (each is bounded by its timeout): closing a context or
 * the browser under an in-flight navigation can make playwright-core throw from its message loop,
 * where no caller can catch it, and take the whole process down.
 */
export async function runFlows(opts: FlowRunOptions): Promise<FlowResult[]> {
  const browser = await launchChromium({ executablePath: opts.executablePath, resolve: opts.resolve, pinnedKeys: opts.pinnedKeys })
  const secrets = new Set<string>()
  const redact = (text: string) => {
    let out = opts.redact(text)
    for (const s of [...secrets].sort((a, b) => b.length - a.length)) if (s.length >= 4) out = out.split(s).join('[redacted]')
    return out
  }
  for (const action of [...Object.values(opts.logins).flat(), ...opts.flows.flatMap((f) => f.steps)]) {
    if ('fill' in action && action.secret) secrets.add(action.value)
  }
  const ownOrigins = new Set([new URL(opts.baseUrl).origin, ...opts.flows.flatMap((f) => f.steps).flatMap((s) => ('goto' in s && /^https?:/i.test(s.goto) ? [new URL(s.goto).origin] : []))])
  const ownOrigin = (url: string) => {
    try {
      return ownOrigins.has(new URL(url).origin)
    } catch {
      return false
    }
  }
  const rc: RunContext = { ...opts, ownOrigin, redact, secrets }

  const work = (async () => {
    try {
      const states = new Map<string, StorageState>(Object.entries(opts.states ?? {}))
      const loginResults = await pool(Object.keys(opts.logins), opts.concurrency, async (name) => {
        const { result, state } = await runOne(browser, { name: loginFlowName(name), steps: opts.logins[name]! }, 'login', undefined, rc)
        if (state) states.set(name, state)
        return result
      })
      const flowResults = await pool(opts.flows, opts.concurrency, async (flow) => {
        const login = loginFor(flow, opts.logins)
        if (login !== undefined && !states.has(login)) {
          return skipped(flow.name, opts.logins[login] ? `skipped: ${loginFlowName(login)} failed` : `skipped: no login named "${login}"`)
        }
        return (await runOne(browser, flow, 'flow', login !== undefined ? states.get(login) : undefined, rc)).result
      })
      return [...loginResults, ...flowResults]
    } finally {
      await browser.close().catch(() => {})
    }
  })()
  let onAbort = () => {}
  const stopped = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(new Error('stopped before the flows finished'))
    if (opts.signal.aborted) onAbort()
    else opts.signal.addEventListener('abort', onAbort, { once: true })
  })
  // After a stop nobody awaits the work any more; its own end (browser closed) is all that matters.
  work.catch(() => {})
  stopped.catch(() => {})
  try {
    return await Promise.race([work, stopped])
  } finally {
    opts.signal.removeEventListener('abort', onAbort)
  }
}

function skipped(name: string, error: string): FlowResult {
  return { name, kind: 'flow', status: 'skipped', durationMs: 0, error, actions: [], issues: { consoleErrors: [], pageErrors: [], failedRequests: [], ignored: [] }, evidence: [] }
}

interface RunContext extends FlowRunOptions {
  ownOrigin(url: string): boolean
  redact(text: string): string
  secrets: Set<string>
}

async function runOne(browser: Browser, flow: Flow, kind: 'login' | 'flow', storageState: StorageState | undefined, rc: RunContext): Promise<{ result: FlowResult; state?: StorageState }> {
  const started = performance.now()
  const base = fileSafe(flow.name)
  const evidence: string[] = []
  // After a stop the step has already reported: nothing more goes into its record.
  const save = async (name: string, content: string | Uint8Array, label: string) => {
    if (!rc.signal.aborted) evidence.push((await rc.evidence(`${base}-${name}`, content, `${flow.name}: ${label}`)).path)
  }
  if (rc.signal.aborted) return { result: skipped(flow.name, 'stopped') }
  const context = await browser.newContext({ baseURL: rc.baseUrl, viewport: rc.viewport, ...(storageState ? { storageState } : {}) })
  context.setDefaultTimeout(rc.actionTimeoutMs)
  context.setDefaultNavigationTimeout(rc.navigationTimeoutMs)
  const tracing = rc.trace === 'on-failure'
  if (tracing) await context.tracing.start({ screenshots: true, snapshots: true })
  const page = await context.newPage()
  const collected: Collected = collect(page, rc.ownOrigin, started)
  const actions: ActionTiming[] = []
  let error: string | undefined
  let failedAt: FlowResult['failedAt']
  let state: StorageState | undefined

  try {
    rc.log(`${flow.name}: started${storageState ? ' (logged in)' : ''}`)
    for (const [index, action] of flow.steps.entries()) {
      if (rc.signal.aborted) {
        error = 'stopped'
        break
      }
      const t0 = performance.now()
      try {
        await performAction(page, action, {
          timeoutMs: rc.actionTimeoutMs,
          navigationTimeoutMs: rc.navigationTimeoutMs,
          signal: rc.signal,
          screenshot: async (name) => save(`${fileSafe(name)}.png`, await page.screenshot(), `screenshot ${name}`),
        })
        actions.push({ action: describeAction(action), ms: Math.round(performance.now() - t0), ok: true })
      } catch (e) {
        actions.push({ action: describeAction(action), ms: Math.round(performance.now() - t0), ok: false })
        error = rc.signal.aborted ? 'stopped' : e instanceof FlowActionError ? e.message : e instanceof Error ? e.message.split('\n')[0] : String(e)
        failedAt = { index, action: describeAction(action) }
        if (!rc.signal.aborted) {
          const shot = await page.screenshot().catch(() => undefined)
          if (shot) await save('failure.png', shot, `screenshot at the failure (step ${index + 1}: ${describeAction(action)})`)
        }
        break
      }
    }
    if (!rc.signal.aborted) {
      // Requests started by the last action (a dashboard's data calls) get to finish and report their errors.
      await settle(collected, 3000, rc.signal)
      const final = await page.screenshot().catch(() => undefined)
      if (final) await save('final.png', final, 'final screenshot')
    }
    const issues = judge(collected, [...rc.allow, ...(flow.allow ?? []).map((p) => new RegExp(p))])
    if (!error) error = issuesSentence(issues)
    const cookies = await context.cookies().catch(() => [])
    for (const c of cookies) rc.secrets.add(c.value)
    if (kind === 'login' && !error) state = await context.storageState()

    if (tracing) {
      if (error && !rc.signal.aborted) {
        const dir = await mkdtemp(path.join(os.tmpdir(), 'rollout-trace-'))
        try {
          const file = path.join(dir, 'trace.zip')
          await context.tracing.stop({ path: file })
          await save('trace.zip', redactZip(await readFile(file), rc.redact), 'Playwright trace (open with `npx playwright show-trace`)')
        } finally {
          await rm(dir, { recursive: true, force: true })
        }
      } else {
        await context.tracing.stop().catch(() => {})
      }
    }

    const result: FlowResult = {
      name: flow.name,
      kind,
      status: error ? 'failed' : 'passed',
      durationMs: Math.round(performance.now() - started),
      ...(error ? { error } : {}),
      ...(failedAt ? { failedAt } : {}),
      finalUrl: page.url(),
      actions,
      issues,
      evidence,
    }
    const record = { ...result, console: collected.console, pageErrors: collected.pageErrors, failedRequests: collected.failedRequests }
    await save('result.json', rc.redact(JSON.stringify(record, null, 2)), 'actions, timings, console output, failed requests')
    result.evidence = evidence
    if (!rc.signal.aborted) rc.log(`${flow.name}: ${result.status} in ${result.durationMs} ms${error ? ` — ${error}` : ''}`)
    return { result, state }
  } finally {
    await context.close().catch(() => {})
  }
}

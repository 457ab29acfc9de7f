import { z } from 'zod'
import { defineStepKind, type StepContext, type StepOutcome } from '../../engine/step-kind.js'
import type { Action, Flow } from '../../adapters/browser/flow-types.js'
import type { FlowResult } from '../../adapters/browser/run-flows.js'
import { checkFlows, flowsSchema, loginsSchema, regexSource } from './flow-schema.js'
import { overlay, overlayDeep, readSection, sectionKey } from './settings.js'
import { resolveTerp, terpFlows, terpOptions, TERP_LOGIN, TERP_NAVIGATION_TIMEOUT_MS } from './terp-flows.js'
import { browserState, terpSession } from './session.js'
import { stepCa } from '../trust.js'

export const browserOptions = z.strictObject({
  flows: flowsSchema.optional().describe('\'terp\' (the default): the runbook\'s TERP flows (README: "The terp preset"); or a list of flows of your own.'),
  only: z.array(z.string().min(1)).min(1).optional().describe('Run only the flows with these names.'),
  logins: loginsSchema.optional().describe('Named logins (lists of actions); flows start from a login\'s cookies and storage. With TERP flows a login named "default" replaces the pass\'s shared API login.'),
  terp: terpOptions.optional().describe('Paths, selectors, texts and credentials of the TERP flows.'),
  concurrency: z.number().int().min(1).max(16).optional().describe('Browser contexts at once (one browser).'),
  allow: z.array(regexSource).optional().describe('Regular expressions for known noise: console errors, page errors and failed requests they match do not fail a flow.'),
  executablePath: z.string().min(1).optional().describe('Chromium to drive; default /usr/bin/chromium (Debian\'s `chromium` package) or $ROLLOUT_CHROMIUM.'),
  ca: z.string().min(1).optional().describe('PEM file of a private CA the environment\'s certificate is issued by (relative to the config), as the tls step\'s `ca`.'),
  baseUrl: z.string().regex(/^https?:\/\//i, 'expected an http:// or https:// URL').optional().describe('Where relative `goto` paths start; default the environment\'s URL.'),
  viewport: z
    .strictObject({ width: z.number().int().min(200).max(4000).describe('Pixels.'), height: z.number().int().min(200).max(4000).describe('Pixels.') })
    .optional()
    .describe('Browser window size (default 1280 × 800).'),
  actionTimeoutMs: z.number().int().positive().optional().describe('Longest wait for one action (click, fill, an element to appear) in milliseconds (default 10000).'),
  navigationTimeoutMs: z.number().int().positive().optional().describe('Longest wait for a page load in milliseconds (default 30000).'),
  trace: z.enum(['on-failure', 'off']).optional().describe('Keep a Playwright trace of each failing flow (default), or none.'),
})
export type BrowserOptions = z.output<typeof browserOptions>

/** The environment's `smoke` section: browser settings at its top, and the other smoke kinds' own sub-sections. */
export const smokeSection = browserOptions.extend({ trpc: z.unknown().optional(), playwright: z.unknown().optional() })

export interface BrowserPlan {
  logins: Record<string, Action[]>
  flows: Flow[]
  settings: BrowserOptions
  /** The TERP flows start from the pass's one API login (session.ts), not from a login of their own. */
  terpSession: boolean
}

/** What the step will run: the section and the options merged, TERP defaults applied, names checked. */
export function browserPlan(ctx: Pick<StepContext<BrowserOptions>, 'options' | 'environment' | 'environmentName'>): BrowserPlan {
  const { trpc: _t, playwright: _p, ...section } = readSection(smokeSection, ctx.environment.smoke, sectionKey(ctx.environmentName, 'smoke'))
  const settings = overlay<BrowserOptions>(section, ctx.options) as BrowserOptions
  settings.terp = overlayDeep(section.terp, ctx.options.terp)
  let logins: Record<string, Action[]>
  let flows: Flow[]
  let session = false
  if (settings.flows === undefined || settings.flows === 'terp') {
    logins = { ...settings.logins }
    flows = terpFlows(settings.terp)
    session = !logins[TERP_LOGIN]
  } else {
    logins = settings.logins ?? {}
    flows = settings.flows
  }
  if (settings.only) {
    const unknown = settings.only.filter((name) => !flows.some((f) => f.name === name))
    if (unknown.length) throw new Error(`only: no flow named ${unknown.map((n) => `"${n}"`).join(', ')} (flows: ${flows.map((f) => f.name).join(', ')})`)
    flows = flows.filter((f) => settings.only!.includes(f.name))
  }
  const problems = checkFlows(flows, session ? { ...logins, [TERP_LOGIN]: [] } : logins)
  if (problems.length) throw new Error(problems.join('; '))
  // Only the logins some flow starts from are run; a login nobody needs is not a smoke test.
  const needed = new Set(flows.map((f) => (f.as === false ? undefined : (f.as ?? (Object.keys(logins).length === 1 ? Object.keys(logins)[0] : undefined)))).filter((n): n is string => !!n))
  logins = Object.fromEntries(Object.entries(logins).filter(([name]) => needed.has(name) && !(session && name === TERP_LOGIN)))
  return { logins, flows, settings, terpSession: session && needed.has(TERP_LOGIN) }
}

function summarise(results: FlowResult[], seconds: string): StepOutcome {
  const failed = results.filter((r) => r.status !== 'passed')
  const data = {
    flows: results.map((r) => ({ name: r.name, status: r.status, durationMs: r.durationMs, ...(r.error ? { error: r.error } : {}), evidence: r.evidence })),
    passed: results.length - failed.length,
    failed: failed.length,
  }
  if (failed.length === 0) {
    return { status: 'passed', summary: `${results.length} flow${results.length === 1 ? '' : 's'} passed in ${seconds} s: ${results.map((r) => r.name).join(', ')}`, data }
  }
  const detail = failed.map((r) => `${r.name}: ${r.error}`).join(' · ')
  return { status: 'failed', summary: `${failed.length} of ${results.length} flows failed — ${detail}`, data }
}

export default defineStepKind<BrowserOptions>({
  kind: 'browser',
  needsLiveApp: true,
  description: 'runs user flows in Chromium (log in, pages, forms); fails on a missing element or text, console errors, page errors or failed requests',
  options: browserOptions,
  checkSettings: (ctx) => void browserPlan(ctx),
  async run(ctx) {
    const plan = browserPlan(ctx)
    const s = plan.settings
    if (plan.flows.length === 0) return { status: 'warning', summary: 'no browser flows to run: nothing was checked', data: { flows: [], passed: 0, failed: 0 } }
    const { findChromium, BrowserNotFoundError } = await import('../../adapters/browser/launch.js')
    let executablePath: string
    try {
      executablePath = findChromium(s.executablePath)
    } catch (error) {
      if (error instanceof BrowserNotFoundError) return { status: 'failed', summary: error.message }
      throw error
    }
    const baseUrl = s.baseUrl ?? ctx.environment.url
    // The same CAs the environment's TLS gate trusts: system bundle, NODE_EXTRA_CA_CERTS, the configured file.
    const ca = await stepCa(ctx, s.ca)
    const origins = [baseUrl, ...[...Object.values(plan.logins).flat(), ...plan.flows.flatMap((f) => f.steps)].flatMap((a) => ('goto' in a && /^https:/i.test(a.goto) ? [a.goto] : []))]
    const { verifiedKeys } = await import('../../adapters/browser/trust.js')
    const trust = await verifiedKeys(origins, { ca, resolve: ctx.environment.resolve })
    for (const r of trust.refused) ctx.log(`TLS: the certificate of ${r.origin} is not trusted (${r.reason}); the browser will refuse it as well`)

    const navigationTimeoutMs = s.navigationTimeoutMs ?? (s.flows === undefined || s.flows === 'terp' ? TERP_NAVIGATION_TIMEOUT_MS : 30_000)
    let states: Record<string, Awaited<ReturnType<typeof browserState>>> | undefined
    if (plan.terpSession) {
      const session = await terpSession(ctx, resolveTerp(s.terp), { ca, timeoutMs: navigationTimeoutMs })
      if (!session.ok) return { status: 'failed', summary: session.problem, data: { flows: [], passed: 0, failed: 0 } }
      states = { [TERP_LOGIN]: browserState(session) }
    }

    const { runFlows } = await import('../../adapters/browser/run-flows.js')
    const started = performance.now()
    ctx.log(`${executablePath}: ${Object.keys(plan.logins).length} login(s), ${plan.flows.length} flow(s), ${s.concurrency ?? 2} at a time, against ${baseUrl}`)
    const results = await runFlows({
      baseUrl,
      executablePath,
      resolve: ctx.environment.resolve,
      pinnedKeys: trust.pins.map((p) => p.spki),
      logins: plan.logins,
      ...(states ? { states } : {}),
      flows: plan.flows,
      concurrency: s.concurrency ?? 2,
      allow: (s.allow ?? []).map((p) => new RegExp(p)),
      actionTimeoutMs: s.actionTimeoutMs ?? 10_000,
      navigationTimeoutMs,
      viewport: s.viewport ?? { width: 1280, height: 800 },
      trace: s.trace ?? 'on-failure',
      signal: ctx.signal,
      log: (line) => ctx.log(line),
      evidence: (name, content, label) => ctx.writeEvidence(name, content, label),
      redact: (text) => ctx.redactor.redact(text),
    })
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    await ctx.writeEvidence('flows.json', JSON.stringify(results, null, 2), 'browser flows: results')
    return summarise(results, seconds)
  },
})

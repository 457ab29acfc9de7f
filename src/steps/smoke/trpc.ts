import { z } from 'zod'
import { defineStepKind, type StepContext, type StepOutcome } from '../../engine/step-kind.js'
import { httpRequest, HttpRequestError } from '../../adapters/http/request.js'
import { stepCa } from '../trust.js'
import { callTrpc } from '../../adapters/trpc/client.js'
import { CookieJar } from '../../adapters/trpc/cookies.js'
import { TrpcWireError, type CallResult, type TrpcCall } from '../../adapters/trpc/wire.js'
import { resolveUrl } from '../url.js'
import { checkFields, matcherSchema, show } from './expectations.js'
import { regexSource } from './flow-schema.js'
import { overlay, overlayDeep, readSection, sectionKey } from './settings.js'
import { resolveTerp, terpOptions, terpTrpc, TERP_TRPC_ENDPOINT } from './terp-flows.js'
import { terpSession } from './session.js'

const procedureType = z.enum(['query', 'mutation'])

export const trpcCallSchema = z.strictObject({
  path: z.string().min(1).describe('Procedure path in the router, e.g. `orders.list`.'),
  type: procedureType.optional().describe('query (default) or mutation.'),
  input: z.unknown().optional().describe('The procedure\'s input (JSON; sent through the transformer).'),
  expectError: z.union([z.literal(true), z.strictObject({ code: z.string().min(1).optional().describe('The tRPC error code, e.g. UNAUTHORIZED.'), message: regexSource.optional().describe('Regular expression the error message must match.') })]).optional().describe('The call must fail: `true`, or with this tRPC code and/or a message matching this pattern.'),
  expectData: z.record(z.string(), matcherSchema).optional().describe('Fields of the returned data by path (`items.length`, `user.email`) → matcher.'),
  maxMs: z.number().positive().optional().describe('Latency budget for this call (for a batch: the batch\'s request).'),
  anonymous: z.boolean().optional().describe('Sent without the login\'s cookies (to prove a procedure refuses anonymous callers).'),
})
export type TrpcCallSpec = z.output<typeof trpcCallSchema>

/** A login before the calls: a tRPC procedure, or a plain HTTP request (a form post); the cookies it sets are sent after. */
export const trpcLoginSchema = z.union([
  z.strictObject({
    path: z.string().min(1).describe('Login procedure path in the router.'),
    input: z.unknown().optional().describe('The login procedure\'s input (credentials: use secret(env(...))).'),
    type: procedureType.optional().describe('mutation (default) or query.'),
  }),
  z.strictObject({
    url: z.string().min(1).describe('Absolute URL, or a path joined to the environment\'s URL.'),
    method: z.string().min(1).optional().describe('HTTP method (default POST).'),
    form: z.record(z.string(), z.string()).optional().describe('Sent as application/x-www-form-urlencoded.'),
    json: z.unknown().optional().describe('Sent as application/json.'),
    headers: z.record(z.string(), z.string()).optional().describe('Headers of the login request only.'),
  }),
])

export const trpcOptions = z.strictObject({
  endpoint: z.string().min(1).optional().describe('The tRPC handler\'s URL or path (default `/api/trpc` with the TERP calls, else `/trpc`).'),
  transformer: z.enum(['none', 'superjson']).optional().describe('The router\'s transformer: \'superjson\' when it is created with `transformer: superjson` (the default with the TERP calls, else \'none\').'),
  batch: z.boolean().optional().describe('Send consecutive calls of the same type as one batched request, as httpBatchLink does.'),
  headers: z.record(z.string(), z.string()).optional().describe('Headers sent with every request (login included).'),
  login: z
    .union([trpcLoginSchema, z.literal(false)])
    .optional()
    .describe('A login before the calls: a tRPC procedure `{ path, input }` or an HTTP request `{ url, form | json }`; its cookies are sent after. Default: the pass\'s one TERP login with the TERP calls, none with calls of your own; false for none.'),
  calls: z.array(trpcCallSchema).optional().describe('Calls in order; default: the TERP calls (the pass\'s one login, then one read per area).'),
  terp: terpOptions.optional().describe('Credentials and procedure paths of the TERP calls (used when `calls` is not set).'),
  timeoutMs: z.number().int().positive().optional().describe('Timeout of each request in milliseconds (default 10000).'),
  ca: z.string().min(1).optional().describe('PEM file of a private CA, relative to the config (as the tls step\'s `ca`).'),
})
export type TrpcOptions = z.output<typeof trpcOptions>
type Login = z.output<typeof trpcLoginSchema>

interface CallReport {
  path: string
  type: 'query' | 'mutation'
  method: string
  url: string
  status?: number
  ms?: number
  ok: boolean
  /** tRPC error code and message, when the call answered with an error. */
  error?: { code: string; message: string; httpStatus?: number }
  /** What did not hold; empty when the call passed. */
  problems: string[]
  data?: unknown
}

/** The data as JSON for the evidence (superjson's Date, BigInt, Map, Set written readably); cut to text when large. */
function preview(value: unknown): unknown {
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Map ? Object.fromEntries(v) : v instanceof Set ? [...v] : v))
  if (text === undefined) return null
  return text.length > 4000 ? `${text.slice(0, 4000)}…` : JSON.parse(text)
}

/** Whether one call's result is what the spec expects; the problems as sentences. */
export function judgeCall(spec: TrpcCallSpec, result: CallResult, ms: number): string[] {
  const problems: string[] = []
  if (spec.expectError) {
    if (result.ok) problems.push(`${spec.path}: expected an error${spec.expectError !== true && spec.expectError.code ? ` ${spec.expectError.code}` : ''}, but it succeeded with ${show(result.data)}`)
    else if (spec.expectError !== true) {
      if (spec.expectError.code && result.error.code !== spec.expectError.code) problems.push(`${spec.path}: expected error ${spec.expectError.code}, got ${result.error.code}: ${result.error.message}`)
      if (spec.expectError.message && !new RegExp(spec.expectError.message).test(result.error.message)) problems.push(`${spec.path}: error message ${show(result.error.message)} does not match /${spec.expectError.message}/`)
    }
  } else if (!result.ok) {
    problems.push(`${spec.path}: ${result.error.code}${result.error.httpStatus ? ` (HTTP ${result.error.httpStatus})` : ''}: ${result.error.message}`)
  } else if (spec.expectData) {
    problems.push(...checkFields(result.data, spec.expectData, `${spec.path}: data`))
  }
  if (spec.maxMs !== undefined && ms > spec.maxMs) problems.push(`${spec.path}: took ${Math.round(ms)} ms, over the budget of ${spec.maxMs} ms`)
  return problems
}

/** Consecutive calls of one type share a request when batching; otherwise one request each. */
export function groupCalls(calls: TrpcCallSpec[], batch: boolean): TrpcCallSpec[][] {
  const groups: TrpcCallSpec[][] = []
  for (const call of calls) {
    const last = groups.at(-1)
    if (batch && last && (last[0]!.type ?? 'query') === (call.type ?? 'query') && Boolean(last[0]!.anonymous) === Boolean(call.anonymous)) last.push(call)
    else groups.push([call])
  }
  return groups
}

function failure(error: unknown): string {
  if (error instanceof HttpRequestError || error instanceof TrpcWireError) return error.message
  throw error
}

async function logIn(login: Login, opts: { endpoint: string; base: string; transformer: 'none' | 'superjson'; jar: CookieJar; headers: Record<string, string>; ctx: StepContext<unknown>; timeoutMs: number; ca?: string }): Promise<string | null> {
  const { ctx, jar } = opts
  if ('path' in login) {
    const type = login.type ?? 'mutation'
    ctx.log(`login: tRPC ${type} ${login.path}`)
    try {
      const ex = await callTrpc({ endpoint: opts.endpoint, transformer: opts.transformer, headers: opts.headers, resolve: ctx.environment.resolve, ca: opts.ca, timeoutMs: opts.timeoutMs, signal: ctx.signal, jar }, [{ path: login.path, type, input: login.input }])
      const r = ex.results[0]!
      if (!r.ok) return `login ${login.path} failed: ${r.error.code}: ${r.error.message}`
    } catch (error) {
      return `login ${login.path} failed: ${failure(error)}`
    }
  } else {
    const url = resolveUrl(opts.base, login.url)
    const method = login.method ?? 'POST'
    ctx.log(`login: ${method} ${url}`)
    const body = login.form ? new URLSearchParams(login.form).toString() : login.json !== undefined ? JSON.stringify(login.json) : undefined
    const type = login.form ? 'application/x-www-form-urlencoded' : login.json !== undefined ? 'application/json' : undefined
    try {
      const res = await httpRequest({ url, method, body, headers: { ...opts.headers, ...(type ? { 'content-type': type } : {}), ...login.headers }, resolve: ctx.environment.resolve, ca: opts.ca, timeoutMs: opts.timeoutMs, signal: ctx.signal })
      jar.absorb(res.headers['set-cookie'])
      if (res.status >= 400) return `login ${method} ${url} failed: HTTP ${res.status}`
    } catch (error) {
      return `login ${method} ${url} failed: ${failure(error)}`
    }
  }
  if (jar.names().length === 0) return 'the login answered without setting a cookie, so the calls after it would not be logged in'
  ctx.log(`login: session cookie ${jar.names().join(', ')} kept for the calls`)
  return null
}

/** Section `smoke.trpc` (and `smoke.terp`) overlaid with the step's options. */
export function trpcSettings(ctx: Pick<StepContext<TrpcOptions>, 'options' | 'environment' | 'environmentName'>): TrpcOptions {
  const smoke = (ctx.environment.smoke ?? {}) as { trpc?: unknown; terp?: unknown }
  const section = readSection(trpcOptions, smoke.trpc, sectionKey(ctx.environmentName, 'smoke', 'trpc'))
  const terp = readSection(terpOptions.optional(), smoke.terp, sectionKey(ctx.environmentName, 'smoke', 'terp'))
  const settings = overlay<TrpcOptions>(section, ctx.options) as TrpcOptions
  settings.terp = overlayDeep(overlayDeep(terp, section.terp), ctx.options.terp)
  return settings
}

export default defineStepKind<TrpcOptions>({
  kind: 'trpc',
  needsLiveApp: true,
  description: 'calls tRPC queries and mutations (tRPC v11 wire format, batching, superjson) after an optional login; checks success, errors and data',
  options: trpcOptions,
  checkSettings: (ctx) => void trpcSettings(ctx),
  async run(ctx) {
    const s = trpcSettings(ctx)
    const terpDefaults = s.calls === undefined
    const calls: TrpcCallSpec[] = s.calls ?? terpTrpc(s.terp)
    const login = s.login === false ? undefined : s.login
    const endpoint = resolveUrl(ctx.environment.url, s.endpoint ?? (terpDefaults ? TERP_TRPC_ENDPOINT : '/trpc'))
    // TERP's router uses superjson; calls of your own say what theirs uses.
    const transformer = s.transformer ?? (s.calls === undefined ? 'superjson' : 'none')
    const timeoutMs = s.timeoutMs ?? 10_000
    const headers = s.headers ?? {}
    const ca = await stepCa(ctx, s.ca)
    const jar = new CookieJar()

    if (terpDefaults && s.login === undefined) {
      // TERP's calls: the pass's one login, shared with the browser flows and never retried.
      const session = await terpSession(ctx as StepContext<unknown>, resolveTerp(s.terp), { ca, timeoutMs })
      if (!session.ok) {
        await ctx.writeEvidence('calls.json', JSON.stringify({ endpoint, login: resolveTerp(s.terp).paths.apiLogin, error: session.problem }, null, 2), 'tRPC calls')
        return { status: 'failed', summary: session.problem, data: { calls: [] } }
      }
      for (const c of session.jar.entries()) jar.absorb(`${c.name}=${c.value}; Path=${c.path}`)
    } else if (login) {
      const problem = await logIn(login, { endpoint, base: ctx.environment.url, transformer, jar, headers, ctx: ctx as StepContext<unknown>, timeoutMs, ca })
      if (problem) {
        await ctx.writeEvidence('calls.json', JSON.stringify({ endpoint, login: 'path' in login ? login.path : login.url, error: problem }, null, 2), 'tRPC calls')
        return { status: 'failed', summary: problem, data: { calls: [] } }
      }
    }

    const reports: CallReport[] = []
    for (const group of groupCalls(calls, s.batch ?? false)) {
      const wire: TrpcCall[] = group.map((c) => ({ path: c.path, type: c.type ?? 'query', input: c.input }))
      try {
        const ex = await callTrpc({ endpoint, transformer, headers, resolve: ctx.environment.resolve, ca, timeoutMs, signal: ctx.signal, jar: group[0]!.anonymous ? undefined : jar }, wire)
        const ms = Math.round(ex.timings.totalMs)
        group.forEach((spec, i) => {
          const result = ex.results[i]!
          const problems = judgeCall(spec, result, ms)
          reports.push({
            path: spec.path,
            type: spec.type ?? 'query',
            method: ex.method,
            url: ex.url,
            status: ex.status,
            ms,
            ok: problems.length === 0,
            ...(result.ok ? { data: preview(result.data) } : { error: { code: result.error.code, message: result.error.message, ...(result.error.httpStatus ? { httpStatus: result.error.httpStatus } : {}) } }),
            problems,
          })
        })
        ctx.log(`${ex.method} ${group.map((c) => c.path).join(',')}${group[0]!.anonymous ? ' (anonymous)' : ''}: HTTP ${ex.status} in ${ms} ms`)
      } catch (error) {
        const message = failure(error)
        for (const spec of group) reports.push({ path: spec.path, type: spec.type ?? 'query', method: (spec.type ?? 'query') === 'query' ? 'GET' : 'POST', url: endpoint, ok: false, problems: [`${spec.path}: ${message}`] })
        ctx.log(`${group.map((c) => c.path).join(',')}: ${message}`)
      }
    }
    await ctx.writeEvidence('calls.json', JSON.stringify({ endpoint, transformer, calls: reports }, null, 2), 'tRPC calls: requests, answers, problems')
    return outcome(reports)
  },
})

function outcome(reports: CallReport[]): StepOutcome {
  const data = { calls: reports.map((r) => ({ path: r.path, type: r.type, ok: r.ok, ...(r.ms !== undefined ? { ms: r.ms } : {}), ...(r.error ? { code: r.error.code } : {}) })) }
  if (reports.length === 0) return { status: 'warning', summary: 'no tRPC calls configured', data }
  const problems = reports.flatMap((r) => r.problems)
  if (problems.length === 0) {
    return { status: 'passed', summary: `${reports.length} tRPC call${reports.length === 1 ? '' : 's'} answered as expected: ${reports.map((r) => `${r.path} ${r.ms} ms`).join(', ')}`, data }
  }
  const failed = reports.filter((r) => !r.ok).length
  return { status: 'failed', summary: `${failed} of ${reports.length} tRPC calls failed — ${problems.join(' · ')}`, data }
}

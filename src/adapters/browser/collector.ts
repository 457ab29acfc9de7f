import type { Page } from 'playwright-core'

export interface ConsoleEntry {
  type: string
  text: string
  /** Script URL and line, when the browser gave one. */
  location?: string
  /** Milliseconds since the flow started. */
  atMs: number
}

export interface FailedRequest {
  method: string
  url: string
  /** HTTP status for an answered request; absent when the request failed on the network. */
  status?: number
  /** Chromium's network error (net::ERR_CONNECTION_REFUSED…). */
  failure?: string
  resourceType: string
  atMs: number
}

export interface PageError {
  message: string
  atMs: number
}

/** What a page did besides the flow's actions. Filled while the flow runs. */
export interface Collected {
  /** Requests started and not yet answered or failed. */
  inFlight: number
  console: ConsoleEntry[]
  consoleErrors: ConsoleEntry[]
  pageErrors: PageError[]
  failedRequests: FailedRequest[]
}

/**
 * Listens to a page for console errors, uncaught errors, and failed requests to the app's own
 * origins (status ≥ 400, or no answer). Third-party requests are not the app's to answer for.
 * A request cut off by a navigation (net::ERR_ABORTED) is not a failure.
 */
export function collect(page: Page, ownOrigin: (url: string) => boolean, startedAt: number): Collected {
  const out: Collected = { inFlight: 0, console: [], consoleErrors: [], pageErrors: [], failedRequests: [] }
  page.on('request', () => void out.inFlight++)
  page.on('requestfinished', () => void out.inFlight--)
  const now = () => Math.round(performance.now() - startedAt)
  page.on('console', (msg) => {
    const loc = msg.location()
    const entry: ConsoleEntry = { type: msg.type(), text: msg.text(), atMs: now(), ...(loc?.url ? { location: `${loc.url}:${loc.lineNumber + 1}` } : {}) }
    out.console.push(entry)
    if (entry.type !== 'error') return
    // Chromium logs every failed resource load as a console error too; the request list has it already, with more detail.
    // The browser's own favicon request is no page request and goes this way too: a missing favicon fails no flow.
    if (/^Failed to load resource:/.test(entry.text) && loc?.url && ownOrigin(loc.url)) return
    out.consoleErrors.push(entry)
  })
  page.on('pageerror', (error) => {
    out.pageErrors.push({ message: error.stack?.split('\n').slice(0, 3).join(' | ') || error.message, atMs: now() })
  })
  page.on('response', (res) => {
    if (res.status() < 400 || !ownOrigin(res.url())) return
    const req = res.request()
    out.failedRequests.push({ method: req.method(), url: res.url(), status: res.status(), resourceType: req.resourceType(), atMs: now() })
  })
  page.on('requestfailed', (req) => {
    out.inFlight--
    const failure = req.failure()?.errorText ?? 'failed'
    if (failure === 'net::ERR_ABORTED' || !ownOrigin(req.url())) return
    out.failedRequests.push({ method: req.method(), url: req.url(), failure, resourceType: req.resourceType(), atMs: now() })
  })
  return out
}

/**
 * Waits until the page has no request in flight (a dashboard's data calls started by the last
 * action), so their errors are counted; at most `maxMs`. Returns at once on a quiet page.
 */
export async function settle(collected: Collected, maxMs: number, signal: AbortSignal): Promise<void> {
  const until = performance.now() + maxMs
  while (collected.inFlight > 0 && performance.now() < until && !signal.aborted) await new Promise((r) => setTimeout(r, 50))
}

export function describeRequest(r: FailedRequest): string {
  return `${r.method} ${r.url} → ${r.status !== undefined ? `HTTP ${r.status}` : r.failure}`
}

export interface Issues {
  consoleErrors: string[]
  pageErrors: string[]
  failedRequests: string[]
  /** Lines that matched the allowlist: kept in the report, not counted. */
  ignored: string[]
}

/** Splits what was collected into issues and allowed noise. Pure. */
export function judge(collected: Collected, allow: RegExp[]): Issues {
  const noisy = (text: string) => allow.some((re) => re.test(text))
  const issues: Issues = { consoleErrors: [], pageErrors: [], failedRequests: [], ignored: [] }
  const sort = (text: string, into: string[]) => (noisy(text) ? issues.ignored : into).push(text)
  for (const e of collected.consoleErrors) sort(`${e.text}${e.location ? ` (${e.location})` : ''}`, issues.consoleErrors)
  for (const e of collected.pageErrors) sort(e.message, issues.pageErrors)
  for (const r of collected.failedRequests) sort(describeRequest(r), issues.failedRequests)
  return issues
}

/** A sentence naming the first few issues, for a flow's error. */
export function issuesSentence(issues: Issues): string | undefined {
  const parts: string[] = []
  const list = (items: string[], one: string, many: string) => {
    if (items.length === 0) return
    const shownItems = items.slice(0, 2).map((t) => (t.length > 160 ? `${t.slice(0, 157)}...` : t)).join('; ')
    parts.push(`${items.length} ${items.length === 1 ? one : many}: ${shownItems}${items.length > 2 ? '; …' : ''}`)
  }
  list(issues.consoleErrors, 'console error', 'console errors')
  list(issues.pageErrors, 'uncaught page error', 'uncaught page errors')
  list(issues.failedRequests, 'failed request', 'failed requests')
  return parts.length ? parts.join(' — ') : undefined
}

import { setTimeout as sleep } from 'node:timers/promises'
import type { Locator, Page } from 'playwright-core'
import { actionName, textMatch, textRegExp, type Action, type TextMatch } from './flow-types.js'

/** An action that did not do what it says; the message is the report's sentence. */
export class FlowActionError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FlowActionError'
  }
}

export interface ActionSettings {
  timeoutMs: number
  navigationTimeoutMs: number
  /** A `wait` of a fixed time ends early when this aborts. */
  signal?: AbortSignal
  /** Saves a named screenshot of the page (the `screenshot` action). */
  screenshot(name: string): Promise<void>
}

const shown = textMatch

/**
 * Waits until a visible element of `selector` shows text the pattern matches, as the page renders it
 * (innerText: CSS text-transform applied, hidden parts left out; whitespace runs read as one space).
 */
async function waitForRenderedText(page: Page, selector: string, re: RegExp, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const found = await page
      .locator(selector)
      .evaluateAll(
        (elements, [source, flags]) => {
          const test = new RegExp(source!, flags)
          return elements.some((e) => {
            const el = e as HTMLElement
            if (typeof el.checkVisibility === 'function' && !el.checkVisibility()) return false
            return test.test((el.innerText ?? el.textContent ?? '').replace(/\s+/g, ' ').trim())
          })
        },
        [re.source, re.flags],
      )
      .catch(() => false)
    if (found) return true
    if (Date.now() >= until) return false
    await sleep(100)
  }
}

/** A URL expectation: a path (`/dashboard`, compared with path and, when given, query), a full URL, or a pattern. */
export function urlMatches(actual: URL, expected: TextMatch): boolean {
  if (typeof expected !== 'string') return textRegExp(expected).test(actual.href)
  if (expected.startsWith('/')) {
    const trim = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p)
    const [path, query] = expected.split('?')
    if (trim(actual.pathname) !== trim(path!)) return false
    return query === undefined || actual.search === `?${query}`
  }
  try {
    return new URL(expected).href === actual.href
  } catch {
    return false
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || /Timeout \d+ms exceeded/.test(error.message))
}

/** Playwright's own message without its call log, for errors that are not plain timeouts. */
function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.replace(/^\w+\.\w+: /, '')
}

async function visibleCount(locator: Locator): Promise<number> {
  return locator.filter({ visible: true }).count().catch(() => 0)
}

/** Status of each page's latest document (a form post included), so a failed expectation can name an error page. */
const documentStatus = new WeakMap<Page, number>()

function watchDocuments(page: Page): void {
  if (documentStatus.has(page)) return
  documentStatus.set(page, 0)
  page.on('response', (res) => {
    if (res.request().isNavigationRequest() && res.frame() === page.mainFrame()) documentStatus.set(page, res.status())
  })
}

/** Runs one action on the page; throws FlowActionError saying what was expected and what was there. */
export async function performAction(page: Page, action: Action, s: ActionSettings): Promise<void> {
  const timeout = action.timeoutMs ?? s.timeoutMs
  const a = action as unknown as Record<string, unknown>
  watchDocuments(page)
  // "not visible on /orders" says little when /orders was a server error: say that too.
  const where = () => {
    const status = documentStatus.get(page) ?? 0
    return status >= 400 ? `${page.url()} (the page answered HTTP ${status})` : page.url()
  }
  try {
    switch (actionName(action)) {
      case 'goto': {
        const res = await page.goto(a.goto as string, { timeout: action.timeoutMs ?? s.navigationTimeoutMs, waitUntil: 'load' })
        if (res && res.status() >= 400) throw new FlowActionError(`${a.goto} answered HTTP ${res.status()}`)
        return
      }
      case 'click':
        await page.locator(a.click as string).first().click({ timeout })
        return
      case 'fill':
        await page.locator(a.fill as string).first().fill(a.value as string, { timeout })
        return
      case 'select':
        await page.locator(a.select as string).first().selectOption(a.value as string | string[], { timeout })
        return
      case 'press':
        await page.locator(a.press as string).first().press(a.key as string, { timeout })
        return
      case 'expectText': {
        const expected = a.expectText as TextMatch
        const inside = async () => (a.in ? ` in ${a.in}${(await visibleCount(page.locator(a.in as string))) === 0 ? ' (which is not on the page)' : ''}` : '')
        if (typeof expected !== 'string') {
          // A pattern is tested against the rendered text, so it sees what a person sees ("OPEN ORDERS").
          if (!(await waitForRenderedText(page, (a.in as string | undefined) ?? 'body', textRegExp(expected), timeout))) {
            throw new FlowActionError(`text ${shown(expected)} not found${await inside()} on ${where()} within ${timeout} ms`)
          }
          return
        }
        const scope = a.in ? page.locator(a.in as string).filter({ hasText: expected }) : page.getByText(expected)
        try {
          await scope.filter({ visible: true }).first().waitFor({ state: 'visible', timeout })
        } catch (error) {
          if (!isTimeout(error)) throw error
          const inside = a.in ? ` in ${a.in}${(await visibleCount(page.locator(a.in as string))) === 0 ? ' (which is not on the page)' : ''}` : ''
          throw new FlowActionError(`text ${shown(a.expectText as TextMatch)} not found${inside} on ${where()} within ${timeout} ms`)
        }
        return
      }
      case 'expectUrl': {
        const expected = a.expectUrl as TextMatch
        try {
          await page.waitForURL((url) => urlMatches(url, expected), { timeout, waitUntil: 'commit' })
        } catch (error) {
          if (!isTimeout(error)) throw error
          throw new FlowActionError(`URL is ${where()}, expected ${shown(expected)} within ${timeout} ms`)
        }
        return
      }
      case 'expectVisible': {
        const min = (a.min as number | undefined) ?? 1
        const locator = page.locator(a.expectVisible as string)
        try {
          await locator.filter({ visible: true }).nth(min - 1).waitFor({ state: 'visible', timeout })
        } catch (error) {
          if (!isTimeout(error)) throw error
          const found = await visibleCount(locator)
          throw new FlowActionError(`${min > 1 ? `at least ${min} of ` : ''}${a.expectVisible} not visible on ${where()} within ${timeout} ms (found ${found})`)
        }
        return
      }
      case 'expectHidden': {
        try {
          await page.locator(a.expectHidden as string).filter({ visible: true }).first().waitFor({ state: 'detached', timeout })
        } catch (error) {
          if (!isTimeout(error)) throw error
          throw new FlowActionError(`${a.expectHidden} is still visible on ${where()} after ${timeout} ms`)
        }
        return
      }
      case 'wait': {
        const w = a.wait as number | string
        // A plain timer, not page.waitForTimeout: a stopped run does not wait it out.
        if (typeof w === 'number') await sleep(w, undefined, s.signal ? { signal: s.signal } : undefined)
        else if (w === 'load' || w === 'domcontentloaded' || w === 'networkidle') await page.waitForLoadState(w, { timeout })
        else await page.locator(w).first().waitFor({ state: 'visible', timeout })
        return
      }
      case 'screenshot':
        await s.screenshot(a.screenshot as string)
        return
    }
  } catch (error) {
    if (error instanceof FlowActionError) throw error
    if (isTimeout(error)) {
      if (a.goto !== undefined) throw new FlowActionError(`${a.goto} did not finish loading within ${action.timeoutMs ?? s.navigationTimeoutMs} ms`)
      const target = (a.click ?? a.fill ?? a.select ?? a.press ?? a.wait) as string | undefined
      throw new FlowActionError(`${target ?? 'the page'} not found, or not visible and enabled, on ${where()} within ${timeout} ms`)
    }
    throw new FlowActionError(firstLine(error))
  }
}

/**
 * Browser flows as data: what a user writes in the config and what the runner executes. Selectors
 * are Playwright selectors (`data-testid=login-submit`, `text=Orders`, CSS).
 */

export interface ActionBase {
  /** Words for the report instead of the generated description. */
  title?: string
  /** Overrides the flow's action timeout for this action. */
  timeoutMs?: number
}

/**
 * A string (Playwright's match: case-insensitive substring, whitespace normalised), or a regular
 * expression: `{ matches: 'Open orders' }`, `{ matches: '/open orders/i' }` (flags after the closing
 * slash), or `{ matches: 'open orders', ignoreCase: true }`. An expected text's pattern is tested
 * against what the page shows (innerText: CSS text-transform applied, hidden text left out).
 */
export type TextMatch = string | { matches: string; ignoreCase?: boolean }

/** `/source/flags` with at least one flag is read as a regular expression literal; anything else is the source itself. */
const LITERAL = /^\/(.+)\/([dimsuvy]+)$/

/** The regular expression a `{ matches }` text match stands for (never global or sticky: it is tested repeatedly). */
export function textRegExp(m: { matches: string; ignoreCase?: boolean }): RegExp {
  const literal = LITERAL.exec(m.matches)
  const source = literal ? literal[1]! : m.matches
  const flags = new Set((literal?.[2] ?? '').split('').filter(Boolean))
  if (m.ignoreCase) flags.add('i')
  return new RegExp(source, [...flags].join(''))
}

export type Action = ActionBase &
  (
    | { goto: string }
    | { click: string }
    | { fill: string; value: string; /** Kept out of the report and the trace. */ secret?: boolean }
    | { select: string; value: string | string[] }
    | { press: string; key: string }
    | { expectText: TextMatch; in?: string }
    | { expectUrl: TextMatch }
    | { expectVisible: string; /** At least this many matching elements visible. */ min?: number }
    | { expectHidden: string }
    | { wait: number | 'load' | 'domcontentloaded' | 'networkidle' | string }
    | { screenshot: string }
  )

export interface Flow {
  name: string
  /** Name of a login whose storage state (cookies, local storage) the flow starts with; false: none. */
  as?: string | false
  steps: Action[]
  /** Regular expressions for known noise in this flow, on top of the step's `allow`. */
  allow?: string[]
}

export type ActionName = 'goto' | 'click' | 'fill' | 'select' | 'press' | 'expectText' | 'expectUrl' | 'expectVisible' | 'expectHidden' | 'wait' | 'screenshot'

export const ACTION_NAMES: readonly ActionName[] = ['goto', 'click', 'fill', 'select', 'press', 'expectText', 'expectUrl', 'expectVisible', 'expectHidden', 'wait', 'screenshot']

export function actionName(action: Action): ActionName {
  return ACTION_NAMES.find((name) => name in action)!
}

export function textMatch(m: TextMatch): string {
  return typeof m === 'string' ? JSON.stringify(m) : String(textRegExp(m))
}

/** One line a person reads in the report; never shows a secret value. */
export function describeAction(action: Action): string {
  if (action.title) return action.title
  const a = action as unknown as Record<string, unknown>
  switch (actionName(action)) {
    case 'goto':
      return `go to ${a.goto}`
    case 'click':
      return `click ${a.click}`
    case 'fill':
      return `fill ${a.fill} with ${a.secret ? '[secret]' : JSON.stringify(a.value)}`
    case 'select':
      return `select ${JSON.stringify(a.value)} in ${a.select}`
    case 'press':
      return `press ${a.key} in ${a.press}`
    case 'expectText':
      return `expect text ${textMatch(a.expectText as TextMatch)}${a.in ? ` in ${a.in}` : ''}`
    case 'expectUrl':
      return `expect URL ${textMatch(a.expectUrl as TextMatch)}`
    case 'expectVisible':
      return `expect ${a.min && (a.min as number) > 1 ? `at least ${a.min} of ` : ''}${a.expectVisible} visible`
    case 'expectHidden':
      return `expect ${a.expectHidden} hidden`
    case 'wait':
      return typeof a.wait === 'number' ? `wait ${a.wait} ms` : `wait for ${a.wait}`
    case 'screenshot':
      return `screenshot ${a.screenshot}`
  }
}

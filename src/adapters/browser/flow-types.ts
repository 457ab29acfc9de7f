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

export type TextMatch = string | { matches: string }

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

function textMatch(m: TextMatch): string {
  return typeof m === 'string' ? JSON.stringify(m) : `/${m.matches}/`
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

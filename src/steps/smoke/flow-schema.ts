import { z } from 'zod'
import { ACTION_NAMES, textRegExp, type Action, type Flow } from '../../adapters/browser/flow-types.js'
import { regexSource } from '../../config/regex.js'

/**
 * Config schema of browser flows. Each step is an object with exactly one action key
 * (`{ goto: '/login' }`, `{ fill: 'data-testid=email', value: '…' }`); errors name the step's key
 * path and the action it was read as.
 */

export { regexSource }

const selector = z.string().min(1)
/** A pattern as `{ matches }` takes it: a source, or `/source/flags`; checked when the config is loaded. */
const textPattern = z.string().min(1).refine(
  (source) => {
    try {
      textRegExp({ matches: source })
      return true
    } catch {
      return false
    }
  },
  { message: 'expected a valid regular expression (or /pattern/flags)' },
)
const textMatch = z.union([z.string().min(1), z.strictObject({ matches: textPattern, ignoreCase: z.boolean().optional() })])
const common = { title: z.string().min(1).optional(), timeoutMs: z.number().int().positive().optional() }

const ACTIONS: Record<(typeof ACTION_NAMES)[number], z.ZodType> = {
  goto: z.strictObject({ goto: z.string().min(1), ...common }),
  click: z.strictObject({ click: selector, ...common }),
  fill: z.strictObject({ fill: selector, value: z.string(), secret: z.boolean().optional(), ...common }),
  select: z.strictObject({ select: selector, value: z.union([z.string(), z.array(z.string()).min(1)]), ...common }),
  press: z.strictObject({ press: selector, key: z.string().min(1), ...common }),
  expectText: z.strictObject({ expectText: textMatch, in: selector.optional(), ...common }),
  expectUrl: z.strictObject({ expectUrl: textMatch, ...common }),
  expectVisible: z.strictObject({ expectVisible: selector, min: z.number().int().min(1).optional(), ...common }),
  expectHidden: z.strictObject({ expectHidden: selector, ...common }),
  wait: z.strictObject({ wait: z.union([z.number().int().min(0).max(60_000), z.string().min(1)]), ...common }),
  screenshot: z.strictObject({ screenshot: z.string().regex(/^[\w.-]+$/, 'expected a file-name-like word'), ...common }),
}

export const actionSchema = z.looseObject({}).transform((value, ctx): Action => {
  const present = ACTION_NAMES.filter((name) => name in value)
  if (present.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message: present.length === 0 ? `expected one action key: ${ACTION_NAMES.join(', ')}` : `one action per step, got ${present.join(' and ')}`,
    })
    return z.NEVER
  }
  const parsed = ACTIONS[present[0]!].safeParse(value)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue(issue as never)
    return z.NEVER
  }
  return parsed.data as Action
}).meta({ type: 'action', allowed: `one of ${ACTION_NAMES.join(', ')}` })

const flowName = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'expected a name of letters, digits, ".", "_" and "-"')

export const flowSchema = z.strictObject({
  name: flowName,
  as: z.union([z.string().min(1), z.literal(false)]).optional(),
  steps: z.array(actionSchema).min(1),
  allow: z.array(regexSource).optional(),
}) as z.ZodType<Flow>

/** 'terp' or a list of flows; written out so an error names the flow and key, not just "Invalid input". */
export const flowsSchema = z.unknown().transform((value, ctx): 'terp' | Flow[] => {
  if (value === 'terp') return 'terp'
  if (!Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: 'expected "terp" or a list of flows' })
    return z.NEVER
  }
  const parsed = z.array(flowSchema).safeParse(value)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue(issue as never)
    return z.NEVER
  }
  return parsed.data
}).meta({ type: "'terp' | flow[]", allowed: '"terp", or flows `{ name, as?, steps, allow? }`' })

export const loginsSchema = z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'expected a login name of letters, digits, "_" and "-"'), z.array(actionSchema).min(1))

/** Flow names are unique, and every `as` names a login that exists. */
export function checkFlows(flows: Flow[], logins: Record<string, unknown>): string[] {
  const problems: string[] = []
  const seen = new Set<string>()
  flows.forEach((flow, i) => {
    if (seen.has(flow.name)) problems.push(`flows[${i}].name: a flow named "${flow.name}" already exists`)
    seen.add(flow.name)
    if (typeof flow.as === 'string' && !(flow.as in logins)) {
      problems.push(`flows[${i}].as: no login named "${flow.as}" (logins: ${Object.keys(logins).join(', ') || 'none'})`)
    }
  })
  return problems
}

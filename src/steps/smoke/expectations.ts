import { z } from 'zod'
import { regexSource } from '../../config/regex.js'

/**
 * Expectations on a response, shared by the `http` and `trpc` kinds: header values, JSON fields by
 * path, and a latency budget. Pure: each check returns the problems it found as sentences a user can
 * act on ("json field data.items.length: expected at least 1, got 0").
 */


const JSON_TYPES = ['string', 'number', 'boolean', 'object', 'array', 'null'] as const

/** A literal means "equals"; an object lists conditions that must all hold. */
export const matcherSchema = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.strictObject({
    equals: z.unknown().optional().describe('The value must equal this (objects and lists compared as JSON).'),
    matches: regexSource.optional().describe('Regular expression tested against the value as text.'),
    contains: z.string().optional().describe('Substring of the value as text.'),
    exists: z.boolean().optional().describe('false: the field or header must be absent.'),
    type: z.enum(JSON_TYPES).optional().describe('The value\'s JSON type.'),
    min: z.number().optional().describe('Bounds for a number (use `path.length` for the size of a list or a text).'),
    max: z.number().optional().describe('Upper bound for a number.'),
  }),
])
export type Matcher = z.output<typeof matcherSchema>

/** Options the `http` kind adds to its own: `httpOptions.extend(httpExpectationsShape)`. */
export const httpExpectationsShape = {
  expectHeaders: z.record(z.string(), matcherSchema).optional().describe('Header name (any case) → matcher.'),
  expectJson: z.record(z.string(), matcherSchema).optional().describe('JSON body field path (`data.items.0.id`, `items[0].id`, `items.length`) → matcher.'),
  maxMs: z.number().positive().optional().describe('Latency budget: the whole request, connection included.'),
}
export const httpExpectations = z.strictObject(httpExpectationsShape)
export type HttpExpectations = z.output<typeof httpExpectations>

export interface Found {
  found: boolean
  value?: unknown
}

/** Splits `a.b[0].c` / `a.b.0.c` into keys; a backslash keeps a dot inside a key (`a\.b`). */
export function parseFieldPath(path: string): string[] {
  const keys: string[] = []
  let current = ''
  for (let i = 0; i < path.length; i++) {
    const ch = path[i]!
    if (ch === '\\' && path[i + 1] === '.') {
      current += '.'
      i++
    } else if (ch === '.') {
      keys.push(current)
      current = ''
    } else if (ch === '[') {
      const end = path.indexOf(']', i)
      if (end < 0) {
        current += ch
        continue
      }
      if (current) keys.push(current)
      keys.push(path.slice(i + 1, end).replace(/^["']|["']$/g, ''))
      current = ''
      i = end
      if (path[i + 1] === '.') i++
    } else {
      current += ch
    }
  }
  if (current || keys.length === 0) keys.push(current)
  return keys
}

/** Reads a field by path; `length` works on lists and texts. An empty path is the value itself. */
export function readField(value: unknown, path: string): Found {
  if (path === '' || path === '$') return { found: true, value }
  let current: unknown = value
  for (const key of parseFieldPath(path)) {
    if (current === null || current === undefined) return { found: false }
    if (key === 'length' && (Array.isArray(current) || typeof current === 'string')) {
      current = current.length
      continue
    }
    if (typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, key)) return { found: false }
    current = (current as Record<string, unknown>)[key]
  }
  return { found: true, value: current }
}

function typeOf(value: unknown): (typeof JSON_TYPES)[number] | 'undefined' {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (value === undefined) return 'undefined'
  const t = typeof value
  return t === 'string' || t === 'number' || t === 'boolean' ? t : 'object'
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'bigint') return value.toString()
  return JSON.stringify(value) ?? String(value)
}

/** Short rendering of an actual value for a message; long values are cut. */
export function show(value: unknown): string {
  const text = value === undefined ? 'nothing' : typeof value === 'string' ? JSON.stringify(value) : asText(value)
  return text.length > 120 ? `${text.slice(0, 117)}...` : text
}

function sameValue(actual: unknown, expected: unknown): boolean {
  if (actual instanceof Date) return typeof expected === 'string' ? actual.toISOString() === expected : actual.getTime() === (expected as Date)?.getTime?.()
  if (typeof actual === 'bigint') return String(actual) === String(expected)
  if (typeof expected !== 'object' || expected === null) return Object.is(actual, expected) || (actual === expected)
  return JSON.stringify(actual) === JSON.stringify(expected)
}

/** One matcher against one found (or missing) value; null when it holds. */
export function checkMatcher(found: Found, matcher: Matcher, label: string): string | null {
  if (matcher === null || typeof matcher !== 'object') {
    if (!found.found) return `${label}: expected ${show(matcher)}, but it is missing`
    return sameValue(found.value, matcher) ? null : `${label}: expected ${show(matcher)}, got ${show(found.value)}`
  }
  if (matcher.exists === false) return found.found ? `${label}: expected to be absent, got ${show(found.value)}` : null
  if (!found.found) return `${label}: missing`
  const value = found.value
  if (matcher.type !== undefined && typeOf(value) !== matcher.type) return `${label}: expected a value of type ${matcher.type}, got ${typeOf(value)} ${show(value)}`
  if ('equals' in matcher && matcher.equals !== undefined && !sameValue(value, matcher.equals)) return `${label}: expected ${show(matcher.equals)}, got ${show(value)}`
  if (matcher.matches !== undefined && !new RegExp(matcher.matches).test(asText(value))) return `${label}: expected to match /${matcher.matches}/, got ${show(value)}`
  if (matcher.contains !== undefined && !asText(value).includes(matcher.contains)) return `${label}: expected to contain ${show(matcher.contains)}, got ${show(value)}`
  if (matcher.min !== undefined || matcher.max !== undefined) {
    const n = typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : Number.NaN
    if (Number.isNaN(n)) return `${label}: expected a number, got ${show(value)}`
    if (matcher.min !== undefined && n < matcher.min) return `${label}: expected at least ${matcher.min}, got ${n}`
    if (matcher.max !== undefined && n > matcher.max) return `${label}: expected at most ${matcher.max}, got ${n}`
  }
  return null
}

/** Every field expectation against a decoded value; `prefix` names where the value came from. */
export function checkFields(value: unknown, fields: Record<string, Matcher>, prefix: string): string[] {
  const problems: string[] = []
  for (const [path, matcher] of Object.entries(fields)) {
    const problem = checkMatcher(readField(value, path), matcher, `${prefix} ${path}`)
    if (problem) problems.push(problem)
  }
  return problems
}

export interface ResponseFacts {
  headers: Record<string, string>
  body: string
  timings: { totalMs: number }
}

/**
 * What the `http` kind calls after its status and body checks:
 * `const problems = checkHttpExpectations(res, ctx.options)`; a non-empty list fails the step with
 * `problems.join('; ')` as the summary.
 */
export function checkHttpExpectations(res: ResponseFacts, exp: HttpExpectations): string[] {
  const problems: string[] = []
  if (exp.expectHeaders) {
    const lower = new Map(Object.entries(res.headers).map(([k, v]) => [k.toLowerCase(), v]))
    for (const [name, matcher] of Object.entries(exp.expectHeaders)) {
      const key = name.toLowerCase()
      const problem = checkMatcher(lower.has(key) ? { found: true, value: lower.get(key) } : { found: false }, matcher, `header ${key}`)
      if (problem) problems.push(problem)
    }
  }
  if (exp.expectJson) {
    let parsed: unknown
    try {
      parsed = JSON.parse(res.body)
    } catch {
      problems.push(`body is not JSON (starts with ${show(res.body.slice(0, 60))}), so its fields cannot be checked`)
      parsed = undefined
    }
    if (parsed !== undefined) problems.push(...checkFields(parsed, exp.expectJson, 'json field'))
  }
  if (exp.maxMs !== undefined && res.timings.totalMs > exp.maxMs) {
    problems.push(`took ${Math.round(res.timings.totalMs)} ms, over the budget of ${exp.maxMs} ms`)
  }
  return problems
}

import type { z } from 'zod'
import { childSchema, objectKeysAt, unwrapped } from './schema-keys.js'

type Issue = z.core.$ZodIssue
type Path = (string | number)[]

/**
 * Zod issues as "key.path: what was expected" lines, the form every config error takes. With the
 * schema that was parsed, an unknown key also lists the keys valid at its place: a typo is then
 * fixed from the message alone.
 */
export function formatIssues(issues: readonly Issue[], prefix: Path = [], schema?: z.core.$ZodType): string {
  return issues.map((issue) => formatIssue(issue, prefix, schema)).join('\n')
}

function formatIssue(issue: Issue, prefix: Path, schema: z.core.$ZodType | undefined): string {
  const at = issue.path as Path
  if (issue.code === 'invalid_union') {
    // A value that has the shape of one branch (an object where the union takes false or an object)
    // is reported with that branch's own issues, not a bare "Invalid input".
    const branch = closestBranch(issue.errors)
    if (branch !== undefined) {
      const option = schema ? unionOption(schema, at, branch) : undefined
      return issue.errors[branch]!.map((inner) => formatIssue(inner, [...prefix, ...at], option)).join('\n')
    }
  }
  const key = formatPath([...prefix, ...at])
  return `${key ? `${key}: ` : ''}${describeIssue(issue, schema)}`
}

export function formatPath(path: (string | number | symbol)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : PLAIN_KEY.test(String(p)) ? `${i ? '.' : ''}${String(p)}` : `[${JSON.stringify(String(p))}]`)).join('')
}

/** Keys written bare in a path; others (a host name in `resolve`, with its dots) are quoted: resolve["app.example"]. */
const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/

function describeIssue(issue: Issue, schema: z.core.$ZodType | undefined): string {
  switch (issue.code) {
    case 'unrecognized_keys': {
      const valid = schema ? objectKeysAt(schema, issue.path as Path, issue.input) : undefined
      const list = valid?.length ? ` (valid keys: ${valid.join(', ')})` : ''
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${list}`
    }
    case 'invalid_type':
      return issue.input === undefined ? `missing; expected ${issue.expected}` : `expected ${issue.expected}, got ${typeName(issue.input)}`
    case 'invalid_value':
      if (issue.input === undefined) return `missing; expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(issue.input)}`
    case 'invalid_key':
      // A record's key refused by its own schema (an environment named "Staging"): say why.
      return issue.issues.map((inner) => describeIssue(inner as Issue, undefined)).join('; ')
    case 'too_small':
    case 'too_big':
      return describeBound(issue)
    case 'invalid_union': {
      const discriminated = issue as Issue & { options?: unknown[]; discriminator?: string }
      if (discriminated.discriminator && discriminated.options) {
        const value = (issue.input as Record<string, unknown> | undefined)?.[discriminated.discriminator]
        return `expected one of ${discriminated.options.map((v) => JSON.stringify(v)).join(', ')}, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`
      }
      // Every branch refused the value's type: say which types would do.
      const expected = issue.errors.flatMap((branch) => branch.filter((i) => i.path.length === 0).map(expectedOf)).filter(Boolean)
      if (expected.length && expected.length === issue.errors.length) return `expected ${[...new Set(expected)].join(' or ')}${issue.input === undefined ? '' : `, got ${typeName(issue.input)}`}`
      return issue.message
    }
    default:
      return issue.message
  }
}

/** Zod's "Too big: expected number to be <=65535" as the config's own words. */
function describeBound(issue: Extract<Issue, { code: 'too_small' | 'too_big' }>): string {
  const small = issue.code === 'too_small'
  const limit = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum)
  const inclusive = issue.inclusive !== false
  if (issue.origin === 'string' && small && limit === 1) return 'expected a non-empty string'
  if (issue.origin === 'string') return `expected ${small ? 'at least' : 'at most'} ${limit} characters`
  if (issue.origin === 'array' || issue.origin === 'set') return `expected ${small ? 'at least' : 'at most'} ${limit} item${limit === 1 ? '' : 's'}`
  if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') {
    const got = typeof issue.input === 'number' ? `, got ${issue.input}` : ''
    return `expected a number ${small ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<'} ${limit}${got}`
  }
  return issue.message
}

function expectedOf(issue: Issue): string {
  if (issue.code === 'invalid_type') return issue.expected
  if (issue.code === 'invalid_value') return issue.values.map((v) => JSON.stringify(v)).join(' or ')
  return ''
}

/** The branch whose issues are about the value's contents rather than its type, when exactly one is. */
function closestBranch(errors: Issue[][]): number | undefined {
  const matches = errors.flatMap((branch, i) => (branch.some((e) => e.path.length === 0 && (e.code === 'invalid_type' || e.code === 'invalid_value')) ? [] : [i]))
  return matches.length === 1 ? matches[0] : undefined
}

/** The union's branch `index`, found by walking `schema` down to `at`. */
function unionOption(schema: z.core.$ZodType, at: Path, index: number): z.core.$ZodType | undefined {
  let node: z.core.$ZodType | undefined = schema
  for (const key of at) node = node && childSchema(node, key)
  const def = node && unwrapped(node)._zod.def
  return def?.type === 'union' ? (def as unknown as { options: z.core.$ZodType[] }).options[index] : undefined
}

function typeName(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  // Values are never echoed: a misplaced one may be a secret.
  if (typeof value === 'string') return 'a string'
  return typeof value
}

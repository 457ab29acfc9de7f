import type { z } from 'zod'

/** Zod issues as "key.path: what was expected" lines, the form every config error takes. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix: (string | number)[] = []): string {
  return issues
    .map((issue) => {
      const key = formatPath([...prefix, ...(issue.path as (string | number)[])])
      return `${key ? `${key}: ` : ''}${describeIssue(issue)}`
    })
    .join('\n')
}

export function formatPath(path: (string | number | symbol)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('')
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
    case 'invalid_type':
      return issue.input === undefined ? `missing; expected ${issue.expected}` : `expected ${issue.expected}, got ${typeName(issue.input)}`
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(issue.input)}`
    default:
      return issue.message
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  // Values are never echoed: a misplaced one may be a secret.
  if (typeof value === 'string') return 'a string'
  return typeof value
}

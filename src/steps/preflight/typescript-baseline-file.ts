import { multisetDifference } from './multiset.js'
import { errorsOnly, formatDiagnostic, identityKey, type TscDiagnostic } from './typescript-diagnostics.js'

export interface BaselineEntry {
  file: string
  code: string
  message: string
}

/** A committed baseline: the known errors themselves, or only how many are allowed. */
export type Baseline = { kind: 'errors'; errors: BaselineEntry[] } | { kind: 'count'; count: number }

/** The file as `rollout baseline update` writes it. */
export interface BaselineFile {
  version: 1
  command?: string
  count: number
  errors: BaselineEntry[]
}

/**
 * Reads a baseline file's text: a plain number (a count, as CI scripts keep it), `{ "count": n }`,
 * `{ "errors": [...] }` or a bare array of errors. Throws a message naming what is wrong.
 */
export function parseBaseline(text: string, source: string): Baseline {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new Error(`${source}: expected a number or JSON with an "errors" list, got ${JSON.stringify(text.trim().slice(0, 40))}`)
  }
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) throw new Error(`${source}: expected a whole number of errors ≥ 0, got ${value}`)
    return { kind: 'count', count: value }
  }
  const list = Array.isArray(value) ? value : (value as { errors?: unknown } | null)?.errors
  if (list === undefined && value && typeof value === 'object' && typeof (value as { count?: unknown }).count === 'number') {
    return parseBaseline(String((value as { count: number }).count), source)
  }
  if (!Array.isArray(list)) throw new Error(`${source}: expected a number or an object with an "errors" list`)
  const errors = list.map((e, i) => {
    const entry = e as Partial<BaselineEntry> | null
    if (!entry || typeof entry.code !== 'string' || typeof entry.message !== 'string') {
      throw new Error(`${source}: errors[${i}] needs "code" and "message" strings (and "file")`)
    }
    return { file: typeof entry.file === 'string' ? entry.file : '', code: entry.code, message: entry.message }
  })
  return { kind: 'errors', errors }
}

export interface BaselineComparison {
  kind: Baseline['kind']
  current: number
  allowed: number
  /** Errors the baseline does not have (only known for an errors baseline). */
  newErrors: TscDiagnostic[]
  /** Baseline errors that are gone. */
  fixed: BaselineEntry[]
  ok: boolean
}

/**
 * Compares errors as a multiset of identities, so a fixed error and a new one do not cancel out the
 * way comparing counts would. With a count baseline only the count can be compared.
 */
export function compareWithBaseline(diagnostics: TscDiagnostic[], baseline: Baseline): BaselineComparison {
  const errors = errorsOnly(diagnostics)
  if (baseline.kind === 'count') {
    return { kind: 'count', current: errors.length, allowed: baseline.count, newErrors: [], fixed: [], ok: errors.length <= baseline.count }
  }
  const { added: newErrors, removed: fixed } = multisetDifference(errors, baseline.errors, identityKey, identityKey)
  return { kind: 'errors', current: errors.length, allowed: baseline.errors.length, newErrors, fixed, ok: newErrors.length === 0 }
}

/** The baseline file for a set of diagnostics: sorted, so a rewrite changes only what changed. */
export function baselineFileFor(diagnostics: TscDiagnostic[], command?: string): BaselineFile {
  const errors = errorsOnly(diagnostics)
    .map(({ file, code, message }) => ({ file, code, message }))
    .sort((a, b) => a.file.localeCompare(b.file) || a.code.localeCompare(b.code) || a.message.localeCompare(b.message))
  return { version: 1, ...(command ? { command } : {}), count: errors.length, errors }
}

/** One line for the step's summary. */
export function describeComparison(c: BaselineComparison, shown = 5): string {
  const fixedNote = c.fixed.length ? `; ${c.fixed.length} fixed — run \`rollout baseline update\` to lock that in` : ''
  if (c.kind === 'count') {
    return c.ok
      ? `${c.current} TypeScript error${c.current === 1 ? '' : 's'}, baseline ${c.allowed}${c.current < c.allowed ? ' — run `rollout baseline update` to lower it' : ''}`
      : `${c.current} TypeScript errors, more than the baseline of ${c.allowed} (a count baseline cannot say which are new)`
  }
  if (c.ok) return `${c.current} TypeScript error${c.current === 1 ? '' : 's'}, none new (baseline ${c.allowed})${fixedNote}`
  const listed = c.newErrors.slice(0, shown).map(formatDiagnostic).join('; ')
  const more = c.newErrors.length > shown ? `; and ${c.newErrors.length - shown} more` : ''
  return `${c.newErrors.length} new TypeScript error${c.newErrors.length === 1 ? '' : 's'} (now ${c.current}, baseline ${c.allowed}${fixedNote}): ${listed}${more}`
}

import { multisetDifference } from './multiset.js'

/**
 * A schema validator's findings as a JSON report lists them, compared with a committed baseline.
 * A validator that reports long-known findings (TERP's on MariaDB: JSON columns stored as LONGTEXT)
 * exits non-zero on every run; the gate fails only on findings the baseline does not hold. Pure.
 */

export interface FindingsReport {
  /** The JSON file the command writes, relative to the folder it runs in. */
  file: string
  /** Where the list is in the report, as a dotted path (`allIssues`); '' for a report that is the list. */
  list: string
  /** Fields that name one finding; the rest (a message, a severity) may change without making it new. */
  key: string[]
}

/** The baseline file as `rollout baseline update <env> schema` writes it. */
export interface FindingsBaselineFile {
  version: 1
  command?: string
  count: number
  findings: string[]
}

/** One finding's name: its key fields joined, or the string itself. */
function findingKey(finding: unknown, key: string[]): string {
  if (typeof finding === 'string') return finding
  if (finding && typeof finding === 'object') {
    const record = finding as Record<string, unknown>
    const parts = key.map((k) => record[k])
    if (parts.some((p) => p !== undefined && p !== null)) return parts.map((p) => (p === undefined || p === null ? '' : String(p))).join(' · ')
  }
  return JSON.stringify(finding)
}

/** The findings' names in a parsed report; throws naming what is not where `list` says. */
export function findingsIn(report: unknown, o: FindingsReport): string[] {
  let value: unknown = report
  for (const part of o.list ? o.list.split('.') : []) {
    value = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[part] : undefined
  }
  if (!Array.isArray(value)) throw new Error(`${o.file}: expected a list of findings at ${o.list ? `"${o.list}"` : 'the top level'}, found ${value === undefined ? 'nothing' : typeof value}`)
  return value.map((f) => findingKey(f, o.key))
}

/** A baseline file's findings: `{ "findings": [...] }` or a bare list of names. */
export function parseFindingsBaseline(text: string, source: string): string[] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new Error(`${source}: expected JSON with a "findings" list`)
  }
  const list = Array.isArray(value) ? value : (value as { findings?: unknown } | null)?.findings
  if (!Array.isArray(list) || list.some((f) => typeof f !== 'string')) throw new Error(`${source}: expected a "findings" list of strings`)
  return list as string[]
}

/** Sorted, so a rewrite changes only what changed. */
export function findingsBaselineFile(findings: string[], command?: string): FindingsBaselineFile {
  const sorted = [...findings].sort((a, b) => a.localeCompare(b))
  return { version: 1, ...(command ? { command } : {}), count: sorted.length, findings: sorted }
}

export interface FindingsComparison {
  current: number
  allowed: number
  added: string[]
  fixed: string[]
  ok: boolean
}

export function compareFindings(current: string[], baseline: string[]): FindingsComparison {
  const same = (s: string) => s
  const { added, removed } = multisetDifference(current, baseline, same, same)
  return { current: current.length, allowed: baseline.length, added, fixed: removed, ok: added.length === 0 }
}

/** One line for the step's summary. */
export function describeFindingsComparison(c: FindingsComparison, environment: string, shown = 5): string {
  const fixed = c.fixed.length ? `; ${c.fixed.length} fixed — run \`rollout baseline update ${environment} schema\` to lock that in` : ''
  if (!c.ok) {
    const listed = c.added.slice(0, shown).join('; ')
    const more = c.added.length > shown ? `; and ${c.added.length - shown} more` : ''
    return `${c.added.length} new schema finding${c.added.length === 1 ? '' : 's'} not in the baseline (${c.current} in all, ${c.allowed} known): ${listed}${more}${fixed}`
  }
  return c.current === 0 ? `no schema findings${fixed}` : `${c.current} schema finding${c.current === 1 ? '' : 's'}, all in the baseline${fixed}`
}

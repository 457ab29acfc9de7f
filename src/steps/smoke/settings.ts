import type { z } from 'zod'
import { formatIssues } from '../../config/issues.js'

/**
 * Smoke kinds take their settings from two places: the environment's section (`smoke`, `smoke.trpc`,
 * `smoke.playwright`, `logs`) and the step's own options, the step winning key by key. The step's
 * options are checked when the plan is built; the section is checked here, with the same key paths.
 */
export function readSection<T>(schema: z.ZodType<T>, value: unknown, keyPath: string): T {
  const parsed = schema.safeParse(value ?? {}, { reportInput: true })
  if (!parsed.success) throw new Error(formatIssues(parsed.error.issues, keyPath.split('.'), schema).split('\n').join('; '))
  return parsed.data
}

/** Section values overlaid with the step's options; options left unset do not erase the section's. */
export function overlay<T extends object>(section: Partial<T>, options: Partial<T>): Partial<T> {
  const out: Record<string, unknown> = { ...section }
  for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = v
  return out as Partial<T>
}

/** Like overlay, one level deeper for nested option groups (credentials, paths, test ids). */
export function overlayDeep<T extends object>(section: T | undefined, options: T | undefined): T | undefined {
  if (!section) return options
  if (!options) return section
  const out: Record<string, unknown> = { ...(section as Record<string, unknown>) }
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined) continue
    const base = out[k]
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && base && typeof base === 'object' ? overlay(base as object, v as object) : v
  }
  return out as T
}

export function sectionKey(environmentName: string, ...keys: string[]): string {
  return ['environments', environmentName, ...keys].join('.')
}

import type { ZodType } from 'zod'
import { formatIssues } from '../../config/issues.js'
import { ConfigError } from '../../shared/errors.js'
import { duration } from '../../config/schema.js'

/** Durations in provider options, as users write them elsewhere ('5s', '10m'). */
export const providerDuration = duration

/**
 * Checks a provider's options with its own schema. Errors name the key as the user wrote it, under
 * `at` (`provider`, or `environments.<env>.provider` at the config boundary), every problem at once.
 */
export function parseProviderOptions<T>(schema: ZodType<T>, config: Record<string, unknown>, at: (string | number)[] = ['provider']): T {
  const parsed = schema.safeParse(config, { reportInput: true })
  if (parsed.success) return parsed.data
  throw new ConfigError(`invalid ${String(config.kind)} provider settings:\n${formatIssues(parsed.error.issues, at, schema)}`)
}

/** A token from the environment, registered with the redactor so it never shows in a log line. */
export function readToken(env: Record<string, string | undefined>, names: string[], redactor: { add(v: string | undefined): void }): { name: string; value: string } | null {
  for (const name of names) {
    const value = env[name]?.trim()
    if (value) {
      redactor.add(value)
      return { name, value }
    }
  }
  return null
}

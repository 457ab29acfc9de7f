import { z, type ZodType } from 'zod'
import { ConfigError } from '../../engine/errors.js'
import { duration } from '../../config/schema.js'

/** Durations in provider options, as users write them elsewhere ('5s', '10m'). */
export const providerDuration = duration

/**
 * Checks a provider's options with its own schema. Errors name the key as the user wrote it,
 * under `provider.` ("provider.app: expected a string"), and list every problem at once.
 */
export function parseProviderOptions<T>(schema: ZodType<T>, config: Record<string, unknown>): T {
  const parsed = schema.safeParse(config)
  if (parsed.success) return parsed.data
  const lines = parsed.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const known = schema instanceof z.ZodObject ? Object.keys(schema.shape).join(', ') : ''
      return issue.keys.map((k) => `provider.${[...issue.path, k].join('.')}: unknown key${known ? ` (known keys: ${known})` : ''}`).join('\n')
    }
    return `provider.${issue.path.map(String).join('.') || 'kind'}: ${issue.message}`
  })
  throw new ConfigError(`invalid ${String(config.kind)} provider settings:\n${lines.join('\n')}`)
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

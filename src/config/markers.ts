/**
 * Markers a config file uses for values that are read at run time. They stay data until the config
 * is resolved, so an error can name the key that asked for a missing variable.
 */
const ENV = Symbol.for('rollout.env')
const SECRET = Symbol.for('rollout.secret')

export interface EnvRef {
  [ENV]: true
  name: string
  fallback?: string
}

export interface SecretRef {
  [SECRET]: true
  value: string | EnvRef
}

export type ConfigString = string | EnvRef | SecretRef

/** Where loadConfig puts the variables (process environment over `.env`) while it evaluates a config. */
const VARS = Symbol.for('rollout.config-vars')

/** Makes `vars` what env() reads while `evaluate` runs (the config file's evaluation). */
export async function withConfigVars<T>(vars: Record<string, string | undefined>, evaluate: () => Promise<T>): Promise<T> {
  const holder = globalThis as Record<symbol, unknown>
  const before = holder[VARS]
  holder[VARS] = vars
  try {
    return await evaluate()
  } finally {
    holder[VARS] = before
  }
}

/**
 * A value taken from the process environment or the `.env` file beside the config. While a config
 * is evaluated, a variable that is set (or has a fallback) is returned as the plain string, so
 * `env('X', '') === '1'` and `${env('X')}` work. A variable that is not set stays a marker: the
 * environment that uses it then fails to load with an error naming its key.
 */
export function env(name: string, fallback?: string): string | EnvRef {
  const vars = (globalThis as Record<symbol, unknown>)[VARS] as Record<string, string | undefined> | undefined
  if (vars) {
    const found = vars[name]
    if (found !== undefined && found !== '') return found
    if (fallback !== undefined) return fallback
  }
  return { [ENV]: true, name, ...(fallback === undefined ? {} : { fallback }) }
}

/** A value that must never appear in output, the record, events or reports. */
export function secret(value: string | EnvRef): SecretRef {
  // A secret value is a string by the time it is read: one resolved early is registered the same way.
  return { [SECRET]: true, value }
}

export function isEnvRef(value: unknown): value is EnvRef {
  return typeof value === 'object' && value !== null && ENV in value
}

export function isSecretRef(value: unknown): value is SecretRef {
  return typeof value === 'object' && value !== null && SECRET in value
}

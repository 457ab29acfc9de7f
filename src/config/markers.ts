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

/** A value taken from the process environment or the `.env` file beside the config. */
export function env(name: string, fallback?: string): EnvRef {
  return { [ENV]: true, name, ...(fallback === undefined ? {} : { fallback }) }
}

/** A value that must never appear in output, the record, events or reports. */
export function secret(value: string | EnvRef): SecretRef {
  return { [SECRET]: true, value }
}

export function isEnvRef(value: unknown): value is EnvRef {
  return typeof value === 'object' && value !== null && ENV in value
}

export function isSecretRef(value: unknown): value is SecretRef {
  return typeof value === 'object' && value !== null && SECRET in value
}

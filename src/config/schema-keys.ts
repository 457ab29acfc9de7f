import type { z } from 'zod'

type Schema = z.core.$ZodType
interface Def {
  type: string
  innerType?: Schema
  in?: Schema
  shape?: Record<string, Schema>
  valueType?: Schema
  element?: Schema
  options?: Schema[]
}

const defOf = (schema: Schema): Def => schema._zod.def as unknown as Def

/** Wrappers that do not change which keys an object takes: optional, default, a transform's input… */
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional', 'pipe'])

export function unwrapped(schema: Schema): Schema {
  let node = schema
  for (let def = defOf(node); WRAPPERS.has(def.type); def = defOf(node)) node = def.type === 'pipe' ? def.in! : def.innerType!
  return node
}

/** The schema of `key` inside `schema` (an object's field, a record's value, an array's item). */
export function childSchema(schema: Schema, key: string | number): Schema | undefined {
  const def = defOf(unwrapped(schema))
  switch (def.type) {
    case 'object':
      return typeof key === 'string' && Object.hasOwn(def.shape!, key) ? def.shape![key] : undefined
    case 'record':
      return def.valueType
    case 'array':
      return def.element
    case 'union':
      for (const option of def.options!) {
        const child = childSchema(option, key)
        if (child) return child
      }
      return undefined
    default:
      return undefined
  }
}

/**
 * The keys an object schema takes at `path`, for "unknown key" messages. Under a union of objects
 * (monitor's error sources) the branch that knows most of the value's keys is the one meant.
 */
export function objectKeysAt(schema: Schema, path: (string | number)[], input?: unknown): string[] | undefined {
  let node: Schema | undefined = schema
  for (const key of path) node = node && childSchema(node, key)
  if (!node) return undefined
  const objects = objectsOf(node)
  if (!objects.length) return undefined
  const given = input && typeof input === 'object' ? Object.keys(input) : []
  const known = (shape: Record<string, Schema>) => given.filter((k) => Object.hasOwn(shape, k)).length
  const best = objects.reduce((a, b) => (known(b) > known(a) ? b : a))
  return Object.keys(best)
}

function objectsOf(schema: Schema): Record<string, Schema>[] {
  const def = defOf(unwrapped(schema))
  if (def.type === 'object') return [def.shape!]
  if (def.type === 'union') return def.options!.flatMap(objectsOf)
  return []
}
